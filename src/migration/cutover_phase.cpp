// The end of an online migration: status reporting, the control socket, and the cutover
// (catch-up, fence, end marker, sequences and triggers, hook, report, cleanup).
#include "migration/migration_run.hpp"

#include <signal.h>

#include <ctime>

#include "catalog/sequence_catalog.hpp"
#include "cutover/hook.hpp"
#include "util/json_file.hpp"
#include "verify/verify.hpp"

#include <future>

namespace pghandoff::migration {

namespace {

double seconds_between(clock::time_point from, clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
    return text;
}

/// A probe or marker id no earlier run could have emitted.
std::string unique_id(const char* kind) { return std::string(kind) + ":" + random_suffix() + random_suffix(); }

constexpr auto marker_timeout = std::chrono::seconds(60);
constexpr auto writers_timeout = std::chrono::seconds(10);
/// A probe message that makes its way through stream and apply within this means the target
/// is caught up: what remains after the fence takes about that long.
constexpr auto caught_up_within = std::chrono::milliseconds(500);

}  // namespace

awaitable<nlohmann::json> migration_run::verify_now(std::optional<std::string> target_snapshot) {
    verify::verify_options vo;
    vo.source = options_.source;
    vo.target = options_.target;
    vo.jobs = options_.jobs;
    vo.selection = options_.selection;
    vo.target_snapshot = std::move(target_snapshot);
    auto running = std::async(std::launch::async, [vo] { return verify::run_verify(vo); });
    while (running.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        co_await sleep_for(std::chrono::milliseconds(50));
    auto result = running.get();  // rethrows a verify error
    for (std::size_t at = 0, next; at < result.summary().size(); at = next + 1) {
        const auto summary = result.summary();
        next = summary.find('\n', at);
        if (next == std::string::npos) next = summary.size();
        spdlog::info("verify: {}", summary.substr(at, next - at));
    }
    co_return result.to_json();
}

awaitable<void> migration_run::sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    pause.expires_after(d);
    boost::system::error_code ec;
    co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

nlohmann::json migration_run::status_json() const {
    nlohmann::json j;
    j["phase"] = phase_ == "copy" && chunks_left_ == 0 ? "indexes" : phase_;
    j["running"] = true;
    j["pid"] = static_cast<long long>(::getpid());
    j["updated_at"] = utc_now();
    j["mode"] = options_.follow ? "online" : "offline";
    j["source"] = options_.source.display();
    j["target"] = options_.target.display();
    j["lag_bytes"] = lag_bytes_;
    j["lag_seconds"] = lag_seconds_;
    j["spool_bytes"] = spool_ ? spool_->bytes_on_disk() : 0;
    j["applied_lsn"] = applied_lsn_.to_string();
    j["applied_transactions"] = applied_transactions_;
    if (!slot_name_.empty()) j["slot"] = slot_name_;
    if (!publication_name_.empty()) j["publication"] = publication_name_;
    auto tables = nlohmann::json::array();
    for (const auto& [name, t] : board_.tables()) {
        tables.push_back({{"table", name},
                          {"bytes_done", t.bytes_now()},
                          {"bytes_estimated", t.estimated_bytes},
                          {"rows_done", t.rows_now()},
                          {"chunks_done", t.chunks_done},
                          {"chunks_total", t.chunks_total},
                          {"done", t.chunks_total > 0 && t.chunks_done == t.chunks_total}});
    }
    j["tables"] = std::move(tables);
    j["last_error"] = last_error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_error_);
    const char* mode = options_.cutover == cutover_mode::automatic ? "auto"
                       : options_.cutover == cutover_mode::scheduled ? "scheduled"
                                                                      : "manual";
    j["cutover"] = {{"mode", mode},
                    {"state", cutover_state_ == cutover_state::idle        ? "waiting"
                              : cutover_state_ == cutover_state::requested ? "requested"
                              : cutover_state_ == cutover_state::running   ? "running"
                                                                           : "done"},
                    {"attempts", cutover_attempt_}};
    return j;
}

void migration_run::write_status() {
    try {
        write_json_file(options_.state_dir / "status.json", status_json());
    } catch (const std::exception& e) {
        if (!status_warned_) spdlog::warn("cannot write the status file: {}", e.what());
        status_warned_ = true;
    }
}

awaitable<void> migration_run::status_loop() {
    for (;;) {
        write_status();
        co_await sleep_for(std::chrono::milliseconds(1000));
    }
}

void migration_run::start_control() {
    control_ = std::make_unique<cutover::control_server>(
        io_.get_executor(), options_.state_dir,
        [this](nlohmann::json request, std::shared_ptr<cutover::control_session> session) {
            return on_control_request(std::move(request), std::move(session));
        });
    asio::co_spawn(io_, control_->serve(), asio::detached);
}

awaitable<void> migration_run::on_control_request(nlohmann::json request,
                                                  std::shared_ptr<cutover::control_session> session) {
    const std::string command = request["command"].get<std::string>();
    if (command == "status") {
        auto status = status_json();
        co_await session->send(status);
        co_return;
    }
    if (command == "hold-for-snapshot") {
        // Verify while streaming: 1. apply pauses (no transaction beyond what is applied goes
        // in), 2. the client takes its source snapshot at C, after everything applied so far,
        // 3. "snapshot-at C": apply goes exactly up to C, the target snapshot is exported.
        std::string refusal;
        if (phase_ != "catchup" && phase_ != "streaming") refusal = "the migration is in its " + phase_ + " phase: verify needs it streaming";
        else if (cutover_state_ != cutover_state::idle) refusal = "a cutover is under way";
        else if (!hold_lsn_.is_zero()) refusal = "another verify holds the apply at a snapshot: try again when it ends";
        if (!refusal.empty()) {
            nlohmann::json reply{{"event", "error"}, {"error", refusal}};
            co_await session->send(reply);
            co_return;
        }
        hold_lsn_ = pg::lsn(1);  // below every commit: nothing more is applied
        const auto pass = apply_passes_;
        while (apply_passes_ < pass + 2) co_await sleep_for(std::chrono::milliseconds(1));
        nlohmann::json paused{{"event", "paused"}, {"applied_lsn", applied_lsn_.to_string()}};
        co_await session->send(paused);
        auto next = co_await session->read_json();
        const auto lsn = next ? pg::lsn::parse(next->value("lsn", std::string())) : std::nullopt;
        if (!next || next->value("command", "") != "snapshot-at" || !lsn) {
            hold_lsn_ = pg::lsn{};
            nlohmann::json reply{{"event", "error"}, {"error", "expected {\"command\": \"snapshot-at\", \"lsn\": ...}"}};
            co_await session->send(reply);
            co_return;
        }
        co_await serve_snapshot_at(*lsn, session);
        co_return;
    }
    if (command != "cutover") {
        { nlohmann::json reply{{"event", "error"}, {"error", "unknown command " + command}}; co_await session->send(reply); }
        co_return;
    }
    if (phase_ != "catchup" && phase_ != "streaming" && phase_ != "cutover") {
        { nlohmann::json reply{{"event", "error"},
                                {"error", "the migration is in its " + phase_ +
                                              " phase: a cutover can start once the copy is done and changes stream"}}; co_await session->send(reply); }
        co_return;
    }
    if (cutover_state_ == cutover_state::succeeded) {
        { nlohmann::json reply{{"event", "error"}, {"error", "the cutover is already done"}}; co_await session->send(reply); }
        co_return;
    }
    if (cutover_state_ == cutover_state::idle) {
        cutover_state_ = cutover_state::requested;
        cutover_trigger_ = "command";
        cutover_events_.clear();
    }
    // Follow the current attempt: every event so far, then each new one, until its end.
    struct watching {
        int& count;
        explicit watching(int& c) : count(c) { ++count; }
        ~watching() { --count; }
    } watch{cutover_watchers_};
    const int attempt = cutover_state_ == cutover_state::requested ? cutover_attempt_ + 1 : cutover_attempt_;
    std::size_t sent = 0;
    for (;;) {
        if (cutover_attempt_ == attempt) {
            while (sent < cutover_events_.size()) {
                const auto event = cutover_events_[sent++];
                co_await session->send(event);
                const auto kind = event.value("event", "");
                if (kind == "done" || kind == "failed") co_return;
            }
        } else if (cutover_attempt_ > attempt) {
            co_return;  // a later attempt began: ours ended without us seeing it
        }
        if (!session->connected()) co_return;  // the operation goes on without its watcher
        co_await sleep_for(std::chrono::milliseconds(5));
    }
}

awaitable<void> migration_run::lower_leftover_fence() {
    auto fence = cutover::load_fence(options_.state_dir);
    if (!fence) co_return;
    spdlog::warn("an earlier run left the source database {} read-only during a cutover: undoing that",
                 fence->database);
    // It may have enabled the target's suspended triggers too: suspend them again first.
    const std::string triggers = suspend_again_sql(done_steps_);
    if (!triggers.empty()) {
        auto target = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
        co_await target.exec("BEGIN;\n" + triggers + "COMMIT");
    }
    auto source = co_await pg::connection::connect(options_.source.with("application_name", "pghandoff"), "source");
    co_await cutover::lower_fence(source, *fence);
    cutover::forget_fence(options_.state_dir);
}

void migration_run::after_apply_pass(const apply::apply_group& applier) {
    applied_lsn_ = applier.applied();
    applied_transactions_ = applier.counters().source_transactions;
    const capture_counters c = capture_ ? capture_->counters() : capture_counters{};
    const pg::lsn spooled = spool_ ? spool_->last_commit_end() : pg::lsn{};
    apply_pending_ = spooled > applied_lsn_ || c.in_transaction;
    lag_bytes_ = apply_pending_ && c.server_wal_end > applied_lsn_ ? c.server_wal_end.value() - applied_lsn_.value() : 0;
    const auto commit_time = applier.progress().commit_time;
    lag_seconds_ = !apply_pending_ || commit_time == 0
                       ? 0.0
                       : std::max(0.0, std::chrono::duration<double>(std::chrono::system_clock::now() -
                                                                     cdc::from_pg_timestamp(commit_time))
                                           .count());
    const double max_lag = std::chrono::duration<double>(options_.max_lag).count();
    if (!caught_up_once_ && !apply_pending_ && copy_complete() && tables_pending_ == 0) {
        caught_up_once_ = true;
        spdlog::info("caught up: the target applied every change received so far");
    }
    if (phase_ == "catchup" && caught_up_once_) phase_ = "streaming";
    if (cutover_state_ != cutover_state::idle || automatic_cutover_off_) return;
    if (options_.cutover == cutover_mode::automatic && caught_up_once_ && lag_seconds_ <= max_lag) {
        cutover_state_ = cutover_state::requested;
        cutover_trigger_ = "auto";
    } else if (options_.cutover == cutover_mode::scheduled && std::chrono::system_clock::now() >= options_.cutover_at) {
        cutover_state_ = cutover_state::requested;
        cutover_trigger_ = "scheduled";
    }
}

awaitable<void> migration_run::serve_snapshot_at(pg::lsn consistent_point, std::shared_ptr<cutover::control_session> session) {
    std::optional<pg::connection> holder;
    std::string failure;
    hold_lsn_ = consistent_point;
    hold_reached_ = false;
    try {
        // Every transaction that committed before the consistent point must have arrived: a
        // probe emitted now comes after all of them in the stream.
        auto source = co_await pg::connection::connect(options_.source.with("application_name", "pghandoff"), "source");
        co_await cutover::writable_session(source);
        const std::string probe = unique_id("probe");
        std::vector<std::optional<std::string>> params{probe};
        co_await source.exec_params("SELECT pg_catalog.pg_logical_emit_message(false, 'pghandoff', $1)", params);
        const auto deadline = clock::now() + options_.catchup_timeout;
        while (!(capture_ && capture_->counters().last_probe == probe)) {
            if (capture_failure_) std::rethrow_exception(capture_failure_);
            if (clock::now() >= deadline) throw error("the stream did not reach the snapshot's position in time");
            co_await sleep_for(std::chrono::milliseconds(2));
        }
        // Then the apply must have gone as far as the hold lets it: stopped at it, or applied all.
        const auto pass = apply_passes_;
        while (!(apply_passes_ > pass + 1 && (hold_reached_ || !apply_pending_))) {
            if (capture_failure_) std::rethrow_exception(capture_failure_);
            if (clock::now() >= deadline) throw error("the target did not reach the snapshot's position in time");
            co_await sleep_for(std::chrono::milliseconds(2));
        }
        holder.emplace(co_await pg::connection::connect(options_.target.with("application_name", "pghandoff verify"), "target"));
        co_await holder->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        auto exported = co_await holder->exec("SELECT pg_catalog.pg_export_snapshot()");
        hold_lsn_ = pg::lsn{};  // the snapshot is taken: apply goes on
        spdlog::info("verify: target snapshot {} taken at the source's {}", exported.text(0, 0), consistent_point.to_string());
        nlohmann::json reply{{"event", "snapshot"}, {"target_snapshot", exported.text(0, 0)},
                             {"applied_lsn", applied_lsn_.to_string()}};
        co_await session->send(reply);
    } catch (const std::exception& e) {
        failure = pg::mask_passwords(e.what());
    }
    hold_lsn_ = pg::lsn{};
    if (!failure.empty()) {
        nlohmann::json reply{{"event", "error"}, {"error", failure}};
        co_await session->send(reply);
        co_return;
    }
    co_await session->wait_closed();  // the snapshot lives until verify is done with it
}

void migration_run::cutover_event(nlohmann::json event) { cutover_events_.push_back(std::move(event)); }

void migration_run::cutover_step(std::string name, clock::time_point started, bool in_downtime, std::string detail) {
    const double seconds = seconds_between(started, clock::now());
    spdlog::info("cutover: {} in {:.3f} s{}{}", name, seconds, detail.empty() ? "" : ": ", detail);
    cutover_event({{"event", "step"}, {"step", name}, {"seconds", seconds}, {"in_downtime", in_downtime},
                   {"detail", detail}});
    cutover_steps_.push_back({std::move(name), seconds, in_downtime, std::move(detail)});
}

awaitable<void> migration_run::wait_caught_up(pg::connection& source) {
    const auto deadline = clock::now() + options_.catchup_timeout;
    bool said = false;
    for (;;) {
        // A probe emitted now comes back through the stream once everything before it has;
        // the target is caught up when it has also applied all that came before the probe.
        const std::string probe = unique_id("probe");
        const auto sent = clock::now();
        std::vector<std::optional<std::string>> params{probe};
        co_await source.exec_params("SELECT pg_catalog.pg_logical_emit_message(false, 'pghandoff', $1)", params);
        for (;;) {
            if (capture_ && capture_->counters().last_probe == probe && !apply_pending_) break;
            if (capture_failure_) std::rethrow_exception(capture_failure_);
            if (clock::now() >= deadline)
                throw error("the target did not catch up with the source within " +
                                human_seconds(std::chrono::duration<double>(options_.catchup_timeout).count()),
                            "let it catch up (see pghandoff status), or allow longer with --catchup-timeout");
            co_await sleep_for(std::chrono::milliseconds(1));
        }
        const auto took = clock::now() - sent;
        if (took <= caught_up_within) co_return;
        if (!said) {
            const std::string message = fmt::format(
                "{}the target is not caught up (a probe took {:.1f} s to come through): waiting up to {} (--catchup-timeout)",
                cutover_trigger_ == "scheduled" ? "cutover: the scheduled time has come, but " : "cutover: ",
                std::chrono::duration<double>(took).count(),
                human_seconds(std::chrono::duration<double>(options_.catchup_timeout).count()));
            spdlog::warn("{}", message);
            cutover_event({{"event", "waiting"}, {"detail", message}});
        }
        said = true;
    }
}

awaitable<void> migration_run::cutover() {
    ++cutover_attempt_;
    cutover_events_.clear();
    cutover_steps_.clear();
    cutover_started_at_ = utc_now();
    const std::string previous_phase = phase_;
    phase_ = "cutover";
    write_status();
    cutover_event({{"event", "started"}, {"trigger", cutover_trigger_}, {"attempt", cutover_attempt_}});
    spdlog::info("cutover started ({})", cutover_trigger_ == "command" ? "pghandoff cutover" : cutover_trigger_);
    std::optional<cutover::fence_record> fence;
    std::optional<pg::connection> source, target;
    bool triggers_restored = false;
    std::string failure;
    try {
        source.emplace(co_await pg::connection::connect(options_.source.with("application_name", "pghandoff"), "source"));
        if (source->server_version() < 140000)
            throw error("the cutover needs a source of PostgreSQL 14 or later (logical decoding messages)");
        co_await source->exec("SET lock_timeout = '5s'; SET statement_timeout = '30s'");
        target.emplace(co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target"));
        co_await target->exec("SET lock_timeout = '5s'; SET statement_timeout = '30s'");

        // 1. Catch up, so that what follows the fence is short.
        auto t = clock::now();
        co_await wait_caught_up(*source);
        co_await cutover::require_no_prepared_transactions(*source);
        cutover_step("catch-up", t, false);

        // 2. Fence writes on the source. The downtime starts here.
        const auto fence_started = clock::now();
        t = fence_started;
        if (options_.fence_read_only) {
            auto record = co_await cutover::read_fence_state(*source);
            cutover::save_fence(options_.state_dir, record);  // before the fence: a crash can undo it
            fence = record;
            const int ended = co_await cutover::raise_fence(*source, record);
            co_await cutover::confirm_no_writers(*source, writers_timeout);
            cutover_step("fence", t, true,
                         "database " + record.database + " read-only, " + std::to_string(ended) + " session(s) ended");
        } else {
            cutover_step("fence", t, true, "none (--fence none: the application is stopped)");
        }

        // 3. The end marker: once applied, every change committed before the fence is on the target.
        t = clock::now();
        const std::string marker = unique_id("cutover");
        awaited_marker_ = marker;
        marker_durable_ = false;
        std::vector<std::optional<std::string>> params{marker};
        auto emitted = co_await source->exec_params(
            "SELECT pg_catalog.pg_logical_emit_message(true, 'pghandoff', $1)::text", params);
        const auto marker_deadline = clock::now() + marker_timeout;
        while (!marker_durable_) {
            if (capture_failure_) std::rethrow_exception(capture_failure_);
            if (clock::now() >= marker_deadline)
                throw error("the end marker emitted at " + emitted.text(0, 0) + " did not reach the target within " +
                            std::to_string(marker_timeout.count()) + " s");
            co_await sleep_for(std::chrono::milliseconds(1));
        }
        awaited_marker_.clear();
        cutover_step("drain", t, true, "every change up to " + emitted.text(0, 0) + " applied and flushed");

        // 4. Sequences at the source's final values, and the suspended triggers back as they were.
        t = clock::now();
        auto sequences = co_await catalog::load_sequences(*source, options_.selection);
        const std::string triggers = restore_triggers_sql(done_steps_);
        co_await target->exec("BEGIN;\n" + catalog::setval_sql(sequences) + triggers + "COMMIT");
        triggers_restored = !triggers.empty();
        if (options_.verify) {
            // The target as of the cutover, for verify after the downtime, whatever the
            // application writes there meanwhile.
            co_await target->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            auto snapshot = co_await target->exec("SELECT pg_catalog.pg_export_snapshot()");
            verify_snapshot_ = snapshot.text(0, 0);
            verify_snapshot_holder_.emplace(std::move(*target));
            target.reset();
        }
        cutover_step("sequences", t, true,
                     std::to_string(sequences.size()) + " sequence(s) set" +
                         (triggers.empty() ? "" : ", ENABLE ALWAYS/REPLICA triggers restored"));

        // 5. The user's switch.
        t = clock::now();
        if (!options_.on_cutover.empty()) {
            spdlog::info("cutover: running the hook with NEW_DATABASE_URL={} OLD_DATABASE_URL={}",
                         options_.target.to_uri(false), options_.source.to_uri(false));
            std::vector<std::pair<std::string, std::string>> environment{
                {"NEW_DATABASE_URL", options_.target.to_uri()}, {"OLD_DATABASE_URL", options_.source.to_uri()}};
            auto result = co_await cutover::run_hook(options_.on_cutover, environment, options_.hook_timeout);
            if (result.timed_out)
                throw error("the --on-cutover hook did not finish within " +
                            human_seconds(std::chrono::duration<double>(options_.hook_timeout).count()) + " and was killed");
            if (result.exit_code != 0)
                throw error("the --on-cutover hook failed with exit status " + std::to_string(result.exit_code));
            cutover_step("hook", t, true);
        } else {
            cutover_step("hook", t, true, "none (no --on-cutover)");
        }
        downtime_seconds_ = seconds_between(fence_started, clock::now());
        spdlog::info("cutover: write downtime {:.3f} s (from the fence to the end of the hook)", downtime_seconds_);
        cutover_event({{"event", "switched"}, {"downtime_seconds", downtime_seconds_}});
        cutover_state_ = cutover_state::succeeded;
        co_return;
    } catch (const error& e) {
        failure = pg::mask_passwords(e.one_line());
    } catch (const std::exception& e) {
        failure = pg::mask_passwords(e.what());
    }

    // Failed before the switch: the application must keep a writable database.
    awaited_marker_.clear();
    verify_snapshot_holder_.reset();
    verify_snapshot_.reset();
    std::string undo;
    try {
        if (!target)
            target.emplace(co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target"));
        if (triggers_restored) co_await target->exec("BEGIN;\n" + suspend_again_sql(done_steps_) + "COMMIT");
    } catch (const std::exception& e) {
        undo += std::string("; could not suspend the target's ENABLE ALWAYS/REPLICA triggers again: ") +
                pg::mask_passwords(e.what());
    }
    if (fence) {
        try {
            auto admin = co_await pg::connection::connect(options_.source.with("application_name", "pghandoff"), "source");
            co_await cutover::lower_fence(admin, *fence);
            cutover::forget_fence(options_.state_dir);
            undo += "; the source is writable again";
        } catch (const std::exception& e) {
            undo += std::string("; COULD NOT UNDO THE FENCE (") + pg::mask_passwords(e.what()) +
                    "): run ALTER DATABASE " + pg::quote_ident(fence->database) +
                    " RESET default_transaction_read_only on the source";
        }
    }
    if (cutover_trigger_ != "command" && !automatic_cutover_off_) {
        automatic_cutover_off_ = true;
        undo += "; no further automatic attempt: run pghandoff cutover to try again";
    }
    last_error_ = "cutover failed: " + failure + undo;
    spdlog::error("{}; streaming goes on", last_error_);
    cutover_event({{"event", "failed"}, {"error", failure + undo}});
    phase_ = previous_phase == "cutover" ? "streaming" : previous_phase;
    cutover_state_ = cutover_state::idle;
    write_status();
}

awaitable<void> migration_run::finish_cutover() {
    auto t = clock::now();
    std::string cleanup_error;
    try {
        // The stream ended with the apply loop: close its connections, so the slot is free.
        if (stream_) stream_->connection().close();
        for (auto& dropped : dropped_streams_) dropped->connection().close();
        co_await drop_capture_objects(options_.source, slot_name_, publication_name_);
        auto target = co_await pg::connection::connect(options_.target.with("application_name", "pghandoff"), "target");
        co_await target.exec(drop_progress_sql() + "; SELECT pg_catalog.pg_replication_origin_drop(roname) FROM "
                                                   "pg_catalog.pg_replication_origin WHERE " + origin_condition(slot_name_));
        std::error_code ignored;
        fs::remove_all(options_.state_dir / "spool", ignored);
        fs::remove_all(options_.state_dir / "apply-spill", ignored);
    } catch (const std::exception& e) {
        cleanup_error = pg::mask_passwords(e.what()) + ": run pghandoff cleanup";
    }
    nlohmann::json verified;
    if (options_.verify) {
        // Outside the downtime; the source is still fenced, the target read as of the cutover.
        const auto started = clock::now();
        try {
            verified = co_await verify_now(verify_snapshot_);
            cutover_step("verify", started, false,
                         verified.value("equal", false) ? "the target equals the source"
                                                        : "DIFFERENCES between source and target: see report.json");
        } catch (const std::exception& e) {
            verified = {{"equal", false}, {"error", pg::mask_passwords(e.what())}};
            cutover_step("verify", started, false, std::string("could not run: ") + pg::mask_passwords(e.what()));
        }
        verify_snapshot_holder_.reset();
    }
    bool left_read_only = options_.fence_read_only;
    if (options_.fence_read_only && options_.unfence_source) {
        try {
            auto fence = cutover::load_fence(options_.state_dir);
            auto source = co_await pg::connection::connect(options_.source.with("application_name", "pghandoff"), "source");
            if (fence) co_await cutover::lower_fence(source, *fence);
            left_read_only = false;
        } catch (const std::exception& e) {
            cleanup_error += std::string(cleanup_error.empty() ? "" : "; ") + "could not make the source writable again: " +
                             pg::mask_passwords(e.what());
        }
    }
    cutover::forget_fence(options_.state_dir);  // the fence stays on purpose from here
    cutover_step("cleanup", t, false,
                 cleanup_error.empty() ? "slot, publication, origin and bookkeeping removed" : cleanup_error);

    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : cutover_steps_)
        steps.push_back({{"name", s.name}, {"seconds", s.seconds}, {"in_downtime", s.in_downtime}, {"detail", s.detail}});
    nlohmann::json report{
        {"result", cleanup_error.empty() ? "done" : "done, cleanup incomplete"},
        {"downtime_seconds", downtime_seconds_},
        {"trigger", cutover_trigger_},
        {"fence", options_.fence_read_only ? "read-only" : "none"},
        {"source_left_read_only", left_read_only},
        {"started_at", cutover_started_at_},
        {"finished_at", utc_now()},
        {"source", options_.source.display()},
        {"target", options_.target.display()},
        {"steps", steps},
        {"summary",
         {{"tables", tables_.size()},
          {"applied_transactions", applied_transactions_},
          {"applied_lsn", applied_lsn_.to_string()},
          {"run_seconds", seconds_between(run_started_, clock::now())}}},
    };
    if (!cleanup_error.empty()) report["cleanup_error"] = cleanup_error;
    if (options_.verify) report["verify"] = verified;
    try {
        write_json_file(options_.state_dir / "report.json", report);
    } catch (const std::exception& e) {
        spdlog::error("cannot write the report: {}", e.what());
    }
    phase_ = "done";
    if (!cleanup_error.empty()) last_error_ = cleanup_error;
    spdlog::info("cutover done: write downtime {:.3f} s; report in {}{}", downtime_seconds_,
                 (options_.state_dir / "report.json").string(),
                 left_read_only ? "; the source stays read-only (--unfence-source lifts it)" : "");
    cutover_event({{"event", "done"},
                   {"downtime_seconds", downtime_seconds_},
                   {"report", (options_.state_dir / "report.json").string()},
                   {"source_left_read_only", left_read_only},
                   {"cleanup_error", cleanup_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(cleanup_error)}});
    write_status();
    // Give `pghandoff cutover` clients a moment to read the last event before the socket goes.
    for (int i = 0; i < 200 && cutover_watchers_ > 0; ++i) co_await sleep_for(std::chrono::milliseconds(10));
    if (!cleanup_error.empty()) throw error("the cutover is done but its cleanup is not: " + cleanup_error);
}

}  // namespace pghandoff::migration
