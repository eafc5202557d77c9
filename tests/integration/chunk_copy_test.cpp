// A chunk is committed on the target once only: when another process marked it done while this
// one copied it, the copy rolls back instead of adding its rows a second time.
#include "migration/chunk_copy.hpp"

#include <gtest/gtest.h>

#include "catalog/table_catalog.hpp"
#include "migration/progress_store.hpp"
#include "support/change_replay.hpp"
#include "support/server_test.hpp"
#include "util/error.hpp"

namespace pghandoff::integration {
namespace {

namespace asio = boost::asio;

class chunk_copy_test : public server_test {};

TEST_F(chunk_copy_test, rolls_back_a_chunk_another_process_committed_meanwhile) {
    test_databases dbs(servers_.source, servers_.target, "chunk_once");
    // Keyless, and one chunk of two (no TRUNCATE): nothing but the mark stops a second copy.
    const char* schema = "CREATE TABLE items (id int, v text)";
    dbs.connect_source().exec(std::string(schema) + "; INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 100) g");
    dbs.connect_target().exec(schema);
    copy::copy_chunk chunk, rest;
    chunk.table = rest.table = {"public", "items"};
    chunk.chunk_count = rest.chunk_count = 2;
    chunk.first_page = 0;
    chunk.end_page = rest.first_page = 1000;
    rest.chunk_no = 1;
    migration::migration_identity id{"system", "chunk_once", "", "", ""};
    dbs.connect_target().exec(migration::create_progress_sql(id, {chunk, rest}));

    // The first copy commits its rows and its mark.
    std::string first_failure, second_failure;
    auto copy_once = [&](std::string& failure) {
        run_scenario([&]() -> asio::awaitable<void> {
            auto source = co_await pg::connection::connect(pg::conninfo::parse(dbs.source_conninfo()), "source");
            auto target = co_await connect_target(dbs);
            auto tables = co_await catalog::load_tables(source, catalog::scope{});
            pg::copy_counters counters;
            try {
                co_await migration::copy_chunk_exactly_once(source, target, tables.at(0), chunk, counters, "");
            } catch (const error& e) {
                failure = e.what();
            }
            // The target session is usable again after the failure.
            auto r = co_await target.exec("SELECT 1");
            EXPECT_EQ(r.rows(), 1);
        });
    };
    copy_once(first_failure);
    EXPECT_EQ(first_failure, "");
    EXPECT_EQ(dbs.connect_target().scalar("SELECT count(*) FROM items"), "100");

    // A second process that copied the same chunk (its mark was done meanwhile) adds nothing.
    copy_once(second_failure);
    EXPECT_EQ(second_failure,
              "chunk 1 of public.items was copied by another pghandoff process meanwhile: its copy here was rolled back");
    EXPECT_EQ(dbs.connect_target().scalar("SELECT count(*) || ' ' || count(DISTINCT id) FROM items"), "100 100");
    EXPECT_EQ(dbs.connect_target().scalar("SELECT rows FROM pghandoff.chunk WHERE chunk_no = 0"), "100");
}

}  // namespace
}  // namespace pghandoff::integration
