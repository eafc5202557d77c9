#include "migration/migration_run.hpp"

#include <functional>

#include "migration/apply_assignment.hpp"

#include <csignal>

namespace pghandoff::migration {

awaitable<void> migration_run::create_capture_objects(const preflight_report& report) {
    const std::string suffix = random_suffix();
    slot_name_ = "pghandoff_" + suffix;
    publication_name_ = "pghandoff_" + suffix;
    auto admin = co_await pg::connection::connect(options_.source.with("application_name", "pghandoff"), "source");
    auto tables = co_await catalog::load_tables(admin, options_.selection);
    std::vector<catalog::qualified_name> names;
    for (const auto& t : tables) names.push_back(t.name);
    co_await create_publication_for(admin, publication_name_, names, report.identity_full_tables);
    capture_objects_created_ = true;
    snapshot_ = co_await take_slot_snapshot(options_.source, slot_name_, false);
    spdlog::info("publication {} and slot {} created; copying the snapshot at {}", publication_name_, slot_name_,
                 snapshot_.consistent_point->to_string());
}

awaitable<void> migration_run::follow_changes() {
    board_.phase_started("streaming");
    phase_ = "catchup";
    co_await lower_leftover_fence();
    auto executor = co_await asio::this_coro::executor;
    if (!capture_running_) {
        // Resuming: stream again from what the spool durably holds (the slot never went past it).
        auto replication = co_await pg::connection::connect(streaming_conninfo(options_.source), "source (replication)");
        asio::co_spawn(executor, start_capture(std::move(replication), pg::lsn{}),
                       [this](std::exception_ptr e) { if (e) capture_failure_ = e; });
    }
    auto target = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
    if (!done_steps_.count("triggers suspended")) {
        std::vector<catalog::qualified_name> tables;
        for (const auto& [key, t] : tables_) tables.push_back(t.name);
        if (tables.empty()) {
            auto list = co_await catalog::load_tables(target, options_.selection);
            for (const auto& t : list) tables.push_back(t.name);
        }
        auto suspended = co_await suspend_replica_triggers(target, tables);
        co_await target.exec(step_done_sql("triggers suspended"));
        if (suspended) spdlog::info("{} ENABLE ALWAYS/REPLICA triggers disabled on the target until the cutover", suspended);
    }
    co_await apply_changes(std::move(target));
    board_.phase_finished("streaming");
    if (cutover_state_ == cutover_state::succeeded) co_await finish_cutover();
}

awaitable<void> migration_run::apply_changes(pg::connection target) {
    auto executor = co_await asio::this_coro::executor;
    // The stream's text comes in the source database's encoding: read it as such.
    const std::string encoding_sql = "SET client_encoding = " + pg::quote_literal(encoding_);
    co_await target.exec(encoding_sql);
    // How many apply connections, and which tables each applies: fixed by the first apply and
    // kept on the target, since each connection's origin records progress over its own tables.
    auto assignment = assignment_from_steps(done_steps_);
    if (!assignment) {
        std::size_t connections = static_cast<std::size_t>(std::max(options_.apply_jobs, 1));
        std::vector<std::optional<std::string>> origin_name{slot_name_};
        auto earlier = co_await target.exec_params(
            "SELECT count(*) FROM pg_catalog.pg_replication_origin WHERE roname = $1", origin_name);
        if (earlier.text(0, 0) != "0") connections = 1;  // applied by a run that kept no assignment
        // Each connection's origin keeps its progress in one of the target's replication state
        // slots (max_replication_slots), which other origins and subscriptions may hold.
        try {
            auto free = co_await target.exec(
                "SELECT pg_catalog.current_setting('max_replication_slots')::int - "
                "(SELECT count(*) FROM pg_catalog.pg_replication_origin_status), "
                "pg_catalog.current_setting('max_replication_slots')");
            const long room = std::stol(free.text(0, 0));
            if (room < static_cast<long>(connections)) {
                spdlog::warn("the target keeps replication progress for {} more origins (max_replication_slots = {}): "
                             "applying on {} connection{} instead of {}; raise max_replication_slots on the target or "
                             "drop unused origins (pg_replication_origin_drop) for more",
                             std::max(room, 0L), free.text(0, 1), std::max(room, 1L), room > 1 ? "s" : "", connections);
                connections = static_cast<std::size_t>(std::max(room, 1L));
            }
        } catch (const error&) {
            // pg_replication_origin_status is for superusers: without it, try as asked
        }
        auto tables = co_await load_assignable_tables(target, options_.selection);
        assignment = assign_tables(tables, connections);
        std::string sql = "BEGIN;\n";
        for (const auto& key : assignment_step_keys(*assignment)) {
            sql += step_done_sql(key) + ";\n";
            done_steps_.insert(key);
        }
        co_await target.exec(sql + "COMMIT");
    } else if (options_.apply_jobs != static_cast<int>(assignment->connections)) {
        spdlog::info("applying on {} connections, as this migration's first apply did (--apply-jobs {} is for a new migration)",
                     assignment->connections, options_.apply_jobs);
    }
    std::vector<pg::connection> connections;
    connections.push_back(std::move(target));
    for (std::size_t k = 1; k < assignment->connections; ++k) {
        auto more = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
        co_await more.exec(encoding_sql);
        connections.push_back(std::move(more));
    }
    apply::apply_options apply_options;  // a named object: GCC 12 mishandles temporaries in co_await operands
    apply_options.spill_dir = options_.state_dir / "apply-spill";
    apply_options.origin = slot_name_;  // one origin per migration (and per apply connection)
    const apply_assignment assigned = *assignment;
    std::function<std::size_t(const std::string&, const std::string&)> assign =
        [assigned](const std::string& schema, const std::string& name) { return assigned.of(schema, name); };
    auto applier = co_await apply::apply_group::open(std::move(connections), apply_options, assign);
    std::map<std::pair<std::string, std::string>, pg::lsn> copied_at;  // the latest copy of each table counts
    for (const auto& key : done_steps_) {
        if (!key.starts_with("copied-at\x1f")) continue;
        auto a = key.find('\x1f'), b = key.find('\x1f', a + 1), c = key.find('\x1f', b + 1);
        if (c == std::string::npos) continue;
        auto lsn = pg::lsn::parse(key.substr(c + 1));
        auto& at = copied_at[{key.substr(a + 1, b - a - 1), key.substr(b + 1, c - b - 1)}];
        if (lsn && *lsn > at) at = *lsn;
    }
    for (const auto& [table, lsn] : copied_at) applier.copied_at(table.first, table.second, lsn);
    asio::steady_timer pause(executor);
    auto sleep = [&](std::chrono::milliseconds d) -> awaitable<void> {
        pause.expires_after(d);
        boost::system::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    };
    while (!spool_ && !capture_failure_) co_await sleep(std::chrono::milliseconds(20));  // the writer repairs first
    if (capture_failure_) std::rethrow_exception(capture_failure_);
    applier.read_from(options_.state_dir / "spool");
    spdlog::info("applying changes on the target from {} on {} connection{}", applier.applied().to_string(),
                 applier.size(), applier.size() == 1 ? "" : "s");

    bool stopping = false;
    asio::signal_set signals(executor, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec) return;
        stopping = true;
        pause.cancel();
    });
    auto last_report = clock::now();
    auto last_release = clock::now();
    // A stop request waits for a running cutover attempt to end (it may have fenced the source).
    while (!(stopping && cutover_state_ != cutover_state::running)) {
        if (capture_failure_) std::rethrow_exception(capture_failure_);
        applier.hold_at(hold_lsn_);
        const auto applied_now = co_await applier.apply_available();
        ++apply_passes_;
        hold_reached_ = !hold_lsn_.is_zero() && applier.holding_or_at(spool_->last_commit_end());
        if (!awaited_marker_.empty() && !marker_durable_ && applier.last_marker() &&
            applier.last_marker()->content == awaited_marker_) {
            co_await applier.make_durable();
            marker_durable_ = true;
        }
        after_apply_pass(applier);
        if (cutover_state_ == cutover_state::requested && !stopping) {
            cutover_state_ = cutover_state::running;
            asio::co_spawn(executor, cutover(), asio::detached);
        }
        if (cutover_state_ == cutover_state::succeeded) break;
        if (clock::now() - last_release >= std::chrono::seconds(1)) {
            last_release = clock::now();
            // Commits on the target are asynchronous: only what its WAL holds on disk goes.
            const pg::lsn durable = co_await applier.durable_position();
            spool_->release_through(durable);
        }
        if (clock::now() - last_report >= std::chrono::seconds(10)) {
            last_report = clock::now();
            spdlog::info("{}: applied {} ({} source transactions), lag {} and {:.1f}s, spool {}", phase_,
                         applied_lsn_.to_string(), applied_transactions_, human_bytes(static_cast<double>(lag_bytes_)),
                         lag_seconds_, human_bytes(static_cast<double>(spool_->bytes_on_disk())));
        }
        if (applied_now == 0)
            co_await sleep(std::chrono::milliseconds(cutover_state_ == cutover_state::running ? 1 : 20));
    }
    signals.cancel();
    if (cutover_state_ != cutover_state::succeeded)
        spdlog::info("stopping: applied up to {}; rerun the same command to resume", applier.applied().to_string());
    // End the capture and wait for it, so that nothing of it outlives this run.
    capture_stopping_ = true;
    if (capture_) capture_->stop();
    if (stream_) {
        stream_->end_status_loop();
        stream_->connection().interrupt();
    }
    while (capture_running_) co_await sleep(std::chrono::milliseconds(10));
}

awaitable<void> migration_run::capture_once(pg::connection replication, pg::lsn start) {
    if (stream_) {
        stream_->end_status_loop();
        dropped_streams_.push_back(std::move(stream_));
        dropped_captures_.push_back(std::move(capture_));
    }
    stream_ = std::make_unique<cdc::replication_stream>(std::move(replication));
    // The server skips every transaction that committed before `start`: none is spooled twice.
    if (spool_->durable_lsn() > start) start = spool_->durable_lsn();
    cdc::stream_options stream_options{slot_name_, {publication_name_}, start, stream_->connection().server_version()};
    co_await stream_->start(stream_options);
    capture_options capture_opts;
    capture_opts.spool_limit_bytes = options_.spool_limit_bytes;
    capture_ = std::make_unique<change_capture>(*stream_, *spool_, capture_opts);
    spdlog::info("streaming changes from slot {} at {} into {}", slot_name_, start.to_string(),
                 (options_.state_dir / "spool").string());
    co_await capture_->run();
}

awaitable<void> migration_run::start_capture(pg::connection replication, pg::lsn start) {
    capture_running_ = true;
    struct running {
        migration_run& run;
        ~running() {
            run.capture_running_ = false;
            if (run.stream_) run.stream_->end_status_loop();
        }
    } guard{*this};
    spool_.emplace(options_.state_dir / "spool");
    asio::steady_timer pause(co_await asio::this_coro::executor);
    std::optional<pg::connection> next(std::move(replication));
    int failures = 0;
    // A dropped connection or a source restart: reconnect with backoff (1 s doubling to 30 s),
    // from what the spool durably holds. Ten failures in a row without progress end the run.
    for (;;) {
        const pg::lsn before = spool_->durable_lsn();
        std::string why;
        try {
            if (!next) next.emplace(co_await pg::connection::connect(streaming_conninfo(options_.source), "source (replication)"));
            pg::connection conn = std::move(*next);
            next.reset();
            co_await capture_once(std::move(conn), start);
            why = "the source ended the replication stream";
        } catch (const error& e) {
            if (capture_stopping_) throw;
            if (e.sqlstate() == "42704")  // undefined object: the slot is gone
                throw error("replication slot " + slot_name_ + " is gone from the source, and with it the changes "
                            "not yet spooled",
                            "start the migration over with --drop-if-exists");
            why = pg::mask_passwords(e.what());
        } catch (const std::exception& e) {
            if (capture_stopping_) throw;
            why = pg::mask_passwords(e.what());
        }
        if (capture_stopping_) co_return;
        failures = spool_->durable_lsn() > before ? 1 : failures + 1;
        if (failures > 10) throw error("streaming from the source keeps failing: " + why);
        const auto delay = std::chrono::seconds(std::min(30, 1 << std::min(failures - 1, 5)));
        spdlog::warn("{}; reconnecting in {}s", why, delay.count());
        pause.expires_after(delay);
        boost::system::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (capture_stopping_) co_return;
    }
}

}  // namespace pghandoff::migration
