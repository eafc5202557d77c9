#include "cli/control_commands.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "cutover/control.hpp"
#include "migration/cleanup.hpp"
#include "migration/progress_board.hpp"
#include "util/error.hpp"
#include "util/json_file.hpp"
#include "util/size.hpp"
#include "verify/verify.hpp"
#include "migration/snapshot.hpp"
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace pghandoff::cli {

namespace fs = std::filesystem;
namespace asio = boost::asio;

void add_cutover_options(CLI::App& cmd, cutover_args& a) {
    cmd.add_option("--state-dir", a.state_dir, "state directory of the running migrate (default pghandoff-state)");
}

void add_status_options(CLI::App& cmd, status_args& a) {
    cmd.add_option("--state-dir", a.state_dir, "state directory of the migration (default pghandoff-state)");
    cmd.add_flag("--json", a.json, "print the status as one JSON document");
}

void add_cleanup_options(CLI::App& cmd, cleanup_args& a) {
    cmd.add_option("--source", a.source, "source database: URI or key=value string")->required();
    cmd.add_option("--target", a.target, "target database: also remove pghandoff's bookkeeping and origin there");
    cmd.add_option("--state-dir", a.state_dir, "state directory: undo a fence recorded there, remove the spool");
}

void add_verify_options(CLI::App& cmd, verify_args& a) {
    cmd.add_option("--source", a.source, "source database: URI or key=value string")->required();
    cmd.add_option("--target", a.target, "target database: URI or key=value string")->required();
    a.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    cmd.add_option("--jobs,-j", a.jobs, "parallel hash queries (default: the number of cores)")->check(CLI::Range(1, 256));
    cmd.add_flag("--json", a.json, "print the result as one JSON document");
    cmd.add_option("--max-rows", a.max_rows, "differing rows named per table (default 20; the counts are always complete)");
    cmd.add_option("--state-dir", a.state_dir,
                   "while an online migrate streams with this state directory: read the source at a new snapshot and "
                   "the target with exactly the changes that snapshot sees applied");
    cmd.add_option("--chunk-size", a.chunk_size,
                   "compare tables bigger than this in key (or ctid) ranges of that size, in parallel (default auto: "
                   "one job's share of the data, at least 128MB)");
    cmd.add_option("--include-schema", a.include_schemas, "compare only the schemas matching this pg_dump -n pattern (repeatable)");
    cmd.add_option("--exclude-schema", a.exclude_schemas, "leave out the schemas matching this pg_dump -N pattern (repeatable)");
    cmd.add_option("--exclude-table", a.exclude_tables, "leave out the tables matching this pg_dump -T pattern, schema.table (repeatable)");
    cmd.add_option("--exclude-table-data", a.exclude_table_data, "do not compare the rows of the tables matching this pattern (migrated with --exclude-table-data; repeatable)");
}

int run_verify_command(const verify_args& a) {
    verify::verify_options o;
    try {
        o.source = pg::conninfo::parse(a.source);
        o.target = pg::conninfo::parse(a.target);
        o.jobs = a.jobs;
        o.max_rows = a.max_rows;
        o.chunk_bytes = a.chunk_size == "auto" ? 0 : parse_size(a.chunk_size);
        for (const auto& s : a.include_schemas) o.selection.include_schema(catalog::scope::parse_schema_pattern(s));
        for (const auto& s : a.exclude_schemas) o.selection.exclude_schema(catalog::scope::parse_schema_pattern(s));
        for (const auto& t : a.exclude_tables) o.selection.exclude_table(catalog::scope::parse_table_pattern(t));
        for (const auto& t : a.exclude_table_data) o.selection.exclude_table_data(catalog::scope::parse_table_pattern(t));
        // While streaming: a source snapshot, and the target held at its consistent point.
        asio::io_context snapshot_io;
        migration::source_snapshot snapshot;
        std::optional<cutover::control_client> client;
        std::string consistency = "both sides as they are (they must hold still: offline, or after a cutover)";
        if (!a.state_dir.empty()) {
            // Apply pauses first, so that the target is not past the snapshot taken next.
            client.emplace(fs::path(a.state_dir));
            client->send({{"command", "hold-for-snapshot"}});
            auto paused = client->read_line();
            if (!paused || paused->value("event", "") != "paused")
                throw error("the running migrate could not pause its apply for verify: " +
                            (paused ? paused->value("error", std::string("no reason given")) : std::string("it closed the connection")));
            std::exception_ptr failure;
            asio::co_spawn(snapshot_io,
                           migration::take_slot_snapshot(o.source, fmt::format("pghandoff_verify_{:08x}", std::random_device{}()), true),
                           [&](std::exception_ptr e, migration::source_snapshot s) {
                               failure = e;
                               if (!e) snapshot = std::move(s);
                           });
            snapshot_io.run();
            if (failure) std::rethrow_exception(failure);
            client->send({{"command", "snapshot-at"}, {"lsn", snapshot.consistent_point->to_string()}});
            auto answer = client->read_line();
            if (!answer || answer->value("event", "") != "snapshot")
                throw error("the running migrate could not hold its target at the snapshot: " +
                            (answer ? answer->value("error", std::string("no reason given")) : std::string("it closed the connection")));
            o.source_snapshot = snapshot.name;
            o.target_snapshot = (*answer)["target_snapshot"].get<std::string>();
            o.sequences = false;
            consistency = "the source at snapshot " + snapshot.name + " (" + snapshot.consistent_point->to_string() +
                          "), the target with exactly the transactions committed before it applied";
        }
        auto result = verify::run_verify(o);
        result.consistency = consistency;
        if (a.json) std::printf("%s\n", result.to_json().dump(2).c_str());
        else std::fputs(result.summary().c_str(), stdout);
        return result.equal() ? 0 : 1;
    } catch (const error& e) {
        std::fprintf(stderr, "pghandoff: error: %s\n", pg::mask_passwords(e.one_line()).c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pghandoff: error: %s\n", pg::mask_passwords(e.what()).c_str());
    }
    return 2;
}

int run_cutover(const cutover_args& a) {
    const fs::path dir(a.state_dir);
    std::string outcome;
    std::string failure;
    cutover::control_request(dir, {{"command", "cutover"}}, [&](const nlohmann::json& line) {
        const std::string kind = line.value("event", "");
        if (kind == "started") {
            std::printf("cutover started (attempt %d, %s)\n", line.value("attempt", 0),
                        line.value("trigger", std::string("command")).c_str());
        } else if (kind == "step") {
            const std::string detail = line.value("detail", "");
            std::printf("  %-10s %8.3f s%s%s\n", line.value("step", "").c_str(), line.value("seconds", 0.0),
                        detail.empty() ? "" : "   ", detail.c_str());
        } else if (kind == "waiting") {
            std::printf("  %s\n", line.value("detail", "").c_str());
        } else if (kind == "switched") {
            std::printf("write downtime: %.3f s (from the fence to the end of the hook)\n",
                        line.value("downtime_seconds", 0.0));
        } else if (kind == "done") {
            outcome = "done";
            std::printf("cutover done; report: %s%s\n", line.value("report", "").c_str(),
                        line.value("source_left_read_only", false) ? "; the source stays read-only" : "");
            if (line.contains("cleanup_error") && line["cleanup_error"].is_string())
                failure = "cleanup incomplete: " + line["cleanup_error"].get<std::string>();
        } else if (kind == "failed") {
            outcome = "failed";
            failure = "cutover failed: " + line.value("error", std::string("unknown reason"));
        } else if (kind == "error") {
            outcome = "error";
            failure = line.value("error", std::string("unknown error"));
        }
        std::fflush(stdout);
    });
    if (outcome.empty())
        failure = "the migrate process ended before the cutover finished: see its log in " + (dir / "pghandoff.log").string();
    if (!failure.empty()) {
        std::fprintf(stderr, "pghandoff: error: %s\n", failure.c_str());
        return 1;
    }
    return 0;
}

namespace {

bool process_alive(long long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

}  // namespace

int run_status(const status_args& a) {
    const fs::path dir(a.state_dir);
    auto status = read_json_file(dir / "status.json");
    if (!status || !status->is_object())
        throw error("no status in " + dir.string(), "has pghandoff migrate run with --state-dir " + dir.string() + "?");
    auto& s = *status;
    // A run killed without a chance to say so still reads "running" in its last status.
    if (s.value("running", false) && !process_alive(s.value("pid", 0LL))) {
        s["running"] = false;
        if (s["last_error"].is_null()) s["last_error"] = "the migrate process is gone (killed?): rerun it to resume";
    }
    if (a.json) {
        std::printf("%s\n", s.dump(2).c_str());
        return 0;
    }
    using migration::human_bytes;
    std::printf("phase:   %s (%s)\n", s.value("phase", "unknown").c_str(),
                s.value("running", false) ? fmt::format("running, pid {}", s.value("pid", 0LL)).c_str() : "not running");
    std::printf("source:  %s\ntarget:  %s\n", s.value("source", "").c_str(), s.value("target", "").c_str());
    if (s.value("mode", "") == "online") {
        std::printf("lag:     %s, %.1f s   spool: %s   applied: %s (%llu source transactions)\n",
                    human_bytes(s.value("lag_bytes", 0.0)).c_str(), s.value("lag_seconds", 0.0),
                    human_bytes(s.value("spool_bytes", 0.0)).c_str(), s.value("applied_lsn", "").c_str(),
                    static_cast<unsigned long long>(s.value("applied_transactions", 0ULL)));
        if (s.contains("cutover"))
            std::printf("cutover: %s, %s\n", s["cutover"].value("mode", "").c_str(), s["cutover"].value("state", "").c_str());
    }
    int done = 0, total = 0;
    double bytes = 0;
    for (const auto& t : s.value("tables", nlohmann::json::array())) {
        ++total;
        bytes += t.value("bytes_done", 0.0);
        if (t.value("done", false)) ++done;
    }
    std::printf("tables:  %d of %d copied (%s)\n", done, total, human_bytes(bytes).c_str());
    for (const auto& t : s.value("tables", nlohmann::json::array())) {
        if (t.value("done", false) || t.value("chunks_total", 0) == 0) continue;
        std::printf("  %-40s %s of %s, chunks %d/%d\n", t.value("table", "").c_str(),
                    human_bytes(t.value("bytes_done", 0.0)).c_str(), human_bytes(t.value("bytes_estimated", 0.0)).c_str(),
                    t.value("chunks_done", 0), t.value("chunks_total", 0));
    }
    if (auto report = read_json_file(dir / "report.json"); report && report->is_object()) {
        std::string line = "report:  " + (dir / "report.json").string() + ": " + report->value("result", std::string("?"));
        if (report->contains("downtime_seconds"))
            line += fmt::format(", write downtime {:.3f} s", report->value("downtime_seconds", 0.0));
        if (report->contains("verify") && (*report)["verify"].is_object())
            line += (*report)["verify"].value("equal", false) ? ", verify: equal" : ", verify: DIFFERENT";
        std::printf("%s\n", line.c_str());
    }
    std::printf("error:   %s\n", s["last_error"].is_string() ? s["last_error"].get<std::string>().c_str() : "none");
    return 0;
}

int run_cleanup(const cleanup_args& a) {
    std::optional<pg::conninfo> target;
    if (!a.target.empty()) target = pg::conninfo::parse(a.target);
    std::optional<fs::path> dir;
    if (!a.state_dir.empty()) dir = fs::path(a.state_dir);
    auto result = migration::cleanup_leftovers(pg::conninfo::parse(a.source), target, dir);
    for (const auto& line : result.removed) std::printf("removed %s\n", line.c_str());
    if (result.removed.empty() && result.problems.empty()) std::printf("nothing of pghandoff was left\n");
    for (const auto& line : result.problems) std::fprintf(stderr, "pghandoff: error: %s\n", line.c_str());
    return result.problems.empty() ? 0 : 1;
}

}  // namespace pghandoff::cli
