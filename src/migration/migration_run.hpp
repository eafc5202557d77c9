#pragma once
// The state of one migration run, shared by its phases: offline_migration.cpp (preflight,
// snapshot, schema, copy and post-data jobs) and online_phases.cpp (capture and apply).
// Internal to src/migration.
#include "migration/offline_migration.hpp"
#include <sys/stat.h>
#include <unistd.h>
#include <cstdio>
#include <functional>
#include <iostream>
#include <deque>
#include <map>
#include <random>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include "catalog/compression_probe.hpp"
#include "catalog/large_objects.hpp"
#include "catalog/table_catalog.hpp"
#include "apply/apply_group.hpp"
#include "migration/apply_assignment.hpp"
#include "cdc/publication.hpp"
#include "cdc/replication_stream.hpp"
#include "migration/change_capture.hpp"
#include "migration/chunk_copy.hpp"
#include "migration/follow.hpp"
#include "migration/database_objects.hpp"
#include "migration/job_runner.hpp"
#include "migration/preflight.hpp"
#include "migration/progress_board.hpp"
#include "migration/progress_store.hpp"
#include "migration/sessions.hpp"
#include "migration/snapshot.hpp"
#include "pg/copy_relay.hpp"
#include "pg/quote.hpp"
#include "pg/replication.hpp"
#include "schema/post_data_plan.hpp"
#include "spool/writer.hpp"
#include "schema/role_filter.hpp"
#include "util/error.hpp"
#include "util/state_dir.hpp"
#include "cutover/control.hpp"
#include "cutover/fence.hpp"
#include <nlohmann/json.hpp>

namespace pghandoff::migration {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using asio::awaitable;

inline std::string random_suffix() {
    std::random_device rd;
    return fmt::format("{:08x}", rd());
}

/// The state of one run, shared by the orchestration and the jobs.
/// One run of `pghandoff migrate`.
class migration_run {
public:
    migration_run(const migrate_options& options, asio::io_context& io)
        : options_(options), io_(io), progress_timer_(io), runner_(io) {}

    awaitable<void> run();

private:
    awaitable<void> prepare_schema(preflight_report& report);
    awaitable<void> load_catalog();
    void build_jobs();
    awaitable<void> run_jobs();
    awaitable<void> show_progress();

    awaitable<void> copy_chunk(worker& w, copy::copy_chunk chunk);
    /// A table copied whole is analyzed in its copy's transaction, unless its statistics need
    /// the post-data (an expression index, extended statistics).
    bool analyze_with_copy(const catalog::table_info& table, const copy::copy_chunk& chunk) const;
    static std::string analyze_step_key(const std::string& table_key);
    awaitable<void> run_step(worker& w, std::string key, std::string sql, std::string what);
    awaitable<void> copy_large_objects(worker& w, std::vector<catalog::large_object> objects);
    awaitable<void> refresh_matviews(worker& w);
    awaitable<void> set_sequences(worker& w);

    job_graph::job_id add_job(std::string name, int priority, std::vector<table_claim> claims, job_body body) {
        return runner_.add(std::move(name), priority, std::move(claims), std::move(body));
    }

    const migrate_options& options_;
    asio::io_context& io_;
    asio::steady_timer progress_timer_;
    job_runner runner_;
    job_graph& graph_ = runner_.graph();
    std::size_t chunks_left_ = 0;
    source_snapshot snapshot_;
    std::string encoding_;
    std::optional<stored_progress> progress_;
    std::set<std::string> done_steps_;
    std::set<std::string> missing_roles_;

    std::map<std::string, catalog::table_info> tables_;  // by quoted qualified name
    std::vector<copy::copy_chunk> chunks_;
    std::vector<bool> chunk_done_;
    std::map<job_graph::job_id, std::size_t> copy_chunk_index_;  ///< copy job -> chunks_ index
    schema::post_data_plan post_data_;
    std::vector<catalog::large_object> large_objects_;
    std::vector<catalog::qualified_name> matviews_;
    /// Columns loaded as EXTERNAL, by table (quoted name), to set back to EXTENDED.
    std::map<std::string, std::vector<catalog::incompressible_column>> loaded_external_;

    progress_board board_;
    bool copying_ = true;

    // Online mode.
    awaitable<void> create_capture_objects(const preflight_report& report);
    awaitable<void> start_capture(pg::connection replication, pg::lsn start);
    /// Streams and applies until a stop or the cutover. `during_copy`: started while the copy
    /// runs, applying each table once its rows and indexes are in (ready_queue_).
    awaitable<void> follow_changes(bool during_copy = false);
    awaitable<void> apply_changes(pg::connection target);
    /// Applies, in one target transaction per apply connection, the changes the connection
    /// skipped for these tables while they were copied (every transaction it has applied), and
    /// records them ready: from then on the connection applies their changes itself.
    awaitable<void> catch_up_tables(apply::apply_group& group, const apply_assignment& assignment,
                                    std::vector<catalog::qualified_name> tables);
    void start_apply_during_copy();
    awaitable<void> mark_ready(worker& w, std::string table_key);
    awaitable<void> wait_for_apply();
    std::deque<std::string> ready_queue_;  ///< tables_ keys whose rows and indexes are in, not yet caught up
    bool apply_finished_ = false;
    std::size_t tables_pending_ = 0;  ///< tables the apply has not taken on yet
    std::exception_ptr apply_failure_;
    bool copy_complete() const { return done_steps_.count("copy complete") > 0; }
    std::string slot_name_;
    std::string publication_name_;
    std::unique_ptr<cdc::replication_stream> stream_;
    /// Streams of dropped connections: kept until the run ends, since their status loops may
    /// still be winding down.
    std::vector<std::unique_ptr<cdc::replication_stream>> dropped_streams_;
    std::optional<spool::writer> spool_;
    std::unique_ptr<change_capture> capture_;
    std::vector<std::unique_ptr<change_capture>> dropped_captures_;
    bool capture_stopping_ = false;
    bool progress_recorded_ = false;  ///< the target holds this run's bookkeeping: a rerun resumes
    awaitable<void> capture_once(pg::connection replication, pg::lsn start);
    awaitable<void> restart_unfinished_tables();
    /// The step recording that a table was copied again from a snapshot at `lsn`.
    static std::string copied_at_key(const catalog::qualified_name& table, pg::lsn lsn) {
        return std::string("copied-at\x1f") + table.schema + '\x1f' + table.name + '\x1f' + lsn.to_string();
    }
    int sessions_opened_ = 0;
    bool capture_objects_created_ = false;
    std::exception_ptr capture_failure_;
    bool capture_running_ = false;

    // Status and cutover (cutover_phase.cpp).
    std::string phase_ = "preflight";
    std::string last_error_;
    std::uint64_t lag_bytes_ = 0;
    double lag_seconds_ = 0;
    bool apply_pending_ = true;   ///< spooled transactions wait to be applied
    bool caught_up_once_ = false;
    pg::lsn applied_lsn_;
    std::uint64_t applied_transactions_ = 0;
    std::unique_ptr<cutover::control_server> control_;
    clock::time_point run_started_ = clock::now();
    awaitable<void> status_loop();
    void write_status();
    bool status_warned_ = false;
    nlohmann::json status_json() const;
    void start_control();
    awaitable<void> on_control_request(nlohmann::json request, std::shared_ptr<cutover::control_session> session);
    /// Lowers a fence that a run which died mid-cutover left on the source.
    awaitable<void> lower_leftover_fence();
    /// Lag figures and cutover triggers, after each pass of the apply loop.
    void after_apply_pass(const apply::apply_group& applier);
    awaitable<void> sleep_for(std::chrono::milliseconds d);

    enum class cutover_state : std::uint8_t { idle, requested, running, succeeded };
    cutover_state cutover_state_ = cutover_state::idle;
    std::string cutover_trigger_;
    bool automatic_cutover_off_ = false;  ///< after a failed automatic or scheduled attempt
    int cutover_attempt_ = 0;
    int cutover_watchers_ = 0;  ///< `pghandoff cutover` clients following the attempt
    std::vector<nlohmann::json> cutover_events_;  ///< of the current attempt, for `pghandoff cutover`
    std::string awaited_marker_;
    bool marker_durable_ = false;
    struct timed_step {
        std::string name;
        double seconds = 0;
        bool in_downtime = false;
        std::string detail;
    };
    std::vector<timed_step> cutover_steps_;
    double downtime_seconds_ = 0;
    std::string cutover_started_at_;
    /// Runs verify on a thread of its own (the event loop goes on) and returns its JSON result,
    /// after logging its summary.
    awaitable<nlohmann::json> verify_now(std::optional<std::string> target_snapshot);
    std::optional<pg::connection> verify_snapshot_holder_;  ///< keeps the cutover's target snapshot
    std::optional<std::string> verify_snapshot_;
    // Verify while streaming: apply held at a source snapshot's consistent point.
    pg::lsn hold_lsn_;
    bool hold_reached_ = false;
    std::uint64_t apply_passes_ = 0;
    awaitable<void> serve_snapshot_at(pg::lsn consistent_point, std::shared_ptr<cutover::control_session> session);
    awaitable<void> cutover();
    awaitable<void> wait_caught_up(pg::connection& source);
    awaitable<void> finish_cutover();
    void cutover_event(nlohmann::json event);
    void cutover_step(std::string name, clock::time_point started, bool in_downtime, std::string detail = {});

public:
    /// After a failed first run of an online migration that had not finished its copy, the slot
    /// and publication it created, to drop so that nothing is left behind on the source.
    std::optional<std::pair<std::string, std::string>> capture_objects_to_drop() const {
        if (!capture_objects_created_ || progress_recorded_) return std::nullopt;
        return std::make_pair(slot_name_, publication_name_);
    }
};
}  // namespace pghandoff::migration
