// Volume: a transaction of 1,000,000 rows is applied in bounded memory, and many small
// transactions share target transactions. Both print their apply rate (not asserted).
#include <fstream>
#include <iostream>

#include "apply/applier.hpp"
#include "support/change_replay.hpp"
#include "support/db_compare.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

/// A "VmRSS:"-style field of /proc/self/status, in kB.
long status_kb(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
    return -1;
}

/// Makes VmHWM start again from the current resident size (Linux 4.0+).
void reset_peak_memory() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct applied_run {
    apply::apply_counters counters;
    double seconds = 0;
    long peak_growth_kb = 0;
};

applied_run apply_measured(const test_databases& dbs, const std::filesystem::path& spool,
                           const apply::apply_options& options) {
    applied_run run;
    run_scenario([&]() -> asio::awaitable<void> {
        auto target = co_await connect_target(dbs);
        auto applier = co_await apply::applier::open(std::move(target), options);
        spool::reader reader(spool, applier.applied());
        const long resident_before = status_kb("VmRSS:");
        reset_peak_memory();
        const auto started = clock::now();
        co_await applier.apply_available(reader);
        run.seconds = std::chrono::duration<double>(clock::now() - started).count();
        run.peak_growth_kb = status_kb("VmHWM:") - resident_before;
        run.counters = applier.counters();
    });
    return run;
}

class apply_volume_test : public server_test {
protected:
    /// Creates `table` on both sides with `table_sql`, runs `changes_sql` on the source and
    /// captures what it did into `spool`.
    void capture_changes(const test_databases& dbs, const std::string& table, const std::string& table_sql,
                         const std::string& changes_sql, const std::filesystem::path& spool) {
        dbs.connect_source().exec(table_sql);
        dbs.connect_target().exec(table_sql);
        run_scenario([&]() -> asio::awaitable<void> {
            const std::vector<catalog::qualified_name> tables{{"public", table}};
            co_await publish(dbs, "pghandoff_volume", tables);
            dbs.connect_source().exec(changes_sql);
            const auto until = co_await source_wal_position(dbs);
            const auto started = clock::now();
            co_await capture_until(dbs, "pghandoff_volume", spool, until);
            std::cout << "[ figures  ] captured into the spool in "
                      << std::chrono::duration<double>(clock::now() - started).count() << " s\n";
        });
    }
};

TEST_F(apply_volume_test, applies_a_transaction_of_a_million_rows_in_bounded_memory) {
    test_databases dbs(servers_.source, servers_.target, "apply_big");
    test_origin origin(dbs);
    temporary_directory state;
    // 640 bytes a row, 640 MB in all: holding the transaction in memory would show.
    capture_changes(dbs, "big", "CREATE TABLE big (id int PRIMARY KEY, payload text)",
                    "INSERT INTO big SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 1000000) g",
                    state.path() / "spool");

    const auto run = apply_measured(dbs, state.path() / "spool", origin.options());
    std::cout << "[ figures  ] one transaction of 1000000 rows: " << run.seconds << " s, "
              << static_cast<long>(1000000 / run.seconds) << " rows/s, peak memory growth "
              << run.peak_growth_kb / 1024 << " MB\n";
    EXPECT_EQ(run.counters.inserts, 1000000u);
    EXPECT_EQ(run.counters.target_transactions, 1u);
    EXPECT_LT(run.peak_growth_kb, 100 * 1024) << "applying must not hold the transaction in memory";
    const auto differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);
}

TEST_F(apply_volume_test, groups_many_small_transactions_into_fewer_target_transactions) {
    test_databases dbs(servers_.source, servers_.target, "apply_small");
    test_origin origin(dbs);
    temporary_directory state;
    capture_changes(dbs, "small", "CREATE TABLE small (id int PRIMARY KEY, v text)",
                    "DO $$ BEGIN FOR i IN 1..20000 LOOP INSERT INTO small VALUES (i, 'v' || i); COMMIT; END LOOP; END $$",
                    state.path() / "spool");

    const auto run = apply_measured(dbs, state.path() / "spool", origin.options());
    std::cout << "[ figures  ] 20000 one-row transactions: " << run.seconds << " s, "
              << static_cast<long>(20000 / run.seconds) << " transactions/s in " << run.counters.target_transactions
              << " target transactions\n";
    EXPECT_EQ(run.counters.source_transactions, 20000u);
    EXPECT_LE(run.counters.target_transactions, 20000u / 10) << "small transactions share target transactions";
    const auto differences = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(differences.empty()) << describe_differences(differences);
}

}  // namespace
}  // namespace pghandoff::integration
