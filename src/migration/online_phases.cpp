#include "migration/migration_run.hpp"

#include <functional>
#include <optional>
#include <set>

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
    // A table whose rows are left out (--exclude-table-data) gets no changes either.
    for (const auto& t : tables)
        if (options_.selection.copies_rows(t.name)) names.push_back(t.name);
    co_await create_publication_for(admin, publication_name_, names, report.identity_full_tables);
    capture_objects_created_ = true;
    snapshot_ = co_await take_slot_snapshot(options_.source, slot_name_, false);
    spdlog::info("publication {} and slot {} created; copying the snapshot at {}", publication_name_, slot_name_,
                 snapshot_.consistent_point->to_string());
}

awaitable<void> migration_run::follow_changes(bool during_copy) {
    if (!during_copy) {
        board_.phase_started("streaming");
        phase_ = "catchup";
    }
    co_await lower_leftover_fence();
    auto executor = co_await asio::this_coro::executor;
    if (!during_copy && !capture_running_) {
        // Resuming: stream again from what the spool durably holds (the slot never went past it).
        auto replication = co_await pg::connection::connect(streaming_conninfo(options_.source), "source (replication)");
        asio::co_spawn(executor, start_capture(std::move(replication), pg::lsn{}),
                       [this](std::exception_ptr e) { if (e) capture_failure_ = e; });
    }
    auto target = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
    co_await apply_changes(std::move(target));
    board_.phase_finished("streaming");
    if (cutover_state_ == cutover_state::succeeded) co_await finish_cutover();
}

void migration_run::start_apply_during_copy() {
    asio::co_spawn(io_, follow_changes(true), [this](std::exception_ptr e) {
        apply_finished_ = true;
        apply_failure_ = e;
        if (e) runner_.fail(e);
    });
}

awaitable<void> migration_run::wait_for_apply() {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (!apply_finished_) {
        pause.expires_after(std::chrono::milliseconds(20));
        boost::system::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (apply_failure_) std::rethrow_exception(apply_failure_);
}

namespace {

constexpr const char* ready_step = "apply-ready\x1f";

/// "apply-ready" steps: each table's position from which its apply connection applies its changes.
std::map<std::pair<std::string, std::string>, pg::lsn> ready_positions(const std::set<std::string>& steps) {
    std::map<std::pair<std::string, std::string>, pg::lsn> out;
    for (const auto& key : steps) {
        if (!key.starts_with(ready_step)) continue;
        auto a = key.find('\x1f'), b = key.find('\x1f', a + 1), c = key.rfind('\x1f');
        if (b == std::string::npos || c == b) continue;
        if (auto lsn = pg::lsn::parse(key.substr(c + 1))) out[{key.substr(a + 1, b - a - 1), key.substr(b + 1, c - b - 1)}] = *lsn;
    }
    return out;
}

/// "copied-at" steps: the snapshot a table was copied again from after a restart.
std::map<std::pair<std::string, std::string>, pg::lsn> copied_positions(const std::set<std::string>& steps) {
    std::map<std::pair<std::string, std::string>, pg::lsn> out;
    for (const auto& key : steps) {
        if (!key.starts_with("copied-at\x1f")) continue;
        auto a = key.find('\x1f'), b = key.find('\x1f', a + 1), c = key.find('\x1f', b + 1);
        if (c == std::string::npos) continue;
        auto lsn = pg::lsn::parse(key.substr(c + 1));
        auto& at = out[{key.substr(a + 1, b - a - 1), key.substr(b + 1, c - b - 1)}];
        if (lsn && *lsn > at) at = *lsn;
    }
    return out;
}

}  // namespace

awaitable<void> migration_run::catch_up_tables(apply::apply_group& group, const apply_assignment& assignment,
                                               std::vector<catalog::qualified_name> tables) {
    std::map<std::size_t, std::vector<catalog::qualified_name>> by_connection;
    for (const auto& t : tables) by_connection[assignment.of(t.schema, t.name)].push_back(t);
    const auto copied = copied_positions(done_steps_);
    for (const auto& [k, list] : by_connection) {
        const pg::lsn until = group.member(k).applied();
        auto conn = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
        co_await conn.exec("SET client_encoding = " + pg::quote_literal(encoding_));
        // Their ENABLE ALWAYS/REPLICA triggers exist now (post-data): none may fire on apply.
        if (auto suspended = co_await suspend_replica_triggers(conn, list, &done_steps_))
            spdlog::info("{} ENABLE ALWAYS/REPLICA triggers disabled on the target until the cutover", suspended);
        std::set<std::pair<std::string, std::string>> wanted;
        std::string keys, names;
        for (const auto& t : list) {
            wanted.insert({t.schema, t.name});
            keys += std::string(keys.empty() ? "" : ", ") + "(" +
                    pg::quote_literal(ready_step + t.schema + '\x1f' + t.name + '\x1f' + until.to_string()) + ")";
            names += std::string(names.empty() ? "" : ", ") + t.display();
        }
        const std::string record = "INSERT INTO pghandoff.step (key) VALUES " + keys;
        const auto started = clock::now();
        apply::apply_options options;
        options.origin.clear();  // one transaction, recorded with its result instead
        options.single_transaction = true;
        options.spill_dir = options_.state_dir / "apply-spill" / "catch-up";
        options.owns = [wanted](const std::string& schema, const std::string& name) {
            return wanted.count({schema, name}) > 0;
        };
        auto catchup = co_await apply::applier::open(std::move(conn), options);
        std::uint64_t applied = 0;
        if (!until.is_zero()) {
            for (const auto& t : list)
                if (auto found = copied.find({t.schema, t.name}); found != copied.end())
                    catchup.copied_at(t.schema, t.name, found->second);
            spool::reader reader(options_.state_dir / "spool", pg::lsn{});
            // Every transaction the connection has applied (they are all in the spool, whole),
            // and no more: it stops at the first Begin at or after `until`, or at the end.
            catchup.hold_at(until);
            co_await catchup.apply_available(reader);
            const auto& c = catchup.counters();
            applied = c.inserts + c.updates + c.deletes + c.truncates;
        }
        co_await catchup.finish(record);
        for (const auto& t : list) {
            group.copied_at(t.schema, t.name, until);
            done_steps_.insert(ready_step + t.schema + '\x1f' + t.name + '\x1f' + until.to_string());
        }
        spdlog::info("applying the changes of {} from now on ({} changes made since the snapshot caught up in {:.2f}s)",
                     names, applied, std::chrono::duration<double>(clock::now() - started).count());
    }
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
        // During the copy the target has no foreign keys yet: take them from the post-data plan.
        for (const auto& fk : post_data_.foreign_keys) {
            auto from = tables_.find(fk.table), to = tables_.find(fk.referenced);
            if (from == tables_.end() || to == tables_.end()) continue;
            for (auto& t : tables)
                if (t.name == from->second.name) t.linked.push_back(to->second.name);
        }
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
    // A table is applied by its connection from its "apply-ready" position on; until then
    // (its copy is not in yet) its changes are skipped, to be caught up in one go (catch_up_tables).
    const auto ready = ready_positions(done_steps_);
    std::set<std::pair<std::string, std::string>> pending;
    std::vector<catalog::qualified_name> migrated;
    if (!tables_.empty())
        for (const auto& [key, t] : tables_) migrated.push_back(t.name);
    else
        for (const auto& [name, k] : assignment->tables) migrated.push_back({name.first, name.second});
    for (const auto& t : migrated) {
        if (auto found = ready.find({t.schema, t.name}); found != ready.end()) {
            applier.copied_at(t.schema, t.name, found->second);
        } else {
            pending.insert({t.schema, t.name});
            applier.copied_at(t.schema, t.name, pg::lsn{~std::uint64_t{0}});
        }
    }
    tables_pending_ = pending.size();
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
    // During the copy a signal ends the process (a rerun resumes); from then on it stops the
    // apply between transactions.
    std::optional<asio::signal_set> signals;
    auto last_report = clock::now();
    auto last_release = clock::now();
    std::vector<catalog::qualified_name> due;  // ready for their catch-up
    bool catch_up_hold = false;
    // A stop request waits for a running cutover attempt to end (it may have fenced the source).
    while (!(stopping && cutover_state_ != cutover_state::running)) {
        if (capture_failure_) std::rethrow_exception(capture_failure_);
        if (!signals && copy_complete()) {
            signals.emplace(executor, SIGINT, SIGTERM);
            signals->async_wait([&](boost::system::error_code ec, int) {
                if (ec) return;
                stopping = true;
                pause.cancel();
            });
        }
        for (; !ready_queue_.empty(); ready_queue_.pop_front())
            if (auto found = tables_.find(ready_queue_.front());
                found != tables_.end() && pending.count({found->second.name.schema, found->second.name.name}))
                due.push_back(found->second.name);
        if (due.empty() && copy_complete() && !pending.empty())
            for (const auto& [schema, name] : pending) due.push_back({schema, name});
        if (!due.empty()) {
            // Caught up between transactions: every connection holds before its next one.
            bool idle = true;
            for (std::size_t k = 0; k < applier.size(); ++k) idle = idle && applier.member(k).idle();
            if (idle) {
                co_await catch_up_tables(applier, *assignment, due);
                for (const auto& t : due) pending.erase({t.schema, t.name});
                tables_pending_ = pending.size();
                due.clear();
            }
            catch_up_hold = !idle;
        }
        applier.hold_at(!hold_lsn_.is_zero() ? hold_lsn_ : catch_up_hold ? pg::lsn(1) : pg::lsn{});
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
        // Segments stay while a table's catch-up may still read them from the start.
        if (pending.empty() && copy_complete() && clock::now() - last_release >= std::chrono::seconds(1)) {
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
    if (signals) signals->cancel();
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
