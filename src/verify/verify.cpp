#include "verify/verify.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "catalog/large_objects.hpp"
#include "catalog/sequence_catalog.hpp"
#include "catalog/table_catalog.hpp"
#include "pg/connection.hpp"
#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::verify {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {

// Text output that is the same on both sides, whatever their settings or major versions.
constexpr const char* session_settings =
    "SET extra_float_digits = 3; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
    "SET TimeZone = 'UTC'; SET bytea_output = 'hex'; SET statement_timeout = 0; "
    "SET default_transaction_read_only = on";

/// The row count and the sum of the rows' 64-bit hashes (summed exactly: sum(bigint) is a
/// numeric, kept here in 128 bits): a multiset digest.
struct digest {
    std::int64_t rows = 0;
    __int128 sum = 0;
    bool operator==(const digest&) const = default;
    digest& operator+=(const digest& o) {
        rows += o.rows;
        sum += o.sum;
        return *this;
    }
};

__int128 parse_sum(std::string_view text) {
    __int128 value = 0;
    bool negative = false;
    for (const char c : text) {
        if (c == '-') negative = true;
        else if (c >= '0' && c <= '9') value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

/// The alias every hashed table gets, so that its whole-row value can be hashed.
constexpr const char* row_alias = "pghandoff_row";

struct key_column {
    std::string name;
    std::string type;  ///< format_type
    bool collatable = false;
};

struct table_plan {
    catalog::qualified_name name;
    std::vector<std::string> columns;  ///< every column, in order
    std::vector<bool> hashable;        ///< the column's type has a default hash operator class
    bool binary_hash = false;          ///< both servers have hash_record_extended (PostgreSQL 14+)
    std::vector<key_column> key;       ///< empty: keyless, compared as a multiset
    std::vector<std::string> bounds;   ///< key ranges for narrowing a difference: bounds on key[0], sorted
    std::uint64_t source_pages = 0, target_pages = 0;
    int page_chunks = 1;  ///< ctid ranges per side, hashed in parallel
    std::string problem;
    std::string row_text() const {
        std::string s = "ROW(";
        for (std::size_t i = 0; i < columns.size(); ++i) s += (i ? ", " : "") + pg::quote_ident(columns[i]);
        return s + ")::text";
    }
    /// The row's 64-bit hash: each column through its type's own hash function where it has
    /// one (no text output to build: cheaper), through its text form otherwise.
    std::string row_hash() const {
        if (!binary_hash) return "pg_catalog.hashtextextended(" + row_text() + ", 0)";
        if (std::all_of(hashable.begin(), hashable.end(), [](bool h) { return h; }))
            return std::string("pg_catalog.hash_record_extended(") + row_alias + ", 0)";
        std::string s = "pg_catalog.hash_record_extended(ROW(";
        for (std::size_t i = 0; i < columns.size(); ++i)
            s += (i ? ", " : "") + pg::quote_ident(columns[i]) + (hashable[i] ? "" : "::text");
        return s + "), 0)";
    }
    std::string key_text() const {
        std::string s;
        for (std::size_t i = 0; i < key.size(); ++i)
            s += (i ? " || ', ' || " : "") + std::string("coalesce(") + pg::quote_ident(key[i].name) + "::text, 'NULL')";
        return s;
    }
    int chunks() const { return page_chunks; }
    int key_ranges() const { return static_cast<int>(bounds.size()) + 1; }
    /// The WHERE clause of the side's page range i: each side is hashed by its own physical
    /// order (sequential reads), the sums compared per table.
    std::string where(int i, bool target) const {
        if (page_chunks == 1) return "true";
        const std::uint64_t pages = target ? target_pages : source_pages;
        const std::uint64_t per = pages / static_cast<std::uint64_t>(page_chunks) + 1;
        const std::uint64_t from = per * static_cast<std::uint64_t>(i);
        if (i == page_chunks - 1) return fmt::format("ctid >= '({},0)'::tid", from);
        return fmt::format("ctid >= '({},0)'::tid AND ctid < '({},0)'::tid", from, from + per);
    }
    /// The WHERE clause of key range i (the same rows on both sides).
    std::string key_where(int i) const {
        if (bounds.empty()) return "true";
        const std::string column = pg::quote_ident(key[0].name);
        auto literal = [&](const std::string& v) { return pg::quote_literal(v) + "::" + key[0].type; };
        const int n = static_cast<int>(bounds.size());
        if (i == 0) return column + " < " + literal(bounds[0]);
        if (i == n) return column + " >= " + literal(bounds[n - 1]);
        return column + " >= " + literal(bounds[i - 1]) + " AND " + column + " < " + literal(bounds[i]);
    }
};

struct side_task {
    std::size_t table;
    int chunk;
    bool target;
};

class verifier {
public:
    explicit verifier(const verify_options& options) : options_(options) {}

    asio::awaitable<void> run() {
        const auto started = clock::now();
        auto source = co_await connect(false);
        auto target = co_await connect(true);
        co_await plan_tables(source, target);
        co_await hash_everything();
        co_await narrow_differences(source, target);
        if (options_.sequences) co_await compare_sequences(source, target);
        else result_.sequences_compared = false, result_.notes.push_back("sequence values not compared: while streaming they move at the cutover only");
        if (options_.selection.schemas().empty()) co_await compare_large_objects(source, target);
        co_await compare_objects(source, target);
        for (auto& t : result_.tables) result_.rows_compared += t.source_rows;
        result_.seconds = std::chrono::duration<double>(clock::now() - started).count();
    }

    verify_result& result() { return result_; }

private:
    asio::awaitable<pg::connection> connect(bool target) {
        const auto& info = target ? options_.target : options_.source;
        auto conn = co_await pg::connection::connect(info.with("application_name", "pghandoff verify"),
                                                     target ? "target" : "source");
        co_await conn.exec(session_settings);
        const auto& snapshot = target ? options_.target_snapshot : options_.source_snapshot;
        if (snapshot)
            co_await conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT " +
                               pg::quote_literal(*snapshot));
        co_return conn;
    }

    static asio::awaitable<std::vector<key_column>> key_of(pg::connection& conn, catalog::oid relid) {
        // The primary key, else the replica identity index, else a unique index on NOT NULL
        // columns without a predicate or expression.
        std::vector<std::optional<std::string>> params{std::to_string(relid)};
        auto rows = co_await conn.exec_params(
            "WITH i AS (SELECT x.indexrelid, x.indkey FROM pg_catalog.pg_index x WHERE x.indrelid = $1::oid "
            "  AND x.indisunique AND x.indisvalid AND x.indpred IS NULL AND x.indexprs IS NULL "
            "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = x.indrelid "
            "                  AND a.attnum = ANY (x.indkey) AND NOT a.attnotnull) "
            "  ORDER BY x.indisprimary DESC, x.indisreplident DESC, x.indnatts, x.indexrelid LIMIT 1) "
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
            "       t.typcollation <> 0 "
            "FROM i, LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n) "
            "JOIN pg_catalog.pg_attribute a ON a.attrelid = $1::oid AND a.attnum = k.attnum "
            "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid ORDER BY k.n",
            params);
        std::vector<key_column> key;
        for (int r = 0; r < rows.rows(); ++r) key.push_back({rows.text(r, 0), rows.text(r, 1), rows.text(r, 2) == "t"});
        co_return key;
    }

    asio::awaitable<void> plan_tables(pg::connection& source, pg::connection& target) {
        auto tables = co_await catalog::load_tables(source, options_.selection);
        auto target_tables = co_await catalog::load_tables(target, options_.selection);
        std::map<std::string, const catalog::table_info*> on_target;
        for (const auto& t : target_tables)
            if (options_.selection.copies_rows(t.name)) on_target[t.name.sql()] = &t;
        // A table is cut only when it would otherwise hold up the others: into pieces of about
        // one job's share of all the pages (at least 128 MB each), read through the key index.
        std::uint64_t total_pages = 0;
        for (const auto& t : tables) total_pages += t.pages;
        const std::uint64_t share =
            options_.chunk_bytes ? std::max<std::uint64_t>(1, options_.chunk_bytes / 8192)
                                 : std::max<std::uint64_t>(16384, total_pages / static_cast<std::uint64_t>(std::max(1, options_.jobs) * 2));
        for (const auto& t : tables) {
            if (!options_.selection.copies_rows(t.name)) continue;  // --exclude-table-data: no rows to compare
            table_plan plan;
            plan.name = t.name;
            for (const auto& c : t.columns) plan.columns.push_back(c.name);
            plan.hashable.assign(plan.columns.size(), false);
            plan.binary_hash = source.server_version() >= 140000 && target.server_version() >= 140000;
            if (plan.binary_hash) {
                std::vector<std::optional<std::string>> params{std::to_string(t.relid)};
                auto types = co_await source.exec_params(
                    // Enums hash their OIDs, which differ between servers: those go through text.
                    "SELECT a.attname, bt.typtype <> 'e' AND coalesce(et.typtype, '') <> 'e' AND EXISTS ("
                    "  SELECT 1 FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod "
                    "  WHERE am.amname = 'hash' AND oc.opcdefault AND oc.opcintype = "
                    "        CASE WHEN bt.typcategory = 'A' THEN et.oid ELSE bt.oid END) "
                    "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
                    "JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
                    "LEFT JOIN pg_catalog.pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A' "
                    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped",
                    params);
                std::map<std::string, bool> by_name;
                for (int r = 0; r < types.rows(); ++r) by_name[types.text(r, 0)] = types.text(r, 1) == "t";
                for (std::size_t c = 0; c < plan.columns.size(); ++c) plan.hashable[c] = by_name[plan.columns[c]];
            }
            plan.source_pages = t.pages;
            auto found = on_target.find(t.name.sql());
            if (found == on_target.end()) {
                plan.problem = "missing on the target";
            } else {
                std::vector<std::string> theirs;
                for (const auto& c : found->second->columns) theirs.push_back(c.name);
                if (theirs != plan.columns)
                    plan.problem = "columns differ: source (" + fmt::format("{}", fmt::join(plan.columns, ", ")) +
                                   "), target (" + fmt::format("{}", fmt::join(theirs, ", ")) + ")";
                plan.target_pages = found->second->pages;
                on_target.erase(found);
            }
            if (plan.problem.empty()) {
                plan.key = co_await key_of(source, t.relid);
                if (source.server_version() >= 140000 && target.server_version() >= 140000) {
                    const std::uint64_t pages = std::max(plan.source_pages, plan.target_pages);
                    plan.page_chunks = static_cast<int>(std::clamp<std::uint64_t>((pages + share - 1) / share, 1, 64));
                }
                if (!plan.key.empty() && !plan.key[0].collatable && t.pages > 1024) {
                    // For narrowing a difference down: key ranges from the source's statistics on
                    // the leading key column, of about equal rows, the same on both sides
                    // (non-collatable: no collation can order them differently).
                    std::vector<std::optional<std::string>> params{t.name.schema, t.name.name, plan.key[0].name};
                    auto stats = co_await source.exec_params(
                        "SELECT b FROM pg_catalog.pg_stats s, unnest(s.histogram_bounds::text::text[]) WITH ORDINALITY u(b, n) "
                        "WHERE s.schemaname = $1 AND s.tablename = $2 AND s.attname = $3 AND NOT s.inherited ORDER BY n",
                        params);
                    for (int i = 1; i + 1 < stats.rows(); ++i)
                        if (plan.bounds.empty() || plan.bounds.back() != stats.text(i, 0)) plan.bounds.push_back(stats.text(i, 0));
                }
            }
            table_result r;
            r.table = t.name.display();
            for (const auto& k : plan.key) r.key += (r.key.empty() ? "" : ", ") + k.name;
            r.problem = plan.problem;
            r.chunks = plan.chunks();
            result_.tables.push_back(std::move(r));
            plans_.push_back(std::move(plan));
        }
        for (const auto& [name, t] : on_target) {
            table_result r;
            r.table = t->name.display();
            r.problem = "only on the target";
            result_.tables.push_back(std::move(r));
        }
    }

    asio::awaitable<void> hash_everything() {
        for (std::size_t i = 0; i < plans_.size(); ++i) {
            if (!plans_[i].problem.empty()) continue;
            for (int c = 0; c < plans_[i].chunks(); ++c) {
                tasks_.push_back({i, c, false});
                tasks_.push_back({i, c, true});
            }
            digests_[i].assign(static_cast<std::size_t>(plans_[i].chunks()), {});
        }
        // Biggest tables first, so that the last tasks are small ones.
        std::stable_sort(tasks_.begin(), tasks_.end(), [&](const side_task& a, const side_task& b) {
            return plans_[a.table].source_pages > plans_[b.table].source_pages;
        });
        auto executor = co_await asio::this_coro::executor;
        const int workers = std::max(1, options_.jobs);
        int running = workers;
        std::exception_ptr failure;
        asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
        for (int w = 0; w < workers; ++w) {
            asio::co_spawn(executor, worker(), [&](std::exception_ptr e) {
                if (e && !failure) failure = e;
                if (--running == 0) all_done.cancel();
            });
        }
        boost::system::error_code ec;
        co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (failure) std::rethrow_exception(failure);
        for (std::size_t i = 0; i < plans_.size(); ++i) {
            if (!plans_[i].problem.empty()) continue;
            auto& r = result_.tables[i];
            digest source_total, target_total;
            for (const auto& [s, t] : digests_[i]) {
                source_total += s;
                target_total += t;
            }
            r.source_rows = source_total.rows;
            r.target_rows = target_total.rows;
            if (!(source_total == target_total)) differing_tables_.push_back(i);
        }
    }

    asio::awaitable<void> worker() {
        auto source = co_await connect(false);
        auto target = co_await connect(true);
        while (!tasks_.empty()) {
            const side_task task = tasks_.front();
            tasks_.pop_front();
            const auto& plan = plans_[task.table];
            const std::string sql = "SELECT count(*), coalesce(sum(h), 0)::text FROM (SELECT " + plan.row_hash() +
                                    " AS h FROM ONLY " + plan.name.sql() + " AS " + row_alias + " WHERE " +
                                    plan.where(task.chunk, task.target) + ") r";
            auto rows = co_await (task.target ? target : source).exec(sql);
            digest d{std::stoll(rows.text(0, 0)), parse_sum(rows.get(0, 1))};
            auto& slot = digests_[task.table][static_cast<std::size_t>(task.chunk)];
            (task.target ? slot.second : slot.first) = d;
        }
    }

    /// Rows of (key, value); with `whole_row`, the value is every other column joined.
    static asio::awaitable<std::unordered_map<std::string, std::string>> keyed_rows(pg::connection& conn, std::string sql,
                                                                                   bool whole_row = false) {
        auto rows = co_await conn.exec(std::move(sql));
        std::unordered_map<std::string, std::string> out;
        out.reserve(static_cast<std::size_t>(rows.rows()));
        for (int r = 0; r < rows.rows(); ++r) {
            std::string value = rows.text(r, 1);
            if (whole_row)
                for (int c = 2; c < rows.columns(); ++c) value += "|" + rows.text(r, c);
            out.emplace(rows.text(r, 0), std::move(value));
        }
        co_return out;
    }

    void note(table_result& r, std::string kind, std::string row) {
        if (r.rows.size() < options_.max_rows) r.rows.push_back({std::move(kind), std::move(row)});
    }

    /// The key ranges whose digests differ between the sides (read through the key's index).
    asio::awaitable<std::vector<int>> differing_key_ranges(pg::connection& source, pg::connection& target,
                                                          const table_plan& plan) {
        if (plan.bounds.empty()) co_return std::vector<int>{0};
        std::string sql = "SET enable_seqscan = off; SELECT i, count(*), coalesce(sum(h), 0) FROM (";
        for (int i = 0; i < plan.key_ranges(); ++i)
            sql += (i ? " UNION ALL " : "") + fmt::format("SELECT {} AS i, ", i) + plan.row_hash() + " AS h FROM ONLY " +
                   plan.name.sql() + " AS " + row_alias + " WHERE " + plan.key_where(i);
        sql += ") r GROUP BY i";
        auto ours = co_await keyed_rows(source, sql, true);
        auto theirs = co_await keyed_rows(target, sql, true);
        std::vector<int> differing;
        for (int i = 0; i < plan.key_ranges(); ++i) {
            const auto key = std::to_string(i);
            if (ours[key] != theirs[key]) differing.push_back(i);
        }
        co_await source.exec("SET enable_seqscan = on");
        co_await target.exec("SET enable_seqscan = on");
        co_return differing;
    }

    asio::awaitable<void> narrow_differences(pg::connection& source, pg::connection& target) {
        for (const std::size_t i : differing_tables_) {
            const auto& plan = plans_[i];
            auto& r = result_.tables[i];
            if (plan.key.empty()) {
                // A multiset: count each distinct row on both sides (bounded: large tables only
                // get their counts compared).
                if (std::max(r.source_rows, r.target_rows) > 5'000'000) {
                    r.changed = std::abs(r.source_rows - r.target_rows) + 1;
                    continue;
                }
                const std::string sql = "SELECT " + plan.row_text() + ", count(*)::text FROM ONLY " + plan.name.sql() + " GROUP BY 1";
                auto theirs = co_await keyed_rows(target, sql);
                auto ours = co_await keyed_rows(source, sql);
                for (const auto& [row, count] : ours) {
                    const auto n = std::stoll(count);
                    auto found = theirs.find(row);
                    const auto m = found == theirs.end() ? 0 : std::stoll(found->second);
                    if (m < n) {
                        r.missing += n - m;
                        note(r, "missing", row + (n - m > 1 ? fmt::format(" (x{})", n - m) : ""));
                    } else if (m > n) {
                        r.extra += m - n;
                        note(r, "extra", row + (m - n > 1 ? fmt::format(" (x{})", m - n) : ""));
                    }
                    if (found != theirs.end()) theirs.erase(found);
                }
                for (const auto& [row, count] : theirs) {
                    r.extra += std::stoll(count);
                    note(r, "extra", row + (std::stoll(count) > 1 ? " (x" + count + ")" : ""));
                }
                continue;
            }
            if (plan.bounds.empty() && std::max(r.source_rows, r.target_rows) > 5'000'000) {
                r.changed = std::max<std::int64_t>(1, std::abs(r.source_rows - r.target_rows));
                note(r, "changed", "the content differs; rows are not named in a table this large without key ranges "
                                   "(they need statistics on a non-collatable leading key column: ANALYZE it)");
                continue;
            }
            const auto ranges = co_await differing_key_ranges(source, target, plan);
            for (const int c : ranges) {
                const std::string sql = "SET enable_seqscan = " + std::string(plan.bounds.empty() ? "on" : "off") +
                                        "; SELECT " + plan.key_text() + ", " + plan.row_hash() + "::text FROM ONLY " +
                                        plan.name.sql() + " AS " + row_alias + " WHERE " + plan.key_where(c);
                auto ours = co_await keyed_rows(source, sql);
                auto theirs = co_await keyed_rows(target, sql);
                std::string key_names;
                for (const auto& k : plan.key) key_names += (key_names.empty() ? "" : ", ") + k.name;
                for (const auto& [key, hash] : ours) {
                    auto found = theirs.find(key);
                    if (found == theirs.end()) {
                        ++r.missing;
                        note(r, "missing", "(" + key_names + ")=(" + key + ")");
                    } else {
                        if (found->second != hash) {
                            ++r.changed;
                            note(r, "changed", "(" + key_names + ")=(" + key + ")");
                        }
                        theirs.erase(found);
                    }
                }
                for (const auto& [key, hash] : theirs) {
                    ++r.extra;
                    note(r, "extra", "(" + key_names + ")=(" + key + ")");
                }
            }
        }
    }

    asio::awaitable<void> compare_sequences(pg::connection& source, pg::connection& target) {
        auto ours = co_await catalog::load_sequences(source, options_.selection);
        auto theirs = co_await catalog::load_sequences(target, options_.selection);
        std::map<std::string, const catalog::sequence_state*> by_name;
        for (const auto& s : theirs) by_name[s.name.display()] = &s;
        for (const auto& s : ours) {
            auto found = by_name.find(s.name.display());
            if (found == by_name.end()) {
                result_.sequences.push_back("sequence " + s.name.display() + ": missing on the target");
                continue;
            }
            const auto& t = *found->second;
            if (t.last_value != s.last_value || t.is_called != s.is_called)
                result_.sequences.push_back(fmt::format("sequence {}: source last_value {} is_called {}, target {} {}",
                                                        s.name.display(), s.last_value, s.is_called, t.last_value,
                                                        t.is_called));
            by_name.erase(found);
        }
        for (const auto& [name, s] : by_name) result_.sequences.push_back("sequence " + name + ": only on the target");
    }

    asio::awaitable<void> compare_large_objects(pg::connection& source, pg::connection& target) {
        const std::string sql =
            "SELECT m.oid::text, pg_catalog.pg_get_userbyid(m.lomowner) || ' ' || "
            "coalesce((SELECT md5(string_agg(p.data, ''::bytea ORDER BY p.pageno)) FROM pg_catalog.pg_largeobject p "
            "WHERE p.loid = m.oid), md5(''::bytea)) FROM pg_catalog.pg_largeobject_metadata m";
        auto ours = co_await keyed_rows(source, sql);
        auto theirs = co_await keyed_rows(target, sql);
        for (const auto& [oid, digest] : ours) {
            auto found = theirs.find(oid);
            if (found == theirs.end()) result_.large_objects.push_back("large object " + oid + ": missing on the target");
            else if (found->second != digest)
                result_.large_objects.push_back("large object " + oid + ": content or owner differs");
            if (found != theirs.end()) theirs.erase(found);
        }
        for (const auto& [oid, digest] : theirs) result_.large_objects.push_back("large object " + oid + ": only on the target");
    }

    asio::awaitable<std::set<std::string>> object_names(pg::connection& conn) {
        auto rows = co_await conn.exec(
            "SELECT 'index ' || n.nspname || '.' || c.relname || ' on ' || tn.nspname || '.' || t.relname, n.nspname, t.relname "
            "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_class t ON t.oid = i.indrelid "
            "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
            "UNION ALL SELECT 'constraint ' || co.conname || ' on ' || n.nspname || '.' || coalesce(t.relname, ty.typname), "
            "n.nspname, coalesce(t.relname, ty.typname) FROM pg_catalog.pg_constraint co "
            "JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace LEFT JOIN pg_catalog.pg_class t ON t.oid = co.conrelid "
            "LEFT JOIN pg_catalog.pg_type ty ON ty.oid = co.contypid "
            "UNION ALL SELECT 'trigger ' || tg.tgname || ' on ' || n.nspname || '.' || t.relname, n.nspname, t.relname "
            "FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class t ON t.oid = tg.tgrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE NOT tg.tgisinternal "
            "UNION ALL SELECT CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || n.nspname || '.' || c.relname, "
            "n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('v', 'm') "
            "UNION ALL SELECT 'function ' || n.nspname || '.' || p.proname || '(' || "
            "pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', n.nspname, NULL "
            "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::regclass "
            "AND d.objid = p.oid AND d.deptype = 'e')");
        std::set<std::string> names;
        for (int r = 0; r < rows.rows(); ++r) {
            const std::string schema = rows.text(r, 1);
            if (catalog::is_system_schema(schema) || schema == "pghandoff" || !options_.selection.covers_schema(schema))
                continue;
            if (!rows.is_null(r, 2) && !options_.selection.covers_table({schema, rows.text(r, 2)})) continue;
            names.insert(rows.text(r, 0));
        }
        co_return names;
    }

    asio::awaitable<void> compare_objects(pg::connection& source, pg::connection& target) {
        auto ours = co_await object_names(source);
        auto theirs = co_await object_names(target);
        for (const auto& n : ours)
            if (!theirs.count(n)) result_.objects.push_back(n + ": missing on the target");
        for (const auto& n : theirs)
            if (!ours.count(n)) result_.objects.push_back(n + ": only on the target");
    }

    const verify_options& options_;
    verify_result result_;
    std::vector<table_plan> plans_;
    std::deque<side_task> tasks_;
    std::map<std::size_t, std::vector<std::pair<digest, digest>>> digests_;
    std::vector<std::size_t> differing_tables_;
};

}  // namespace

bool verify_result::equal() const {
    return std::all_of(tables.begin(), tables.end(), [](const table_result& t) { return t.equal(); }) &&
           sequences.empty() && large_objects.empty() && objects.empty();
}

std::string verify_result::summary() const {
    std::string out;
    int differing = 0;
    for (const auto& t : tables) differing += t.equal() ? 0 : 1;
    out += fmt::format("tables: {} compared, {} equal, {} different ({} source rows in {:.1f} s)\n", tables.size(),
                       tables.size() - static_cast<std::size_t>(differing), differing, rows_compared, seconds);
    for (const auto& t : tables) {
        if (t.equal()) continue;
        if (!t.problem.empty()) {
            out += fmt::format("  {}: {}\n", t.table, t.problem);
            continue;
        }
        out += fmt::format("  {}: {} rows on the source, {} on the target; {} missing, {} extra, {} changed{}\n", t.table,
                           t.source_rows, t.target_rows, t.missing, t.extra, t.changed,
                           t.key.empty() ? " (no key: compared as a multiset of rows)" : " (by " + t.key + ")");
        for (const auto& r : t.rows) out += fmt::format("    {:<8} {}\n", r.kind, r.row);
        const auto named = static_cast<std::int64_t>(t.rows.size());
        if (t.missing + t.extra + t.changed > named)
            out += fmt::format("    ... and {} more\n", t.missing + t.extra + t.changed - named);
    }
    out += !sequences_compared ? "sequences: not compared\n" : sequences.empty() ? "sequences: equal\n" : "sequences:\n";
    for (const auto& s : sequences) out += "  " + s + "\n";
    out += large_objects.empty() ? "large objects: equal\n" : "large objects:\n";
    for (const auto& s : large_objects) out += "  " + s + "\n";
    out += objects.empty() ? "indexes, constraints, triggers, views, functions: the same names\n"
                           : "indexes, constraints, triggers, views, functions:\n";
    for (const auto& s : objects) out += "  " + s + "\n";
    for (const auto& n : notes) out += "note: " + n + "\n";
    if (!consistency.empty()) out += "read: " + consistency + "\n";
    out += equal() ? "result: EQUAL\n" : "result: DIFFERENT\n";
    return out;
}

nlohmann::json verify_result::to_json() const {
    nlohmann::json j;
    j["equal"] = equal();
    j["seconds"] = seconds;
    j["rows_compared"] = rows_compared;
    auto list = nlohmann::json::array();
    for (const auto& t : tables) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& r : t.rows) rows.push_back({{"kind", r.kind}, {"row", r.row}});
        list.push_back({{"table", t.table},
                        {"equal", t.equal()},
                        {"key", t.key},
                        {"source_rows", t.source_rows},
                        {"target_rows", t.target_rows},
                        {"missing", t.missing},
                        {"extra", t.extra},
                        {"changed", t.changed},
                        {"chunks", t.chunks},
                        {"rows", rows},
                        {"problem", t.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.problem)}});
    }
    j["tables"] = list;
    j["sequences"] = sequences;
    j["large_objects"] = large_objects;
    j["objects"] = objects;
    j["notes"] = notes;
    j["consistency"] = consistency;
    return j;
}

verify_result run_verify(const verify_options& options) {
    asio::io_context io;
    verifier v(options);
    std::exception_ptr failure;
    asio::co_spawn(io, v.run(), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(v.result());
}

}  // namespace pghandoff::verify
