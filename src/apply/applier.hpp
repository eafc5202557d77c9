#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "apply/change_shape.hpp"
#include "apply/pipeline.hpp"
#include "apply/stream_spill.hpp"
#include "apply/table_binding.hpp"
#include "cdc/messages.hpp"
#include "spool/reader.hpp"

namespace pghandoff::apply {

/// The prefix of the logical messages (pg_logical_emit_message) the applier reports as markers.
inline constexpr std::string_view marker_prefix = "pghandoff";

struct apply_options {
    /// The replication origin on the target that records progress (one per cluster: drop it
    /// with pg_replication_origin_drop when the migration is cleaned up).
    std::string origin = "pghandoff";
    /// Source transactions at most per target transaction.
    std::size_t group_transactions = 1000;
    /// A target transaction commits at the first source commit after this much work.
    std::chrono::milliseconds group_time{10};
    /// WAL from a transaction's first change to its commit above which it gets a target
    /// transaction of its own.
    std::uint64_t big_transaction_bytes = 4ull << 20;
    /// Statements sent ahead of their results.
    std::size_t pipeline_window = 1000;
    /// Prepared statements kept; above it, DEALLOCATE ALL between target transactions.
    std::size_t prepared_statement_limit = 10000;
    /// Commit each target transaction with synchronous_commit = on. Off by default, as native
    /// subscriptions do: a target crash may lose the last commits, and the origin's progress
    /// with them, so they are applied again from the spool, which is released only up to
    /// durable_position().
    bool synchronous_commit = false;
    /// Within one target transaction, successive UPDATEs of one row (same key, key unchanged)
    /// become one UPDATE with the last values, sent when the transaction commits or something
    /// else touches the row. Only for tables whose only unique index is their key (no other
    /// unique or exclusion constraint whose checks could depend on the order of row versions).
    bool collapse_updates = true;
    /// Rows held back at most before they are sent anyway.
    std::size_t collapse_limit = 10000;
    /// Where the changes of streamed transactions wait for their Stream Commit (one file per
    /// transaction; emptied when an applier opens). Empty: a private temporary directory.
    std::filesystem::path spill_dir;
    /// The tables (schema, name) whose changes this applier makes; empty: every table. Several
    /// appliers on their own connections and origins share the stream this way (apply_group).
    std::function<bool(const std::string& schema, const std::string& name)> owns;
    /// Everything applied goes into one target transaction, committed by finish() (a table's
    /// catch-up, recorded together with its result). With an empty `origin`, no replication
    /// origin is bound or advanced.
    bool single_transaction = false;
};

/// The last source transaction whose changes are committed on the target.
struct applied_position {
    pg::lsn end_lsn;                    ///< its commit's end LSN: lag in bytes = source WAL position - this
    cdc::pg_timestamp commit_time = 0;  ///< its source commit time (lag in time = now - this); 0 until one is applied
};

/// A transactional logical message with the prefix "pghandoff" (pg_logical_emit_message), once
/// the transaction that carried it is committed on the target.
struct applied_marker {
    applied_position position;
    std::string content;
};

struct apply_counters {
    std::uint64_t source_transactions = 0;
    std::uint64_t target_transactions = 0;
    std::uint64_t inserts = 0;
    std::uint64_t updates = 0;
    std::uint64_t deletes = 0;
    std::uint64_t truncates = 0;
    std::uint64_t streamed_transactions = 0;  ///< of source_transactions: sent in chunks before their commit
};

/// Replays spooled source transactions on the target in commit order, exactly once.
///
/// The session runs with session_replication_role = replica (no ordinary trigger, no foreign
/// key check fires) and search_path ''. Each change becomes a prepared statement per table and
/// shape, sent in pipeline mode. Small source transactions share a target transaction (up to
/// group_transactions of them, or the first commit after group_time), a big one starts its
/// own. Before each COMMIT, pg_replication_origin_xact_setup records the end LSN and time of
/// the group's last source commit, so the origin's progress moves with the data: after a
/// crash at any moment, open() returns where the target is, and a spool::reader from there
/// gives every later transaction once.
///
/// Any error (a failed statement, a change that finds no row, a table that no longer matches
/// the target) throws pghandoff::error naming the table; the applier is then unusable, the
/// open target transaction is lost with the connection, and a new applier resumes.
class applier {
public:
    /// Sets the session up and binds it to the origin (created when missing).
    static boost::asio::awaitable<applier> open(pg::connection target, apply_options options);

    /// Applies the changes the reader has; returns when it has no more (nullopt), after
    /// committing the transactions read whole. A transaction the spool holds only part of
    /// stays open on the target until the next call brings its end. Returns how many source
    /// transactions were committed on the target.
    boost::asio::awaitable<std::size_t> apply_available(spool::reader& reader);

    /// single_transaction: commits everything applied so far together with `extra_sql`.
    boost::asio::awaitable<void> finish(std::string extra_sql);

    /// Holds back every transaction whose commit is at or after `limit` (a snapshot's
    /// consistent point): apply_available() then stops before it, so the target shows exactly
    /// the transactions the snapshot sees that it has received. A zero limit lifts the hold.
    void hold_at(pg::lsn limit) { hold_at_ = limit; }
    /// True when apply_available() stopped at the hold (the next transaction commits after it).
    bool holding() const { return held_.has_value(); }
    /// No target transaction open: every change read so far is committed (or skipped).
    bool idle() const { return !transaction_.open && !group_.open; }
    /// The replication origin this applier advances.
    const std::string& origin() const { return options_.origin; }

    /// End LSN of the last source transaction committed on the target: where a spool::reader
    /// resumes, and what the spool may release.
    pg::lsn applied() const { return applied_.end_lsn; }
    /// End LSN of the last source transaction whose target commit is flushed to the target's
    /// WAL: what the spool may release. Call between apply_available() calls.
    boost::asio::awaitable<pg::lsn> durable_position();
    /// Waits until every transaction committed so far is flushed on the target (a commit with
    /// synchronous_commit = on), then returns applied().
    boost::asio::awaitable<pg::lsn> make_durable();
    /// applied() with the source commit time of that transaction, for lag in seconds.
    const applied_position& progress() const { return applied_; }
    /// The last pghandoff marker committed on the target.
    const std::optional<applied_marker>& last_marker() const { return last_marker_; }
    const apply_counters& counters() const { return counters_; }

    /// The table's rows were copied from a snapshot taken at `consistent_point` (a copy redone
    /// after a restart): changes of transactions that committed before it are in those rows
    /// already and are skipped for that table.
    void copied_at(const std::string& schema, const std::string& name, pg::lsn consistent_point);

private:
    struct known_relation {
        cdc::relation_message message;
        std::uint64_t generation = 0;  ///< new for every new shape of the table: keys its statements
        std::optional<bound_table> bound;
        bool collapsible = false;      ///< its UPDATEs of one row may be merged (see apply_options)
        bool owned = true;             ///< its changes are this applier's (apply_options::owns)
    };
    struct pending_update {
        cdc::update_message message;  ///< the merged change: the first's key, the last's values
        pg::lsn lsn;                   ///< of the first of the merged changes
    };
    /// Sends every held UPDATE (of one table, or of all).
    boost::asio::awaitable<void> send_pending(std::optional<std::uint32_t> relid);
    boost::asio::awaitable<void> send_row(const known_relation& known, const cdc::message& change, pg::lsn lsn);
    std::unordered_map<std::uint32_t, std::unordered_map<std::string, pending_update>> pending_;
    std::size_t pending_count_ = 0;
    struct prepared_statement {
        std::string name;
        std::string label;      ///< e.g. "UPDATE of public.items"
        std::string preparing;  ///< label and SQL, for an error while preparing
    };
    struct group_state {
        bool open = false;
        std::size_t transactions = 0;
        std::chrono::steady_clock::time_point started;
        applied_position last;
        std::optional<applied_marker> marker;
    };
    struct transaction_state {
        bool open = false;
        bool skipped = false;  ///< committed on the target before: the spool gave it again
        bool big = false;
        std::optional<std::string> marker;
    };

    applier(pipeline target, apply_options options, applied_position applied)
        : target_(std::move(target)), options_(std::move(options)), applied_(applied) {}

    boost::asio::awaitable<void> apply(const spool::entry& change);
    boost::asio::awaitable<void> begin(const cdc::begin_message& begin, pg::lsn lsn, bool big = false);
    boost::asio::awaitable<void> stream_commit(const cdc::stream_commit_message& commit);
    boost::asio::awaitable<void> commit(const cdc::commit_message& commit);
    void remember(const cdc::relation_message& relation);
    void note(const cdc::logical_message& message);
    boost::asio::awaitable<void> apply_row(const cdc::message& change, pg::lsn lsn);
    boost::asio::awaitable<void> apply_truncate(const cdc::truncate_message& truncate, pg::lsn lsn);
    boost::asio::awaitable<const known_relation*> bind(std::uint32_t relid);
    const prepared_statement& statement_for(std::uint64_t generation, const bound_table& table,
                                            const change_shape& shape);
    void begin_group();
    boost::asio::awaitable<void> commit_group();
    void require_transaction(const char* what) const;

    pipeline target_;
    apply_options options_;
    applied_position applied_;
    std::optional<applied_marker> last_marker_;
    apply_counters counters_;
    std::unordered_map<std::uint32_t, known_relation> relations_;
    std::uint64_t generations_ = 0;
    std::unordered_map<std::string, prepared_statement> statements_;
    std::uint64_t statements_named_ = 0;
    transaction_state transaction_;
    group_state group_;
    pg::lsn durable_;  ///< the last durable_position() seen
    pg::lsn hold_at_;
    std::optional<spool::entry> held_;  ///< the Begin read from the spool and held back
    std::size_t committed_in_call_ = 0;
    bool broken_ = false;
    std::deque<std::string> truncate_labels_;
    std::unordered_map<std::string, pg::lsn> copied_at_;  ///< schema\x1fname -> snapshot of its copy
    std::shared_ptr<stream_spill> spill_;   ///< changes of streamed transactions until their end
    std::optional<cdc::xid_t> stream_block_;  ///< inside this transaction's Stream Start..Stop
    pg::lsn transaction_commit_;                          ///< commit LSN of the open source transaction
    bool copied_after_commit(const cdc::relation_message& relation) const;  ///< of TRUNCATEs awaiting their results
};

}  // namespace pghandoff::apply
