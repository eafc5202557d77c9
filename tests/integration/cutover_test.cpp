// The cutover of an online migration under pgbench load: every transaction pgbench committed on
// the source is on the target, sequences are at or past the source's, the target takes writes,
// nothing of pghandoff is left; a failed hook undoes the fence; automatic and scheduled modes.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/db_compare.hpp"
#include "support/pghandoff_cli.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

/// pgbench of the PostgreSQL client tools: $PG_BINDIR, then Debian's versioned directories.
std::string pgbench_path() {
    if (const char* dir = std::getenv("PG_BINDIR"); dir && fs::exists(fs::path(dir) / "pgbench"))
        return (fs::path(dir) / "pgbench").string();
    for (int v = 18; v >= 14; --v) {
        fs::path p = "/usr/lib/postgresql/" + std::to_string(v) + "/bin/pgbench";
        if (fs::exists(p)) return p.string();
    }
    return "/usr/bin/pgbench";
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string rfc3339_in(std::chrono::seconds from_now) {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

class cutover_test : public server_test {
protected:
    std::vector<std::string> migrate_arguments(const test_databases& dbs, const fs::path& state,
                                               const std::vector<std::string>& extra) {
        std::vector<std::string> args{"migrate", "--source", dbs.source_uri(), "--target", dbs.target_uri(),
                                      "--state-dir", state.string(), "--replica-identity-full", "--progress",
                                      "plain", "--jobs", "2"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }

    /// pgbench -i on the source, plus a table with a serial key written by the test itself.
    void prepare_source(const test_databases& dbs) {
        auto init = run_command({pgbench_path(), "-i", "-q", "-s", "1", dbs.source_conninfo()});
        ASSERT_EQ(init.exit_code, 0) << describe(init);
        auto src = dbs.connect_source();
        src.exec("CREATE TABLE notes (id bigserial PRIMARY KEY, body text);"
                 "INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 500) g;"
                 "CREATE SEQUENCE tickets START 1000 INCREMENT 7; SELECT nextval('tickets');"
                 // A trigger that must not fire on the target while changes are applied (its
                 // rows come from the source), yet works again after the cutover.
                 "CREATE TABLE note_log (id bigserial PRIMARY KEY, note_id bigint);"
                 "CREATE FUNCTION log_note() RETURNS trigger LANGUAGE plpgsql AS "
                 "$$ BEGIN INSERT INTO note_log (note_id) VALUES (NEW.id); RETURN NEW; END $$;"
                 "CREATE TRIGGER notes_logged AFTER INSERT ON notes FOR EACH ROW EXECUTE FUNCTION log_note();"
                 "ALTER TABLE notes ENABLE ALWAYS TRIGGER notes_logged;");
    }

    /// Starts pgbench at a fixed rate against the source; it keeps going until killed or fenced.
    std::unique_ptr<background_command> start_load(const test_databases& dbs, const fs::path& logs, int rate) {
        return std::make_unique<background_command>(
            std::vector<std::string>{pgbench_path(), "-n", "-c", "2", "-j", "2", "-R", std::to_string(rate), "-T", "300",
                                     dbs.source_conninfo()},
            environment_changes{}, logs);
    }

    static nlohmann::json status_of(const fs::path& state) {
        auto result = run_pghandoff({"status", "--state-dir", state.string(), "--json"});
        if (result.exit_code != 0) return nlohmann::json::object();
        auto j = nlohmann::json::parse(result.stdout_text, nullptr, false);
        return j.is_discarded() ? nlohmann::json::object() : j;
    }

    /// Polls `pghandoff status --json` until the phase is `phase`; returns the last status.
    static nlohmann::json wait_for_phase(const fs::path& state, const std::string& phase, std::chrono::seconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        nlohmann::json status;
        while (std::chrono::steady_clock::now() < deadline) {
            status = status_of(state);
            if (status.value("phase", "") == phase) return status;
            std::this_thread::sleep_for(200ms);
        }
        return status;
    }

    /// Nothing of pghandoff on either server: slots, publications, origin, bookkeeping.
    static void expect_nothing_left(const test_databases& dbs) {
        auto src = dbs.connect_source();
        EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pghandoff%'"), "0");
        EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_publication WHERE pubname LIKE 'pghandoff%'"), "0");
        auto dst = dbs.connect_target();
        EXPECT_EQ(dst.scalar("SELECT count(*) FROM pg_replication_origin WHERE roname LIKE 'pghandoff%'"), "0");
        EXPECT_EQ(dst.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'pghandoff'"), "0");
        EXPECT_EQ(dst.scalar("SELECT count(*) FROM pg_publication WHERE pubname LIKE 'pghandoff%'"), "0");
    }

    /// Abandons a running online migration: SIGTERM, then `pghandoff cleanup` of both sides.
    void stop_and_clean_up(background_command& migrate, const test_databases& dbs, const fs::path& state) {
        migrate.kill(SIGTERM);
        auto stopped = migrate.wait(60s);
        EXPECT_EQ(stopped.exit_code, 0) << describe(stopped);
        auto cleanup = run_pghandoff({"cleanup", "--source", dbs.source_uri(), "--target", dbs.target_uri(),
                                      "--state-dir", state.string()});
        EXPECT_EQ(cleanup.exit_code, 0) << describe(cleanup);
        EXPECT_TRUE(mentions(cleanup.stdout_text, "replication slot")) << cleanup.stdout_text;
        expect_nothing_left(dbs);
    }

    /// What a pgbench run committed: history rows and the sum of the balances.
    static std::string pgbench_fingerprint(pg_session& db) {
        return *db.scalar("SELECT (SELECT count(*) FROM pgbench_history) || '|' || "
                          "(SELECT sum(abalance) FROM pgbench_accounts)");
    }
};

TEST_F(cutover_test, moves_every_committed_transaction_under_load_and_leaves_nothing_behind) {
    test_databases dbs(servers_.source, servers_.target, "cutover_load");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    const fs::path hook_out = work.path() / "hook-url";
    auto load = start_load(dbs, work.path(), 300);
    background_command migrate(
        pghandoff_command(migrate_arguments(
            dbs, state, {"--verify", "--apply-jobs", "2", "--on-cutover",
                         "printf '%s\\n%s\\n' \"$NEW_DATABASE_URL\" \"$OLD_DATABASE_URL\" > " + hook_out.string()})),
        {}, work.path());
    auto status = wait_for_phase(state, "streaming", 120s);
    ASSERT_EQ(status.value("phase", ""), "streaming") << status.dump() << describe(migrate.wait(1s));
    EXPECT_TRUE(status["lag_bytes"].is_number());
    EXPECT_TRUE(status["lag_seconds"].is_number());
    {
        auto src = dbs.connect_source();
        for (int i = 0; i < 20; ++i) src.exec("INSERT INTO notes (body) VALUES ('during streaming')");
    }
    std::this_thread::sleep_for(2s);  // streaming under load
    ASSERT_TRUE(load->running()) << describe(load->wait(1s));

    auto cutover = run_pghandoff({"cutover", "--state-dir", state.string()}, {}, 5min);
    ASSERT_EQ(cutover.exit_code, 0) << describe(cutover) << describe(migrate.wait(5s));
    EXPECT_TRUE(mentions(cutover.stdout_text, "write downtime")) << cutover.stdout_text;
    auto finished = migrate.wait(60s);
    ASSERT_EQ(finished.exit_code, 0) << describe(finished);
    load->kill(SIGTERM);
    load->wait(10s);

    // Every transaction committed on the source (now fenced) is on the target.
    auto src = dbs.connect_source();
    auto dst = dbs.connect_target();
    EXPECT_EQ(pgbench_fingerprint(dst), pgbench_fingerprint(src));
    auto diff = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(diff.empty()) << describe_differences(diff);
    // Sequences at or past the source's.
    EXPECT_EQ(dst.scalar("SELECT last_value FROM tickets"), src.scalar("SELECT last_value FROM tickets"));
    EXPECT_EQ(dst.scalar("SELECT last_value FROM notes_id_seq"), src.scalar("SELECT last_value FROM notes_id_seq"));
    // The target takes writes, the source does not.
    EXPECT_NO_THROW(dst.exec("INSERT INTO notes (body) VALUES ('after the cutover'); "
                             "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 1, now())"));
    auto fresh = dbs.connect_source();
    EXPECT_ANY_THROW(fresh.exec("INSERT INTO notes (body) VALUES ('after the fence')"));
    expect_nothing_left(dbs);

    // The hook got both URLs; the report has the downtime and each step.
    const std::string urls = read_file(hook_out);
    EXPECT_TRUE(mentions(urls, dbs.target_name())) << urls;
    EXPECT_TRUE(mentions(urls, dbs.source_name())) << urls;
    auto report = nlohmann::json::parse(read_file(state / "report.json"), nullptr, false);
    ASSERT_FALSE(report.is_discarded());
    EXPECT_TRUE(report["downtime_seconds"].is_number());
    EXPECT_LT(report["downtime_seconds"].get<double>(), 10.0);
    std::vector<std::string> steps;
    for (const auto& s : report["steps"]) steps.push_back(s["name"].get<std::string>());
    EXPECT_EQ(steps, (std::vector<std::string>{"catch-up", "fence", "drain", "sequences", "hook", "verify", "cleanup"}));
    // --verify: the target as of the cutover equals the fenced source.
    EXPECT_TRUE(report["verify"].value("equal", false)) << report["verify"].dump(2);
    EXPECT_EQ(status_of(state).value("phase", ""), "done");
    // No password anywhere in what pghandoff wrote (the temporary directory's own name aside).
    const char* password = std::getenv("PGPASSWORD");
    if (password && *password) {
        for (const auto* file : {"pghandoff.log", "report.json", "status.json"}) {
            std::string text = read_file(state / file);
            for (std::size_t at; (at = text.find(work.path().string())) != std::string::npos;)
                text.erase(at, work.path().string().size());
            EXPECT_FALSE(mentions(text, password)) << file << ": " << text;
        }
    }
    // The state directory stays private; the control socket is gone with the run.
    EXPECT_EQ(fs::status(state).permissions() & fs::perms::all, fs::perms::owner_all);
    EXPECT_FALSE(fs::exists(state / "control.sock"));
}

TEST_F(cutover_test, verify_while_streaming_reads_both_sides_at_one_point) {
    test_databases dbs(servers_.source, servers_.target, "verify_streaming");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    background_command migrate(pghandoff_command(migrate_arguments(dbs, state, {"--apply-jobs", "3"})), {}, work.path());
    auto status = wait_for_phase(state, "streaming", 120s);
    ASSERT_EQ(status.value("phase", ""), "streaming") << status.dump() << describe(migrate.wait(1s));
    auto load = start_load(dbs, work.path(), 300);
    std::this_thread::sleep_for(1s);
    const std::vector<std::string> verify{"verify", "--source", dbs.source_uri(), "--target", dbs.target_uri(),
                                          "--state-dir", state.string(), "--json"};
    // Under load, a consistent read finds the two sides equal.
    auto equal = run_pghandoff(verify);
    EXPECT_EQ(equal.exit_code, 0) << describe(equal);
    // A difference planted on the target (in a table the load leaves alone) is found.
    dbs.connect_target().exec("UPDATE notes SET body = 'tampered' WHERE id = 250");
    auto different = run_pghandoff(verify);
    EXPECT_EQ(different.exit_code, 1) << describe(different);
    EXPECT_TRUE(mentions(different.stdout_text, "(id)=(250)")) << different.stdout_text;
    load->kill(SIGTERM);
    load->wait(10s);
    EXPECT_TRUE(migrate.running()) << describe(migrate.wait(1s));
    stop_and_clean_up(migrate, dbs, state);
}

TEST_F(cutover_test, a_failed_hook_undoes_the_fence_and_streaming_goes_on) {
    test_databases dbs(servers_.source, servers_.target, "cutover_hook");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    background_command migrate(pghandoff_command(migrate_arguments(dbs, state, {"--on-cutover", "exit 3"})), {},
                               work.path());
    auto status = wait_for_phase(state, "streaming", 120s);
    ASSERT_EQ(status.value("phase", ""), "streaming") << status.dump() << describe(migrate.wait(1s));

    auto cutover = run_pghandoff({"cutover", "--state-dir", state.string()}, {}, 5min);
    EXPECT_EQ(cutover.exit_code, 1) << describe(cutover);
    EXPECT_TRUE(mentions(cutover.stderr_text, "exit status 3")) << cutover.stderr_text;
    EXPECT_TRUE(mentions(cutover.stderr_text, "writable again")) << cutover.stderr_text;
    ASSERT_TRUE(migrate.running()) << describe(migrate.wait(1s));

    // The source takes writes from new sessions again, and they still reach the target.
    auto src = dbs.connect_source();
    EXPECT_NO_THROW(src.exec("INSERT INTO notes (body) VALUES ('after the failed cutover')"));
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::vector<std::string> diff;
    do {
        std::this_thread::sleep_for(300ms);
        compare_options streaming;
        streaming.sequence_values = false;  // sequences are set at the cutover only
        streaming.trigger_firing = false;   // ENABLE ALWAYS triggers are back at the cutover only
        diff = compare_databases(dbs.source_conninfo(), dbs.target_conninfo(), streaming);
    } while (!diff.empty() && std::chrono::steady_clock::now() < deadline);
    EXPECT_TRUE(diff.empty()) << describe_differences(diff);
    status = status_of(state);
    EXPECT_EQ(status.value("phase", ""), "streaming");
    ASSERT_TRUE(status["last_error"].is_string()) << status.dump();
    EXPECT_TRUE(mentions(status["last_error"].get<std::string>(), "exit status 3")) << status.dump();

    // Abandon it: stop, and `pghandoff cleanup` removes what is left on both sides.
    stop_and_clean_up(migrate, dbs, state);
    EXPECT_NO_THROW(dbs.connect_source().exec("INSERT INTO notes (body) VALUES ('still writable')"));
}

TEST_F(cutover_test, automatic_mode_cuts_over_once_caught_up) {
    test_databases dbs(servers_.source, servers_.target, "cutover_auto");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    auto load = start_load(dbs, work.path(), 100);
    auto result = run_pghandoff(
        migrate_arguments(dbs, state, {"--cutover", "auto", "--max-lag", "2s", "--unfence-source"}), {}, 5min);
    load->kill(SIGTERM);
    load->wait(10s);
    ASSERT_EQ(result.exit_code, 0) << describe(result);
    auto report = nlohmann::json::parse(read_file(state / "report.json"), nullptr, false);
    ASSERT_FALSE(report.is_discarded());
    EXPECT_EQ(report.value("trigger", ""), "auto");
    EXPECT_FALSE(report.value("source_left_read_only", true));
    // Unfenced: the source takes writes again; everything before the fence is on the target.
    auto src = dbs.connect_source();
    auto dst = dbs.connect_target();
    const std::string at_cutover = *dst.scalar("SELECT count(*) FROM pgbench_history");
    EXPECT_EQ(pgbench_fingerprint(dst), pgbench_fingerprint(src));
    EXPECT_NO_THROW(src.exec("INSERT INTO notes (body) VALUES ('source writable again')"));
    EXPECT_EQ(*dst.scalar("SELECT count(*) FROM pgbench_history"), at_cutover);
    expect_nothing_left(dbs);
}

TEST_F(cutover_test, scheduled_mode_cuts_over_at_its_time) {
    test_databases dbs(servers_.source, servers_.target, "cutover_at");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    const auto started = std::chrono::steady_clock::now();
    auto result = run_pghandoff(
        migrate_arguments(dbs, state, {"--cutover", "at=" + rfc3339_in(8s), "--fence", "none"}), {}, 5min);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(result.exit_code, 0) << describe(result);
    EXPECT_GE(took, 6s);  // whole seconds in the time given
    auto report = nlohmann::json::parse(read_file(state / "report.json"), nullptr, false);
    ASSERT_FALSE(report.is_discarded());
    EXPECT_EQ(report.value("trigger", ""), "scheduled");
    EXPECT_EQ(report.value("fence", ""), "none");
    auto diff = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(diff.empty()) << describe_differences(diff);
    expect_nothing_left(dbs);
}

TEST_F(cutover_test, a_second_migrate_or_a_cleanup_in_a_running_state_directory_is_refused_and_the_first_goes_on) {
    test_databases dbs(servers_.source, servers_.target, "state_dir_lock");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    background_command migrate(pghandoff_command(migrate_arguments(dbs, state, {})), {}, work.path());
    auto status = wait_for_phase(state, "streaming", 120s);
    ASSERT_EQ(status.value("phase", ""), "streaming") << status.dump() << describe(migrate.wait(1s));

    // Run again by mistake (say, from a second terminal): refused before it touches anything.
    auto second = run_pghandoff(migrate_arguments(dbs, state, {}));
    EXPECT_EQ(second.exit_code, 1) << describe(second);
    const auto errors = error_lines(second.stderr_text);
    ASSERT_EQ(errors.size(), 1u) << describe(second);
    EXPECT_TRUE(mentions(errors[0], "another pghandoff process (pid ")) << errors[0];
    EXPECT_TRUE(mentions(errors[0], "is using the state directory " + state.string())) << errors[0];
    auto cleanup = run_pghandoff({"cleanup", "--source", dbs.source_uri(), "--target", dbs.target_uri(), "--state-dir",
                                  state.string()});
    EXPECT_EQ(cleanup.exit_code, 1) << describe(cleanup);
    EXPECT_TRUE(mentions(cleanup.stderr_text, "so cleanup cannot start")) << describe(cleanup);
    EXPECT_EQ(dbs.connect_source().scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pghandoff%'"),
              "1");

    // The first run still owns its control socket: it cuts over when told to.
    EXPECT_TRUE(migrate.running()) << describe(migrate.wait(1s));
    auto cutover = run_pghandoff({"cutover", "--state-dir", state.string()});
    EXPECT_EQ(cutover.exit_code, 0) << describe(cutover);
    auto finished = migrate.wait(120s);
    EXPECT_EQ(finished.exit_code, 0) << describe(finished);
    expect_nothing_left(dbs);
}

TEST_F(cutover_test, only_the_state_directory_owner_may_cut_over) {
    if (::geteuid() != 0 || !fs::exists("/usr/sbin/runuser")) GTEST_SKIP() << "needs root and runuser";
    test_databases dbs(servers_.source, servers_.target, "cutover_owner");
    prepare_source(dbs);
    temporary_directory work;
    const fs::path state = work.path() / "state";
    background_command migrate(pghandoff_command(migrate_arguments(dbs, state, {})), {}, work.path());
    auto status = wait_for_phase(state, "streaming", 120s);
    ASSERT_EQ(status.value("phase", ""), "streaming") << status.dump();
    auto command = pghandoff_command({"cutover", "--state-dir", state.string()});
    command.insert(command.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
    auto other = run_command(command);
    EXPECT_NE(other.exit_code, 0) << describe(other);
    EXPECT_TRUE(mentions(other.stderr_text, "permission denied") || mentions(other.stderr_text, "owner") ||
                mentions(other.stderr_text, "Permission denied"))
        << describe(other);
    EXPECT_TRUE(migrate.running());
    EXPECT_EQ(status_of(state)["cutover"].value("attempts", -1), 0);
    stop_and_clean_up(migrate, dbs, state);
}

}  // namespace
}  // namespace pghandoff::integration
