// Streamed transactions: a source transaction larger than logical_decoding_work_mem arrives in
// chunks before its commit (Stream Start..Stop blocks), interleaved with other transactions
// that commit while it runs. The applier replays it at its commit, drops it or a rolled back
// subtransaction of it on a Stream Abort, and resumes exactly after a stop in the middle.
#include <boost/asio/use_awaitable.hpp>

#include "apply/applier.hpp"
#include "support/change_replay.hpp"
#include "support/db_compare.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

namespace asio = boost::asio;

constexpr const char* schema_sql = R"sql(
CREATE TABLE docs (id int PRIMARY KEY, v text, body text);
ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text);
CREATE TABLE loose (a int, b json);
ALTER TABLE loose REPLICA IDENTITY FULL;
INSERT INTO docs SELECT g, 'v' || g, repeat(md5(g::text), 200) FROM generate_series(1, 300) g;
INSERT INTO loose VALUES (1, '{"x": 1}'), (1, '{"x": 1}'), (2, NULL);
)sql";

const std::vector<catalog::qualified_name> tables{{"public", "docs"}, {"public", "events"}, {"public", "loose"}};

class apply_streamed_test : public server_test {
protected:
    /// Both databases with the schema; the source decodes with 64 kB of memory, so every
    /// transaction of a few thousand rows is streamed.
    void prepare(test_databases& dbs) {
        dbs.connect_source().exec(schema_sql);
        dbs.connect_target().exec(schema_sql);
        dbs.connect_source().exec(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET logical_decoding_work_mem = %L', "
            "current_database(), '64kB'); END $$");
        run_scenario([&]() -> asio::awaitable<void> { co_await publish(dbs, "pghandoff_streamed", tables); });
    }

    void capture(test_databases& dbs, const std::filesystem::path& spool) {
        run_scenario([&]() -> asio::awaitable<void> {
            const auto until = co_await source_wal_position(dbs);
            co_await capture_until(dbs, "pghandoff_streamed", spool, until);
        });
    }

    /// Applies what the spool holds; stops before any transaction committing at or after
    /// `hold` when it is set.
    apply::apply_counters apply(const test_databases& dbs, const std::filesystem::path& state,
                                const apply::apply_options& options, pg::lsn hold = {},
                                std::string* spilled = nullptr) {
        apply::apply_counters counters;
        run_scenario([&]() -> asio::awaitable<void> {
            auto connection = co_await connect_target(dbs);
            auto applier = co_await apply::applier::open(std::move(connection), options);
            spool::reader reader(state / "spool", applier.applied());
            applier.hold_at(hold);
            co_await applier.apply_available(reader);
            counters = applier.counters();
            if (spilled) *spilled = spill_files(options.spill_dir);
        });
        return counters;
    }

    static std::string spill_files(const std::filesystem::path& dir) {
        std::string names;
        if (std::filesystem::exists(dir))
            for (const auto& item : std::filesystem::directory_iterator(dir)) names += item.path().filename().string() + " ";
        return names;
    }
};

/// The big transaction's first part: enough rows and TOASTed values to be streamed in chunks.
constexpr const char* big_first_sql =
    "BEGIN; INSERT INTO events SELECT g, 'big', repeat('e', 200) FROM generate_series(1, 4000) g; "
    "UPDATE docs SET v = 'in big' WHERE id <= 100; "  // TOASTed body unchanged: 'u'
    "DELETE FROM docs WHERE id BETWEEN 101 AND 120; "
    "UPDATE loose SET b = '{\"y\": 2}' WHERE ctid = (SELECT ctid FROM loose WHERE a = 1 LIMIT 1)";
/// Its second part, with a subtransaction rolled back and one released.
constexpr const char* big_second_sql =
    "SAVEPOINT s1; INSERT INTO events SELECT g, 'rolled back', repeat('r', 200) FROM generate_series(10001, 13000) g; "
    "UPDATE docs SET v = 'rolled back' WHERE id > 200; ROLLBACK TO SAVEPOINT s1; "
    "SAVEPOINT s2; INSERT INTO events SELECT g, 'kept', repeat('k', 200) FROM generate_series(20001, 23000) g; "
    "RELEASE SAVEPOINT s2; UPDATE docs SET id = id + 1000 WHERE id BETWEEN 121 AND 130; "
    "DELETE FROM events WHERE id % 7 = 0";

TEST_F(apply_streamed_test, replays_streamed_transactions_in_commit_order_with_aborts) {
    test_databases dbs(servers_.source, servers_.target, "apply_streamed");
    test_origin origin(dbs);
    prepare(dbs);
    auto big = dbs.connect_source();
    auto small = dbs.connect_source();
    big.exec(big_first_sql);
    small.exec("INSERT INTO events VALUES (900001, 'small during big', NULL)");
    small.exec("UPDATE docs SET v = 'small' WHERE id = 250");
    big.exec(big_second_sql);
    small.exec("INSERT INTO events VALUES (900002, 'small before the big commit', NULL)");
    big.exec("UPDATE events SET payload = 'after small' WHERE id = 900001");  // waits for nothing: committed
    big.exec("COMMIT");
    // A big transaction rolled back whole, and one after it.
    big.exec("BEGIN; INSERT INTO events SELECT g, 'aborted', repeat('a', 200) FROM generate_series(30001, 34000) g; "
             "ROLLBACK");
    big.exec("INSERT INTO events SELECT g, 'second big', repeat('s', 200) FROM generate_series(40001, 44000) g");
    temporary_directory state;
    capture(dbs, state.path() / "spool");

    auto options = origin.options();
    options.spill_dir = state.path() / "spill";
    const auto counters = apply(dbs, state.path(), options);
    EXPECT_EQ(counters.streamed_transactions, 2u) << "the source must have streamed both big transactions";
    EXPECT_EQ(counters.source_transactions, 5u);
    EXPECT_EQ(spill_files(state.path() / "spill"), "") << "every spill file goes with its transaction";
    const auto differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);
    EXPECT_EQ(dbs.connect_target().scalar("SELECT count(*) FROM events WHERE kind IN ('rolled back', 'aborted')"), "0");
}

TEST_F(apply_streamed_test, resumes_a_streamed_transaction_whose_chunks_came_before_the_restart) {
    test_databases dbs(servers_.source, servers_.target, "apply_streamed_resume");
    test_origin origin(dbs);
    prepare(dbs);
    auto big = dbs.connect_source();
    auto small = dbs.connect_source();
    big.exec(big_first_sql);
    small.exec("INSERT INTO events VALUES (900001, 'small during big', NULL)");
    pg::lsn before_commit;
    run_scenario([&]() -> asio::awaitable<void> { before_commit = co_await source_wal_position(dbs); });
    big.exec(big_second_sql);
    big.exec("COMMIT");
    temporary_directory state;
    capture(dbs, state.path() / "spool");

    auto options = origin.options();
    options.spill_dir = state.path() / "spill";
    // The first applier commits the small transaction, holds the chunks of the big one, and
    // stops (as a crash would) before its commit.
    std::string spilled;
    const auto first = apply(dbs, state.path(), options, before_commit, &spilled);
    EXPECT_EQ(first.source_transactions, 1u);
    EXPECT_NE(spilled, "") << "the big transaction's chunks wait in the spill";
    EXPECT_EQ(dbs.connect_target().scalar("SELECT count(*) FROM events WHERE kind = 'big'"), "0");
    // The next one starts with an empty spill: the spool gives the chunks from before its cut again.
    const auto second = apply(dbs, state.path(), options);
    EXPECT_EQ(second.streamed_transactions, 1u);
    EXPECT_EQ(second.source_transactions, 1u);
    const auto differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);
}

TEST_F(apply_streamed_test, resumes_after_the_capture_restarted_inside_a_streamed_transaction) {
    test_databases dbs(servers_.source, servers_.target, "apply_streamed_recapture");
    test_origin origin(dbs);
    prepare(dbs);
    auto big = dbs.connect_source();
    auto small = dbs.connect_source();
    big.exec(big_first_sql);
    small.exec("INSERT INTO events VALUES (900001, 'small during big', NULL)");
    temporary_directory state;
    auto options = origin.options();
    options.spill_dir = state.path() / "spill";
    // The capture stops with the big transaction half streamed; the applier applies what is there.
    capture(dbs, state.path() / "spool");
    apply(dbs, state.path(), options);
    big.exec(big_second_sql);
    big.exec("COMMIT");
    // The next capture repairs the spool (the open stream is aborted) and the source streams
    // the transaction again from its start.
    capture(dbs, state.path() / "spool");
    const auto second = apply(dbs, state.path(), options);
    EXPECT_EQ(second.streamed_transactions, 1u);
    const auto differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);
}

}  // namespace
}  // namespace pghandoff::integration
