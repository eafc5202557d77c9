#include "migration/progress_store.hpp"

#include <fmt/format.h>

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::migration {

using pg::quote_literal;

boost::asio::awaitable<std::optional<stored_progress>> load_progress(pg::connection& target) {
    auto exists = co_await target.exec("SELECT pg_catalog.to_regclass('pghandoff.migration') IS NOT NULL");
    if (!exists.boolean(0, 0)) co_return std::nullopt;
    auto m = co_await target.exec(
        "SELECT source_system_id, source_database, scope, COALESCE(slot_name, ''), COALESCE(publication_name, '') "
        "FROM pghandoff.migration");
    if (m.rows() != 1) co_return std::nullopt;
    stored_progress p;
    p.identity = {m.text(0, 0), m.text(0, 1), m.text(0, 2), m.text(0, 3), m.text(0, 4)};
    auto c = co_await target.exec(
        "SELECT table_schema, table_name, chunk_no, chunk_count, first_page, end_page, format, estimated_bytes, "
        "done_at IS NOT NULL, COALESCE(rows, 0) FROM pghandoff.chunk ORDER BY ordinal");
    for (int i = 0; i < c.rows(); ++i) {
        recorded_chunk r;
        r.chunk.table = {c.text(i, 0), c.text(i, 1)};
        r.chunk.chunk_no = static_cast<int>(c.integer(i, 2));
        r.chunk.chunk_count = static_cast<int>(c.integer(i, 3));
        if (!c.is_null(i, 4)) r.chunk.first_page = static_cast<std::uint64_t>(c.integer(i, 4));
        if (!c.is_null(i, 5)) r.chunk.end_page = static_cast<std::uint64_t>(c.integer(i, 5));
        r.chunk.format = copy::parse_copy_format(c.get(i, 6));
        r.chunk.estimated_bytes = static_cast<std::uint64_t>(c.integer(i, 7));
        r.done = c.boolean(i, 8);
        r.rows = c.integer(i, 9);
        p.chunks.push_back(std::move(r));
    }
    auto s = co_await target.exec("SELECT key FROM pghandoff.step");
    for (int i = 0; i < s.rows(); ++i) p.steps.insert(s.text(i, 0));
    co_return p;
}

std::string create_progress_sql(const migration_identity& id, const std::vector<copy::copy_chunk>& chunks) {
    std::string sql =
        "CREATE SCHEMA pghandoff;\n"
        "COMMENT ON SCHEMA pghandoff IS 'progress of a pghandoff migration; removed when it completes';\n"
        "CREATE TABLE pghandoff.migration (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), "
        "source_system_id text NOT NULL, source_database text NOT NULL, scope text NOT NULL, "
        "slot_name text, publication_name text, started_at timestamptz NOT NULL DEFAULT now());\n"
        "CREATE TABLE pghandoff.chunk (ordinal int NOT NULL, table_schema text NOT NULL, table_name text NOT NULL, "
        "chunk_no int NOT NULL, chunk_count int NOT NULL, first_page bigint, end_page bigint, format text NOT NULL, "
        "estimated_bytes bigint NOT NULL, rows bigint, bytes bigint, seconds float8, done_at timestamptz, "
        "PRIMARY KEY (table_schema, table_name, chunk_no));\n"
        "CREATE TABLE pghandoff.step (key text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now());\n";
    auto nullable = [](const std::string& v) { return v.empty() ? std::string("NULL") : quote_literal(v); };
    sql += "INSERT INTO pghandoff.migration (source_system_id, source_database, scope, slot_name, publication_name) "
           "VALUES (" + quote_literal(id.source_system_id) + ", " + quote_literal(id.source_database) + ", " +
           quote_literal(id.scope) + ", " + nullable(id.slot_name) + ", " + nullable(id.publication_name) + ");\n";
    auto opt = [](const std::optional<std::uint64_t>& v) { return v ? std::to_string(*v) : std::string("NULL"); };
    for (std::size_t i = 0; i < chunks.size(); i += 500) {
        sql += "INSERT INTO pghandoff.chunk (ordinal, table_schema, table_name, chunk_no, chunk_count, first_page, "
               "end_page, format, estimated_bytes) VALUES ";
        for (std::size_t j = i; j < std::min(chunks.size(), i + 500); ++j) {
            const auto& c = chunks[j];
            sql += fmt::format("{}({}, {}, {}, {}, {}, {}, {}, '{}', {})", j == i ? "" : ", ", j,
                               quote_literal(c.table.schema), quote_literal(c.table.name), c.chunk_no, c.chunk_count,
                               opt(c.first_page), opt(c.end_page), copy::to_string(c.format), c.estimated_bytes);
        }
        sql += ";\n";
    }
    return sql;
}

std::string chunk_done_sql(const copy::copy_chunk& chunk, long long rows, unsigned long long bytes, double seconds) {
    return fmt::format(
        "UPDATE pghandoff.chunk SET rows = {}, bytes = {}, seconds = {:.3f}, done_at = now() "
        "WHERE table_schema = {} AND table_name = {} AND chunk_no = {} AND done_at IS NULL RETURNING chunk_no",
        rows, bytes, seconds, quote_literal(chunk.table.schema), quote_literal(chunk.table.name), chunk.chunk_no);
}

std::string step_done_sql(const std::string& key) {
    return "INSERT INTO pghandoff.step (key) VALUES (" + quote_literal(key) + ")";
}

std::string drop_progress_sql() { return "DROP SCHEMA IF EXISTS pghandoff CASCADE"; }

std::string origin_condition(const std::string& slot_name) {
    std::string condition = "(roname = 'pghandoff'";
    if (!slot_name.empty())
        condition += " OR roname = " + quote_literal(slot_name) + " OR roname ~ " + quote_literal("^" + slot_name + "_[0-9]+$");
    return condition + ")";
}

}  // namespace pghandoff::migration
