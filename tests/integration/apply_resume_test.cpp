// Exactly once: an applier killed in the middle of its work leaves the target at a commit the
// origin records, and the next one goes on from there without repeating or losing a change.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "apply/applier.hpp"
#include "apply/replication_origin.hpp"
#include "support/change_replay.hpp"
#include "support/db_compare.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

namespace asio = boost::asio;

// events has no key: a transaction applied twice leaves rows twice.
constexpr const char* schema_sql =
    "CREATE TABLE events (txn int, note text); ALTER TABLE events REPLICA IDENTITY FULL; "
    "CREATE TABLE totals (id int PRIMARY KEY, n int); INSERT INTO totals VALUES (1, 0)";

constexpr const char* transactions_sql =
    "DO $$ BEGIN FOR i IN 1..1500 LOOP "
    "INSERT INTO events VALUES (i, repeat('e', 50)); UPDATE totals SET n = n + 1 WHERE id = 1; COMMIT; "
    "END LOOP; END $$";

class apply_resume_test : public server_test {};

/// Terminates the backend `pid` once the origin's progress reaches `mark`; gives up when
/// `*done` turns true first.
asio::awaitable<void> kill_at(const test_databases& dbs, std::string origin, pg::lsn mark, int pid, const bool* done) {
    auto watcher = co_await connect_target(dbs);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!*done) {
        const auto progress = co_await apply::origin_progress(watcher, origin);
        if (progress >= mark) {
            co_await watcher.exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
            co_return;
        }
        timer.expires_after(std::chrono::milliseconds(1));
        co_await timer.async_wait(asio::use_awaitable);
    }
}

TEST_F(apply_resume_test, resumes_after_a_crash_in_the_middle_without_applying_anything_twice) {
    test_databases dbs(servers_.source, servers_.target, "apply_resume");
    test_origin origin(dbs);
    dbs.connect_source().exec(schema_sql);
    dbs.connect_target().exec(schema_sql);
    temporary_directory state;
    const auto spool = state.path() / "spool";
    pg::lsn halfway, end;
    run_scenario([&]() -> asio::awaitable<void> {
        const std::vector<catalog::qualified_name> tables{{"public", "events"}, {"public", "totals"}};
        co_await publish(dbs, "pghandoff_resume", tables);
        dbs.connect_source().exec(transactions_sql);
        halfway = co_await source_wal_position(dbs);
        dbs.connect_source().exec(transactions_sql);
        end = co_await source_wal_position(dbs);
        co_await capture_until(dbs, "pghandoff_resume", spool, end);
    });

    auto options = origin.options();
    options.group_transactions = 3;  // many target transactions: the crash falls between or inside them
    bool crashed = false;
    bool done = false;  // outlives the scenario: the killer may look at it after
    pg::lsn after_crash;
    run_scenario([&]() -> asio::awaitable<void> {
        auto target = co_await connect_target(dbs);
        const int pid = PQbackendPID(target.native());
        asio::co_spawn(co_await asio::this_coro::executor, kill_at(dbs, origin.name(), halfway, pid, &done),
                       asio::detached);
        try {
            auto applier = co_await apply::applier::open(std::move(target), options);
            spool::reader reader(spool, applier.applied());
            co_await applier.apply_available(reader);
        } catch (const std::exception&) {
            crashed = true;
        }
        done = true;
        auto watcher = co_await connect_target(dbs);
        after_crash = co_await apply::origin_progress(watcher, origin.name());
    });
    ASSERT_TRUE(crashed) << "the apply ended before its session could be killed";
    EXPECT_GE(after_crash, halfway);
    EXPECT_LT(after_crash, end);

    std::size_t resumed = 0, again = 0;
    pg::lsn resumed_from;
    run_scenario([&]() -> asio::awaitable<void> {
        auto target = co_await connect_target(dbs);
        auto applier = co_await apply::applier::open(std::move(target), options);
        resumed_from = applier.applied();
        spool::reader reader(spool, applier.applied());
        resumed = co_await applier.apply_available(reader);
    });
    EXPECT_EQ(resumed_from, after_crash) << "a new applier starts where the origin says";
    EXPECT_GT(resumed, 0u);
    EXPECT_LT(resumed, 3000u);
    auto differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);

    // A reader from the very start of the spool: everything is on the target already.
    run_scenario([&]() -> asio::awaitable<void> {
        auto target = co_await connect_target(dbs);
        auto applier = co_await apply::applier::open(std::move(target), options);
        spool::reader reader(spool, pg::lsn{});
        again = co_await applier.apply_available(reader);
    });
    EXPECT_EQ(again, 0u) << "transactions the origin records are never applied again";
    differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);
}

}  // namespace
}  // namespace pghandoff::integration
