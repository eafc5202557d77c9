#include "apply/applier.hpp"

#include "apply/replication_origin.hpp"
#include "apply/statements.hpp"
#include "apply/target_table.hpp"
#include "util/error.hpp"

namespace pghandoff::apply {

namespace asio = boost::asio;

namespace {

// Trigger firing is left to the orchestration (ENABLE ALWAYS/REPLICA triggers are disabled
// there); replica mode keeps ordinary triggers and foreign key checks from firing. Values come
// in the source's text output: read them in ISO styles. synchronous_commit is set by open().
// Every UPDATE and DELETE finds its row by the replica identity: the key index must be used
// even where the planner's statistics (a small table, or one grown since ANALYZE) would pick a
// sequential scan, which reads every dead version of a hot row each time.
constexpr const char* session_settings =
    "SET session_replication_role = replica; SET search_path = ''; SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan; "
    "SET datestyle = 'ISO'; SET intervalstyle = 'postgres'; SET extra_float_digits = 3; "
    "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0";

const std::string begin_label = "BEGIN";
const std::string commit_label = "COMMIT";
const std::string origin_label = "the replication origin's progress (pg_replication_origin_xact_setup)";
const std::string deallocate_label = "DEALLOCATE ALL";

std::uint32_t relid_of(const cdc::message& change) {
    if (const auto* insert = std::get_if<cdc::insert_message>(&change)) return insert->relid;
    if (const auto* update = std::get_if<cdc::update_message>(&change)) return update->relid;
    return std::get<cdc::delete_message>(change).relid;
}

std::variant<planned_change, std::string> plan_for(const bound_table& table, const cdc::message& change) {
    if (const auto* insert = std::get_if<cdc::insert_message>(&change)) return plan_insert(table, *insert);
    if (const auto* update = std::get_if<cdc::update_message>(&change)) return plan_update(table, *update);
    return plan_delete(table, std::get<cdc::delete_message>(change));
}

bool is_streaming(const cdc::message& message) {
    return std::holds_alternative<cdc::stream_start_message>(message) ||
           std::holds_alternative<cdc::stream_stop_message>(message) ||
           std::holds_alternative<cdc::stream_commit_message>(message) ||
           std::holds_alternative<cdc::stream_abort_message>(message);
}

template <typename M>
concept streamable_change = requires(const M& m) {
    { m.xid } -> std::convertible_to<std::optional<cdc::xid_t>>;
};

/// The (sub)transaction a change inside a Stream Start..Stop block belongs to.
std::optional<cdc::xid_t> streamed_xid_of(const cdc::message& message) {
    return std::visit(
        [](const auto& m) -> std::optional<cdc::xid_t> {
            if constexpr (streamable_change<std::decay_t<decltype(m)>>) return m.xid;
            else return std::nullopt;
        },
        message);
}

}  // namespace

asio::awaitable<applier> applier::open(pg::connection target, apply_options options) {
    try {
        co_await target.exec(session_settings);
    } catch (const error& e) {
        throw error(std::string(e.what()),
                    "apply needs a superuser on the target (or SET privilege on session_replication_role)",
                    e.sqlstate());
    }
    co_await target.exec(options.synchronous_commit ? "SET synchronous_commit = on"
                                                    : "SET synchronous_commit = off");
    pg::lsn applied;
    if (!options.origin.empty()) applied = co_await bind_origin_session(target, options.origin);
    auto spill = std::make_shared<stream_spill>(options.spill_dir);
    pipeline pipelined(std::move(target), options.pipeline_window);
    applier opened(std::move(pipelined), std::move(options), applied_position{applied, 0});
    opened.durable_ = applied;
    opened.spill_ = std::move(spill);
    co_return opened;
}

asio::awaitable<std::size_t> applier::apply_available(spool::reader& reader) {
    if (broken_) throw error("the applier stopped after an error: open a new one to resume");
    committed_in_call_ = 0;
    try {
        for (;;) {
            std::optional<spool::entry> change;
            if (held_) change.swap(held_);
            else change = reader.next();
            if (!change) break;
            if (!hold_at_.is_zero() && !transaction_.open) {
                pg::lsn commits_at;
                if (const auto* begin_message = std::get_if<cdc::begin_message>(&change->message))
                    commits_at = begin_message->final_lsn;
                else if (const auto* streamed = std::get_if<cdc::stream_commit_message>(&change->message))
                    commits_at = streamed->commit_lsn;
                if (!commits_at.is_zero() && commits_at >= hold_at_) {
                    held_ = std::move(change);
                    break;
                }
            }
            co_await apply(*change);
        }
        if (group_.open && !transaction_.open && !options_.single_transaction) co_await commit_group();
    } catch (...) {
        broken_ = true;
        throw;
    }
    co_return committed_in_call_;
}

asio::awaitable<void> applier::apply(const spool::entry& change) {
    const auto& message = change.message;
    if (stream_block_ && !is_streaming(message)) {
        // A chunk of a streamed transaction: kept until its Stream Commit. A non-transactional
        // message is not part of it.
        const auto* logical = std::get_if<cdc::logical_message>(&message);
        if (logical && !logical->transactional) note(*logical);
        else spill_->add(*stream_block_, streamed_xid_of(message).value_or(*stream_block_), change);
        co_return;
    }
    if (const auto* start = std::get_if<cdc::stream_start_message>(&message)) {
        if (transaction_.open || stream_block_)
            throw error("the spool holds a Stream Start at " + change.lsn.to_string() + " inside another transaction");
        stream_block_ = start->xid;
        co_return;
    }
    if (std::holds_alternative<cdc::stream_stop_message>(message)) {
        stream_block_.reset();
        co_return;
    }
    if (const auto* abort = std::get_if<cdc::stream_abort_message>(&message)) {
        spill_->abort(abort->xid, abort->subxid);
        co_return;
    }
    if (const auto* streamed = std::get_if<cdc::stream_commit_message>(&message)) {
        co_await stream_commit(*streamed);
        co_return;
    }
    if (const auto* begin_message = std::get_if<cdc::begin_message>(&message))
        co_await begin(*begin_message, change.lsn);
    else if (const auto* commit_message = std::get_if<cdc::commit_message>(&message))
        co_await commit(*commit_message);
    else if (const auto* relation = std::get_if<cdc::relation_message>(&message)) {
        if (pending_count_ > 0) co_await send_pending(relation->relid);  // held rows use the old shape
        remember(*relation);
    } else if (const auto* truncate = std::get_if<cdc::truncate_message>(&message)) {
        if (pending_count_ > 0) co_await send_pending(std::nullopt);
        co_await apply_truncate(*truncate, change.lsn);
    }
    else if (const auto* logical = std::get_if<cdc::logical_message>(&message))
        note(*logical);
    else if (!std::holds_alternative<cdc::type_message>(message) &&
             !std::holds_alternative<cdc::origin_message>(message))
        co_await apply_row(message, change.lsn);
}

asio::awaitable<void> applier::stream_commit(const cdc::stream_commit_message& streamed) {
    if (transaction_.open)
        throw error("the spool holds the commit of streamed transaction " + std::to_string(streamed.xid) +
                    " inside another transaction");
    // The transaction is replayed whole, in its own target transaction (it outgrew the
    // source's logical_decoding_work_mem), at its place in commit order.
    auto replay = spill_->take(streamed.xid);
    const cdc::begin_message begin_message{streamed.commit_lsn, streamed.commit_time, streamed.xid};
    const pg::lsn no_lsn;
    co_await begin(begin_message, no_lsn, true);
    const bool skipped = transaction_.skipped;  // its rows are skipped, its Relation messages still count
    while (auto change = replay.next()) co_await apply(*change);
    const cdc::commit_message commit_message{streamed.flags, streamed.commit_lsn, streamed.end_lsn,
                                             streamed.commit_time};
    co_await commit(commit_message);
    if (!skipped) ++counters_.streamed_transactions;
}

asio::awaitable<void> applier::begin(const cdc::begin_message& begin_message, pg::lsn lsn, bool big) {
    if (transaction_.open)
        throw error("the spool holds a transaction that begins at " + lsn.to_string() +
                    " before the previous one ends");
    // A transaction whose commit record starts before the applied end LSN is on the target already.
    transaction_ = {true, begin_message.final_lsn < applied_.end_lsn, false, std::nullopt};
    transaction_commit_ = begin_message.final_lsn;
    if (transaction_.skipped) co_return;
    // The Begin carries the LSN of the transaction's first change: the WAL up to its commit
    // tells a big transaction before its changes are read.
    transaction_.big = big || (!lsn.is_zero() && lsn < begin_message.final_lsn &&
                               begin_message.final_lsn.value() - lsn.value() >= options_.big_transaction_bytes);
    if (group_.open && transaction_.big && !options_.single_transaction) co_await commit_group();
    if (!group_.open) begin_group();
}

asio::awaitable<void> applier::commit(const cdc::commit_message& commit_message) {
    require_transaction("a Commit");
    transaction_.open = false;
    if (transaction_.skipped) co_return;
    ++group_.transactions;
    group_.last = {commit_message.end_lsn, commit_message.commit_time};
    if (transaction_.marker) group_.marker = applied_marker{group_.last, std::move(*transaction_.marker)};
    if (options_.single_transaction) co_return;
    if (transaction_.big || group_.transactions >= options_.group_transactions ||
        std::chrono::steady_clock::now() - group_.started >= options_.group_time)
        co_await commit_group();
}

void applier::remember(const cdc::relation_message& relation) {
    auto [known, added] = relations_.try_emplace(relation.relid);
    if (!added && known->second.message == relation) return;
    known->second = {relation, ++generations_, std::nullopt};
    if (options_.owns) known->second.owned = options_.owns(relation_schema(relation), relation.name);
}

void applier::note(const cdc::logical_message& message) {
    if (!message.transactional || message.prefix != marker_prefix || !transaction_.open || transaction_.skipped)
        return;
    transaction_.marker = message.content;
}

asio::awaitable<void> applier::apply_row(const cdc::message& change, pg::lsn lsn) {
    require_transaction("a row change");
    if (transaction_.skipped) co_return;
    const auto relid = relid_of(change);
    if (auto found = relations_.find(relid);
        found != relations_.end() && (!found->second.owned || copied_after_commit(found->second.message)))
        co_return;
    const auto* known = co_await bind(relid);
    if (known->collapsible && options_.collapse_updates) {
        // The row's key: from the old key tuple when the key changed (then no merging), else
        // from the new tuple's key columns (unknown when one of them is an unchanged TOAST value).
        std::optional<std::string> key;
        const cdc::tuple_data* tuple = nullptr;
        bool key_changes = false;
        if (const auto* update = std::get_if<cdc::update_message>(&change)) {
            key_changes = update->old_kind != 0;
            tuple = key_changes ? &update->old_tuple : &update->new_tuple;
        } else if (const auto* remove = std::get_if<cdc::delete_message>(&change)) {
            tuple = &remove->old_tuple;
        }
        if (tuple) {
            std::string text;
            bool known_key = true;
            for (std::size_t c = 0; c < known->message.columns.size() && c < tuple->size(); ++c) {
                if (!known->message.columns[c].key) continue;
                const auto& v = (*tuple)[c];
                if (v.kind == cdc::column_kind::unchanged_toast) known_key = false;
                text += std::to_string(static_cast<int>(v.kind)) + ":" + std::to_string(v.data.size()) + ":" + v.data;
            }
            if (known_key) key = std::move(text);
        }
        auto& held = pending_[relid];
        const auto found = key ? held.find(*key) : held.end();
        const auto* update = std::get_if<cdc::update_message>(&change);
        if (update && !key_changes && key) {
            if (found != held.end()) {
                // Merge: the later values, except where the later change left a TOASTed value
                // out and the earlier one had it.
                auto& merged = found->second.message;
                for (std::size_t c = 0; c < update->new_tuple.size() && c < merged.new_tuple.size(); ++c)
                    if (update->new_tuple[c].kind != cdc::column_kind::unchanged_toast)
                        merged.new_tuple[c] = update->new_tuple[c];
                co_return;
            }
            held.emplace(*key, pending_update{*update, lsn});
            if (++pending_count_ >= options_.collapse_limit) co_await send_pending(std::nullopt);
            co_return;
        }
        if (found != held.end()) {
            // Something else touches a held row: a DELETE makes the held UPDATE moot; before a
            // key change, the held values go first.
            if (!std::holds_alternative<cdc::delete_message>(change)) {
                const cdc::message held_change(std::move(found->second.message));
                co_await send_row(*known, held_change, found->second.lsn);
            }
            held.erase(found);
            --pending_count_;
        }
    }
    co_await send_row(*known, change, lsn);
}

asio::awaitable<void> applier::send_pending(std::optional<std::uint32_t> relid) {
    for (auto& [table, held] : pending_) {
        if (relid && table != *relid) continue;
        if (held.empty()) continue;
        const auto* known = co_await bind(table);
        for (auto& [key, update] : held) {
            const cdc::message held_change(std::move(update.message));
            co_await send_row(*known, held_change, update.lsn);
        }
        pending_count_ -= held.size();
        held.clear();
    }
}

asio::awaitable<void> applier::send_row(const known_relation& known_ref, const cdc::message& change, pg::lsn lsn) {
    const auto* known = &known_ref;
    const auto& table = *known->bound;
    auto planned = plan_for(table, change);
    if (const auto* problem = std::get_if<std::string>(&planned))
        throw error("cannot apply the source change at " + lsn.to_string() + ": " + *problem);
    const auto& plan = std::get<planned_change>(planned);
    if (plan.shape.verb == statement_verb::update && plan.shape.writes_nothing()) co_return;
    const auto& statement = statement_for(known->generation, table, plan.shape);
    target_.execute(statement.name, plan.values, {&statement.label, lsn, plan.shape.verb != statement_verb::insert});
    if (plan.shape.verb == statement_verb::insert) ++counters_.inserts;
    else if (plan.shape.verb == statement_verb::remove) ++counters_.deletes;
    else ++counters_.updates;
    co_await target_.pace();
}

asio::awaitable<void> applier::apply_truncate(const cdc::truncate_message& truncate, pg::lsn lsn) {
    require_transaction("a TRUNCATE");
    if (transaction_.skipped) co_return;
    std::vector<const bound_table*> tables;
    std::string names;
    for (const auto relid : truncate.relids) {
        if (auto found = relations_.find(relid);
            found != relations_.end() && (!found->second.owned || copied_after_commit(found->second.message)))
            continue;
        const auto* known = co_await bind(relid);
        tables.push_back(&*known->bound);
        names += (names.empty() ? "" : ", ") + known->bound->display_name;
    }
    if (tables.empty()) co_return;
    truncate_labels_.push_back("TRUNCATE of " + names);
    target_.execute_sql(truncate_sql(tables, truncate.restart_identity, truncate.cascade), {},
                        {&truncate_labels_.back(), lsn, false});
    ++counters_.truncates;
    co_await target_.pace();
}

void applier::copied_at(const std::string& schema, const std::string& name, pg::lsn consistent_point) {
    copied_at_[schema + '\x1f' + name] = consistent_point;
    // Bound again at its next change: its indexes may have been built since (see bind()).
    for (auto& [relid, known] : relations_)
        if (known.message.name == name && relation_schema(known.message) == schema) known.bound.reset();
}

bool applier::copied_after_commit(const cdc::relation_message& relation) const {
    if (copied_at_.empty()) return false;
    auto found = copied_at_.find(relation_schema(relation) + '\x1f' + relation.name);
    return found != copied_at_.end() && transaction_commit_ < found->second;
}

asio::awaitable<const applier::known_relation*> applier::bind(std::uint32_t relid) {
    auto found = relations_.find(relid);
    if (found == relations_.end())
        throw error("a change for the table with OID " + std::to_string(relid) +
                    " came before any Relation message describing it");
    if (found->second.bound) co_return &found->second;
    const auto relation = found->second.message;
    const auto name = relation_display_name(relation);
    auto target = co_await load_target_table(target_, relation_schema(relation), relation.name);
    if (!target)
        throw error("table " + name + " does not exist on the target", "create it as it is on the source, then resume");
    auto bound = bind_relation(relation, *target);
    if (const auto* differences = std::get_if<std::string>(&bound))
        throw error("table " + name + " on the source no longer matches the target: " + *differences,
                    "make the target table match the source (the same ALTER TABLE), then resume");
    // UPDATEs of one row may be merged only where no unique or exclusion constraint other than
    // the key could see the order of row versions, and where the key is a real key.
    bool keyed = false, full = true;  // some column is a key column; every column is (REPLICA IDENTITY FULL)
    for (const auto& c : relation.columns) {
        if (c.key) keyed = true;
        else full = false;
    }
    bool collapsible = false;
    const auto& b = std::get<bound_table>(bound);
    if (keyed && !full && !b.partitioned && !b.identity_always) {
        std::vector<std::string> params{relation_schema(relation), relation.name};
        auto constraints = co_await target_.query(
            "SELECT count(*) FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND c.relname = $2 AND (i.indisunique OR i.indisexclusion)",
            params);
        collapsible = constraints.rows() == 1 && constraints.text(0, 0) == "1";
    }
    auto& known = relations_.at(relid);
    known.bound = std::move(std::get<bound_table>(bound));
    known.collapsible = collapsible;
    co_return &known;
}

const applier::prepared_statement& applier::statement_for(std::uint64_t generation, const bound_table& table,
                                                          const change_shape& shape) {
    auto [statement, added] = statements_.try_emplace(std::to_string(generation) + ":" + shape.key());
    if (!added) return statement->second;
    auto& prepared = statement->second;
    prepared.name = "pghandoff_" + std::to_string(++statements_named_);
    prepared.label = statement_label(table, shape);
    const auto sql = statement_sql(table, shape);
    prepared.preparing = "preparing the " + prepared.label + ": " + sql;
    target_.prepare(prepared.name, sql, &prepared.preparing);
    return prepared;
}

void applier::begin_group() {
    // Between target transactions nothing awaits a result: the statement names can go.
    if (statements_.size() >= options_.prepared_statement_limit && target_.awaiting() == 0) {
        target_.execute_sql("DEALLOCATE ALL", {}, {&deallocate_label, {}, false});
        statements_.clear();
    }
    target_.execute_sql("BEGIN", {}, {&begin_label, {}, false});
    group_ = {true, 0, std::chrono::steady_clock::now(), {}, std::nullopt};
}

asio::awaitable<void> applier::commit_group() {
    co_await send_pending(std::nullopt);
    // Every change's result is checked (one row found) before the COMMIT goes out.
    co_await target_.sync();
    if (!options_.origin.empty()) {
        const auto origin = origin_xact_setup_parameters(group_.last.end_lsn, group_.last.commit_time);
        const std::vector<const char*> values{origin[0].c_str(), origin[1].c_str()};
        target_.execute_sql(origin_xact_setup_sql, values, {&origin_label, {}, false});
    }
    target_.execute_sql("COMMIT", {}, {&commit_label, {}, false});
    co_await target_.sync();
    applied_ = group_.last;
    if (group_.marker) last_marker_ = std::move(group_.marker);
    counters_.source_transactions += group_.transactions;
    ++counters_.target_transactions;
    committed_in_call_ += group_.transactions;
    group_ = {};
    truncate_labels_.clear();
}

asio::awaitable<void> applier::finish(std::string extra_sql) {
    if (broken_) throw error("the applier stopped after an error: open a new one to resume");
    if (transaction_.open) throw error("finish() called inside a source transaction");
    if (!group_.open) begin_group();
    try {
        co_await send_pending(std::nullopt);
        co_await target_.sync();
        const std::string label = "the catch-up's bookkeeping";
        if (!extra_sql.empty()) target_.execute_sql(extra_sql, {}, {&label, {}, false});
        target_.execute_sql("COMMIT", {}, {&commit_label, {}, false});
        co_await target_.sync();
    } catch (...) {
        broken_ = true;
        throw;
    }
    if (!group_.last.end_lsn.is_zero()) applied_ = group_.last;
    counters_.source_transactions += group_.transactions;
    ++counters_.target_transactions;
    group_ = {};
    truncate_labels_.clear();
}

asio::awaitable<pg::lsn> applier::durable_position() {
    if (broken_) throw error("the applier stopped after an error: open a new one to resume");
    // Inside a target transaction (the spool holds only part of a source transaction) the
    // last answer stands.
    if (transaction_.open || group_.open) co_return durable_;
    std::vector<std::string> none;
    auto rows = co_await target_.query("SELECT pg_catalog.pg_replication_origin_session_progress(true)::text", none);
    if (rows.rows() > 0 && !rows.is_null(0, 0)) {
        const auto durable = pg::lsn::parse(rows.get(0, 0)).value_or(pg::lsn{});
        if (durable > durable_) durable_ = durable;
    }
    co_return durable_;
}

asio::awaitable<pg::lsn> applier::make_durable() {
    if (broken_) throw error("the applier stopped after an error: open a new one to resume");
    if (transaction_.open || group_.open) throw error("make_durable() called inside a target transaction");
    if (!options_.synchronous_commit) {
        // A commit flushed to disk flushes the WAL before it: every earlier commit with it.
        // txid_current() makes the transaction write a commit record.
        std::vector<std::string> none;
        co_await target_.query("SET synchronous_commit = on", none);
        co_await target_.query("BEGIN", none);
        co_await target_.query("SELECT pg_catalog.txid_current()", none);
        co_await target_.query("COMMIT", none);
        co_await target_.query("SET synchronous_commit = off", none);
    }
    if (applied_.end_lsn > durable_) durable_ = applied_.end_lsn;
    co_return applied_.end_lsn;
}

void applier::require_transaction(const char* what) const {
    if (!transaction_.open) throw error(std::string("the spool holds ") + what + " outside a transaction");
}

}  // namespace pghandoff::apply
