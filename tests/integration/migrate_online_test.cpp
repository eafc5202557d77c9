// Online migration: the source keeps taking writes during the copy and after it; the target
// follows it, and ends equal to it, across a graceful stop and a kill -9 followed by a rerun.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "support/db_compare.hpp"
#include "support/pghandoff_cli.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

using namespace std::chrono_literals;

/// A small shop with a TOAST column, a keyless log and a table whose key changes.
void create_source_schema(pg_session& src) {
    src.exec(
        "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text, doc text);"
        "ALTER TABLE accounts ALTER COLUMN doc SET STORAGE EXTERNAL;"
        "CREATE TABLE history (account int, delta int, at timestamptz DEFAULT now(), info jsonb);"
        "CREATE TABLE codes (code text PRIMARY KEY, label text);"
        "INSERT INTO accounts SELECT g, 0, 'n' || g, repeat(md5(g::text), 200) FROM generate_series(1, 20000) g;"
        "INSERT INTO codes SELECT 'c' || g, 'label ' || g FROM generate_series(1, 100) g;");
}

/// Some transactions of every kind: balance updates (leaving the TOASTed doc alone), keyless
/// inserts and deletes of one of identical rows, a primary key change, inserts and deletes.
void write_some(pg_session& src, int round) {
    const std::string r = std::to_string(round);
    src.exec("UPDATE accounts SET balance = balance + " + r + " WHERE id % 97 = " + std::to_string(round % 97));
    src.exec("INSERT INTO history (account, delta, info) SELECT g, " + r +
             ", jsonb_build_object('round', " + r + ") FROM generate_series(1, 5) g");
    src.exec("INSERT INTO history (account, delta, info) VALUES (0, 0, '{\"dup\": true}'), (0, 0, '{\"dup\": true}')");
    src.exec("DELETE FROM history WHERE ctid = (SELECT ctid FROM history WHERE account = 0 LIMIT 1)");
    src.exec("UPDATE codes SET code = code || 'x' WHERE code = (SELECT min(code) FROM codes)");
    src.exec("INSERT INTO accounts VALUES (" + std::to_string(100000 + round) + ", 1, 'new', NULL)");
    src.exec("DELETE FROM accounts WHERE id = " + std::to_string(20000 - round));
}

/// Polls until the target equals the source (the applier caught up), or the time is out.
std::vector<std::string> wait_until_equal(const test_databases& dbs, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::vector<std::string> diff;
    do {
        diff = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
        if (diff.empty()) return diff;
        std::this_thread::sleep_for(500ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return diff;
}

class migrate_online : public server_test {
protected:
    std::vector<std::string> online_arguments(const test_databases& dbs, const std::filesystem::path& state) {
        return {"migrate", "--source", dbs.source_uri(), "--target", dbs.target_uri(), "--state-dir", state.string(),
                "--replica-identity-full", "--progress", "plain", "--jobs", "2"};
    }
};

TEST_F(migrate_online, follows_writes_during_and_after_the_copy_across_a_stop_and_a_kill) {
    test_databases dbs(servers_.source, servers_.target, "online");
    auto src = dbs.connect_source();
    create_source_schema(src);
    temporary_directory state;
    temporary_directory logs;
    const auto args = online_arguments(dbs, state.path() / "state");

    {
        background_command run(pghandoff_command(args), {}, logs.path());
        for (int round = 1; round <= 30; ++round) write_some(src, round);  // during and after the copy
        auto diff = wait_until_equal(dbs, 90s);
        ASSERT_TRUE(diff.empty()) << describe_differences(diff) << describe(run.wait(1s));
        run.kill(SIGTERM);
        auto result = run.wait(30s);
        ASSERT_EQ(result.exit_code, 0) << describe(result);
    }
    for (int round = 31; round <= 40; ++round) write_some(src, round);  // while pghandoff is stopped
    {
        background_command run(pghandoff_command(args), {}, logs.path());
        for (int round = 41; round <= 50; ++round) write_some(src, round);
        auto diff = wait_until_equal(dbs, 60s);
        ASSERT_TRUE(diff.empty()) << describe_differences(diff);
        run.kill(SIGKILL);  // a crash while streaming
        run.wait(10s);
    }
    for (int round = 51; round <= 60; ++round) write_some(src, round);
    {
        background_command run(pghandoff_command(args), {}, logs.path());
        auto diff = wait_until_equal(dbs, 60s);
        EXPECT_TRUE(diff.empty()) << describe_differences(diff);
        run.kill(SIGTERM);
        EXPECT_EQ(run.wait(30s).exit_code, 0);
    }
}

TEST_F(migrate_online, creates_a_table_whose_data_is_excluded_empty_and_leaves_its_changes_out) {
    test_databases dbs(servers_.source, servers_.target, "online_nodata");
    auto src = dbs.connect_source();
    create_source_schema(src);
    src.exec("CREATE INDEX history_account ON history (account)");
    temporary_directory state;
    temporary_directory logs;
    auto args = online_arguments(dbs, state.path() / "state");
    args.insert(args.end(), {"--exclude-table-data", "hist*"});

    background_command run(pghandoff_command(args), {}, logs.path());
    for (int round = 1; round <= 20; ++round) write_some(src, round);  // history gets rows in every round
    compare_options options;
    options.excluded_tables = {{"public", "history"}};
    std::vector<std::string> diff;
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    do {
        diff = compare_databases(dbs.source_conninfo(), dbs.target_conninfo(), options);
        if (diff.empty()) break;
        std::this_thread::sleep_for(500ms);
    } while (std::chrono::steady_clock::now() < deadline);
    ASSERT_TRUE(diff.empty()) << describe_differences(diff) << describe(run.wait(1s));
    auto target = dbs.connect_target();
    EXPECT_EQ(target.scalar("SELECT count(*) FROM history"), "0");
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'history_account'"), "1");
    EXPECT_NE(src.scalar("SELECT count(*) FROM history"), "0");
    EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_publication_tables WHERE pubname LIKE 'pghandoff%' AND tablename = 'history'"),
              "0");
    run.kill(SIGTERM);
    EXPECT_EQ(run.wait(30s).exit_code, 0);
}

TEST_F(migrate_online, applies_on_several_connections_keeping_linked_tables_together_across_a_kill) {
    test_databases dbs(servers_.source, servers_.target, "online_apply_jobs");
    auto src = dbs.connect_source();
    create_source_schema(src);
    src.exec("CREATE TABLE customers (id int PRIMARY KEY, name text);"
             "CREATE TABLE orders (id int PRIMARY KEY, customer int REFERENCES customers, total numeric);"
             "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 50) g;"
             "INSERT INTO orders SELECT g, 1 + g % 50, g FROM generate_series(1, 500) g;");
    auto write_orders = [&](int round) {
        const std::string r = std::to_string(round);
        // One source transaction across tables that different connections apply.
        src.exec("BEGIN; INSERT INTO orders VALUES (" + std::to_string(1000 + round) + ", " + std::to_string(1 + round % 50) +
                 ", " + r + "); UPDATE accounts SET balance = balance - 1 WHERE id = " + r + "; COMMIT");
        if (round % 10 == 5)
            src.exec("TRUNCATE customers CASCADE; INSERT INTO customers SELECT g, 'again ' || g FROM generate_series(1, 50) g; "
                     "INSERT INTO orders SELECT g, 1 + g % 50, g * 2 FROM generate_series(1, 100) g");
    };
    temporary_directory state;
    temporary_directory logs;
    auto args = online_arguments(dbs, state.path() / "state");
    args.insert(args.end(), {"--apply-jobs", "3"});
    const std::string our_origins =
        "SELECT count(*) FROM pg_replication_origin WHERE roname ~ '^pghandoff_[0-9a-f]{8}(_[0-9]+)?$'";
    {
        background_command run(pghandoff_command(args), {}, logs.path());
        for (int round = 1; round <= 20; ++round) {
            write_some(src, round);
            write_orders(round);
        }
        auto diff = wait_until_equal(dbs, 90s);
        ASSERT_TRUE(diff.empty()) << describe_differences(diff) << describe(run.wait(1s));
        auto dst = dbs.connect_target();
        EXPECT_EQ(dst.scalar(our_origins), "3") << "an origin per apply connection";
        const std::string assigned =
            "SELECT count(DISTINCT split_part(key, E'\\x1f', 4)) FROM pghandoff.step WHERE key LIKE 'apply table%'";
        EXPECT_EQ(dst.scalar(assigned), "3") << "every connection has tables";
        EXPECT_EQ(dst.scalar(assigned + " AND split_part(key, E'\\x1f', 3) IN ('customers', 'orders')"), "1")
            << "tables linked by a foreign key share a connection";
        run.kill(SIGKILL);  // a crash while streaming
        run.wait(10s);
    }
    for (int round = 21; round <= 30; ++round) {
        write_some(src, round);
        write_orders(round);
    }
    {
        // The migration keeps the connections and assignment of its first apply.
        auto again = online_arguments(dbs, state.path() / "state");
        again.insert(again.end(), {"--apply-jobs", "1"});
        background_command run(pghandoff_command(again), {}, logs.path());
        for (int round = 31; round <= 35; ++round) write_orders(round);
        auto diff = wait_until_equal(dbs, 60s);
        EXPECT_TRUE(diff.empty()) << describe_differences(diff);
        EXPECT_EQ(dbs.connect_target().scalar(our_origins), "3");
        run.kill(SIGTERM);
        EXPECT_EQ(run.wait(30s).exit_code, 0);
    }
}

TEST_F(migrate_online, applies_each_table_once_it_is_copied_while_others_still_copy) {
    test_databases dbs(servers_.source, servers_.target, "online_early_apply");
    auto src = dbs.connect_source();
    create_source_schema(src);
    // About 130 MB in 16 MB chunks: it copies for a while after the small tables are in.
    src.exec("CREATE TABLE big (id bigint PRIMARY KEY, pad text);"
             "INSERT INTO big SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 600000) g;");
    temporary_directory state;
    temporary_directory logs;
    auto args = online_arguments(dbs, state.path() / "state");
    args.insert(args.end(), {"--chunk-size", "16MB", "--apply-jobs", "2"});
    {
        background_command run(pghandoff_command(args), {}, logs.path());
        for (int round = 1; round <= 20; ++round) {  // during the copy and after it
            write_some(src, round);
            src.exec("UPDATE big SET pad = 'changed " + std::to_string(round) + "' WHERE id % 50000 = " + std::to_string(round));
        }
        auto diff = wait_until_equal(dbs, 120s);
        ASSERT_TRUE(diff.empty()) << describe_differences(diff) << describe(run.wait(1s));
        run.kill(SIGTERM);
        EXPECT_EQ(run.wait(30s).exit_code, 0);
    }
    // The log tells the order: a table was applied from while others still copied, and each
    // table only once its own last chunk was in.
    std::ifstream log(state.path() / "state" / "pghandoff.log");
    std::string line, text;
    long line_number = 0, first_applied = -1, last_copied = -1;
    std::map<std::string, long> applied_at, last_chunk_at;
    // Tables taken on together share a line: "applying the changes of a, b from now on".
    const std::regex applied(R"(applying the changes of (.+) from now on)"), copied(R"(copied (\S+) chunk)");
    while (std::getline(log, line)) {
        ++line_number;
        text += line + "\n";
        std::smatch m;
        if (std::regex_search(line, m, applied)) {
            std::string list = m[1];
            for (std::size_t start = 0; start <= list.size();) {
                const std::size_t end = std::min(list.find(", ", start), list.size());
                applied_at.emplace(list.substr(start, end - start), line_number);
                start = end + 2;
            }
            if (first_applied < 0) first_applied = line_number;
        }
        if (std::regex_search(line, m, copied)) {
            last_chunk_at[m[1]] = line_number;
            last_copied = line_number;
        }
    }
    ASSERT_GT(first_applied, 0) << "the log must say when each table was taken on\n" << text;
    EXPECT_LT(first_applied, last_copied) << "a table is applied while others still copy\n" << text;
    ASSERT_GT(last_chunk_at.count("public.big"), 0u) << text;
    EXPECT_GT(last_chunk_at.size(), 1u) << text;
    for (const auto& [table, chunk_line] : last_chunk_at) {
        ASSERT_TRUE(applied_at.count(table)) << table << " was never taken on\n" << text;
        EXPECT_GT(applied_at[table], chunk_line) << table << " is applied only once its copy is in\n" << text;
    }
}

TEST_F(migrate_online, resumes_after_a_kill_during_the_copy_with_writes_before_and_after) {
    test_databases dbs(servers_.source, servers_.target, "online_copy_kill");
    auto src = dbs.connect_source();
    create_source_schema(src);
    src.exec("CREATE TABLE bulk (id bigint PRIMARY KEY, v text);"
             "INSERT INTO bulk SELECT g, md5(g::text) FROM generate_series(1, 1500000) g");
    temporary_directory state;
    temporary_directory logs;
    auto args = online_arguments(dbs, state.path() / "state");
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--jobs") args[i + 1] = "1";
    args.insert(args.end(), {"--chunk-size", "8MB"});
    auto dst = dbs.connect_target();
    {
        background_command run(pghandoff_command(args), {}, logs.path());
        // Kill it once a chunk of the bulk table is in, while writes go on.
        auto deadline = std::chrono::steady_clock::now() + 60s;
        int round = 1;
        for (;; ++round) {
            write_some(src, round);
            src.exec("UPDATE bulk SET v = 'changed " + std::to_string(round) + "' WHERE id % 1000 = " + std::to_string(round));
            auto done = dst.scalar(
                "SELECT count(*) FROM pg_catalog.pg_tables t WHERE t.schemaname = 'pghandoff' AND t.tablename = 'chunk'");
            if (done == "1" && dst.scalar("SELECT count(*) FROM pghandoff.chunk WHERE done_at IS NOT NULL AND "
                                          "table_name = 'bulk'") != "0")
                break;
            ASSERT_TRUE(run.running()) << describe(run.wait(1s));
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the copy never started";
        }
        run.kill(SIGKILL);
        run.wait(10s);
        ASSERT_NE(dst.scalar("SELECT count(*) FROM pghandoff.chunk WHERE done_at IS NULL"), "0")
            << "the kill came after the copy: the test proves nothing";
    }
    for (int round = 100; round <= 110; ++round) write_some(src, round);
    src.exec("UPDATE bulk SET v = 'after the kill' WHERE id % 777 = 0");
    {
        background_command run(pghandoff_command(args), {}, logs.path());
        for (int round = 111; round <= 115; ++round) write_some(src, round);
        auto diff = wait_until_equal(dbs, 120s);
        EXPECT_TRUE(diff.empty()) << describe_differences(diff);
        run.kill(SIGTERM);
        auto result = run.wait(30s);
        EXPECT_EQ(result.exit_code, 0) << describe(result);
    }
}

TEST_F(migrate_online, reconnects_when_the_source_drops_the_stream) {
    test_databases dbs(servers_.source, servers_.target, "online_drop");
    auto src = dbs.connect_source();
    create_source_schema(src);
    temporary_directory state;
    temporary_directory logs;
    background_command run(pghandoff_command(online_arguments(dbs, state.path() / "state")), {}, logs.path());
    for (int round = 1; round <= 5; ++round) write_some(src, round);
    ASSERT_TRUE(wait_until_equal(dbs, 60s).empty());
    // The walsender goes away, as when the source restarts or the network drops the connection.
    auto ended = src.scalar(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_replication WHERE application_name = 'pghandoff'");
    EXPECT_EQ(ended, "1");
    for (int round = 6; round <= 15; ++round) write_some(src, round);
    auto diff = wait_until_equal(dbs, 60s);
    EXPECT_TRUE(diff.empty()) << describe_differences(diff);
    run.kill(SIGTERM);
    auto result = run.wait(30s);
    EXPECT_EQ(result.exit_code, 0) << describe(result);
    EXPECT_TRUE(mentions(result.stderr_text, "reconnecting")) << describe(result);
}

TEST_F(migrate_online, follows_through_a_source_server_restart) {
    const char* restart = std::getenv("PGHANDOFF_TEST_SOURCE_RESTART");
    if (!restart || !*restart) GTEST_SKIP() << "PGHANDOFF_TEST_SOURCE_RESTART is not set; run tools/test";
    test_databases dbs(servers_.source, servers_.target, "online_restart");
    {
        auto src = dbs.connect_source();
        create_source_schema(src);
    }
    temporary_directory state;
    temporary_directory logs;
    background_command run(pghandoff_command(online_arguments(dbs, state.path() / "state")), {}, logs.path());
    {
        auto src = dbs.connect_source();
        for (int round = 1; round <= 5; ++round) write_some(src, round);
    }
    ASSERT_TRUE(wait_until_equal(dbs, 60s).empty()) << describe(run.wait(1s));
    {
        // Writes committed just before the restart, then the restart (fast shutdown: every
        // session, the walsender included, is cut off), then writes after it.
        auto src = dbs.connect_source();
        for (int round = 6; round <= 10; ++round) write_some(src, round);
        // Then WAL that carries no published change: the stream goes idle past it. A fast
        // shutdown waits until pghandoff confirms all of it, which an idle client must do too.
        src.exec("CREATE TEMP TABLE unpublished AS SELECT generate_series(1, 1000) AS x; ANALYZE unpublished");
    }
    std::this_thread::sleep_for(2s);
    std::vector<std::string> command{"/bin/sh", "-c", restart};
    auto restarted = run_command(command, {}, std::chrono::minutes(2));
    ASSERT_EQ(restarted.exit_code, 0) << describe(restarted);
    {
        auto src = dbs.connect_source();
        for (int round = 11; round <= 20; ++round) write_some(src, round);
    }
    auto diff = wait_until_equal(dbs, 90s);
    EXPECT_TRUE(diff.empty()) << describe_differences(diff);
    EXPECT_TRUE(run.running());
    run.kill(SIGTERM);
    auto result = run.wait(30s);
    EXPECT_EQ(result.exit_code, 0) << describe(result);
    EXPECT_TRUE(mentions(result.stderr_text, "reconnecting")) << describe(result);
    auto cleanup = run_pghandoff({"cleanup", "--source", dbs.source_uri(), "--target", dbs.target_uri(), "--state-dir",
                                  (state.path() / "state").string()});
    EXPECT_EQ(cleanup.exit_code, 0) << describe(cleanup);
}

TEST_F(migrate_online, names_tables_that_cannot_replicate_and_leaves_nothing_behind) {
    test_databases dbs(servers_.source, servers_.target, "online_blocked");
    auto src = dbs.connect_source();
    src.exec("CREATE TABLE keyless (a int, b text); CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY)");
    temporary_directory state;
    auto result = run_pghandoff({"migrate", "--source", dbs.source_uri(), "--target", dbs.target_uri(), "--state-dir",
                                 (state.path() / "state").string()});
    EXPECT_NE(result.exit_code, 0) << describe(result);
    auto errors = error_lines(result.stderr_text);
    ASSERT_EQ(errors.size(), 2u) << describe(result);
    EXPECT_TRUE(mentions(errors[0], "public.keyless") && mentions(errors[0], "REPLICA IDENTITY FULL")) << errors[0];
    EXPECT_TRUE(mentions(errors[1], "public.scratch") && mentions(errors[1], "UNLOGGED")) << errors[1];
    EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"), "0");
    EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_publication"), "0");
}

}  // namespace
}  // namespace pghandoff::integration
