// Capture: pgoutput changes from a real source go into the spool, exactly as committed, and the
// source hears a position is flushed only once the spool holds it durably.
#include <filesystem>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cdc/publication.hpp"
#include "cdc/replication_stream.hpp"
#include "migration/change_capture.hpp"
#include "pg/replication.hpp"
#include "spool/reader.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

namespace asio = boost::asio;

/// Counts of what the spool holds, by message kind.
struct spooled {
    int inserts = 0, updates = 0, deletes = 0, truncates = 0, commits = 0, relations = 0, unchanged_toast = 0;
};

spooled read_spool(const std::filesystem::path& dir) {
    spool::reader reader(dir, pg::lsn{});
    spooled out;
    while (auto e = reader.next()) {
        std::visit(
            [&](const auto& m) {
                using T = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<T, cdc::insert_message>) ++out.inserts;
                if constexpr (std::is_same_v<T, cdc::update_message>) {
                    ++out.updates;
                    for (const auto& c : m.new_tuple)
                        if (c.kind == cdc::column_kind::unchanged_toast) ++out.unchanged_toast;
                }
                if constexpr (std::is_same_v<T, cdc::delete_message>) ++out.deletes;
                if constexpr (std::is_same_v<T, cdc::truncate_message>) ++out.truncates;
                if constexpr (std::is_same_v<T, cdc::commit_message>) ++out.commits;
                if constexpr (std::is_same_v<T, cdc::relation_message>) ++out.relations;
            },
            e->message);
    }
    return out;
}

class change_capture_test : public server_test {};

TEST_F(change_capture_test, spools_every_committed_change_and_confirms_only_what_is_durable) {
    test_databases dbs(servers_.source, servers_.target, "capture");
    auto src = dbs.connect_source();
    src.exec("CREATE TABLE items (id int PRIMARY KEY, v text, doc text)");
    src.exec("ALTER TABLE items ALTER COLUMN doc SET STORAGE EXTERNAL");
    temporary_directory state;
    const auto spool_dir = state.path() / "spool";
    const auto source_info = pg::conninfo::parse(dbs.source_conninfo());

    asio::io_context io;
    std::exception_ptr failure;
    pg::lsn last_commit;
    std::string slot_confirmed;
    auto scenario = [&]() -> asio::awaitable<void> {
        auto admin = co_await pg::connection::connect(source_info, "source");
        std::vector<catalog::qualified_name> tables{{"public", "items"}};
        co_await cdc::create_publication(admin, "pghandoff_test", tables);
        auto exporter = co_await pg::connection::connect(pg::replication_conninfo(source_info), "replication");
        auto slot = co_await pg::create_exported_slot(exporter, "pghandoff_capture_test", false);

        // Changes after the slot's consistent point: inserts, an update that leaves the TOASTed
        // doc unchanged, a key change, deletes, a rolled-back transaction and a TRUNCATE.
        co_await admin.exec("INSERT INTO items SELECT g, 'v' || g, repeat('x', 10000) FROM generate_series(1, 500) g");
        co_await admin.exec("UPDATE items SET v = 'changed' WHERE id <= 10");
        co_await admin.exec("UPDATE items SET id = id + 1000 WHERE id = 11");
        co_await admin.exec("DELETE FROM items WHERE id BETWEEN 20 AND 29");
        co_await admin.exec("BEGIN; INSERT INTO items VALUES (9999, 'never', NULL); ROLLBACK");
        co_await admin.exec("TRUNCATE items");
        auto lsn = co_await admin.exec("SELECT pg_catalog.pg_current_wal_lsn()::text");
        last_commit = pg::lsn::parse(lsn.get(0, 0)).value();

        auto conn = co_await pg::connection::connect(pg::replication_conninfo(source_info), "replication");
        cdc::replication_stream stream(std::move(conn));
        cdc::stream_options options{slot.slot_name, {"pghandoff_test"}, slot.consistent_point, admin.server_version()};
        co_await stream.start(options);
        spool::writer writer(spool_dir);
        migration::change_capture capture(stream, writer, {});
        // Stop once the spool durably holds the last commit, then tell the source.
        asio::steady_timer poll(io);
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            while (capture.counters().durable < last_commit && !failure) {
                poll.expires_after(std::chrono::milliseconds(20));
                co_await poll.async_wait(asio::use_awaitable);
            }
            capture.stop();
            co_await stream.send_status();
            co_await stream.stop();
        }, asio::detached);
        co_await capture.run();
        auto confirmed = co_await admin.exec(
            "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = 'pghandoff_capture_test'");
        slot_confirmed = confirmed.text(0, 0);
    };
    asio::co_spawn(io, scenario(), [&](std::exception_ptr e) { failure = e; });
    io.run_for(std::chrono::seconds(60));
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            FAIL() << e.what();
        }
    }
    auto got = read_spool(spool_dir);
    EXPECT_EQ(got.inserts, 500);
    EXPECT_EQ(got.updates, 11);
    EXPECT_EQ(got.unchanged_toast, 11) << "updates that leave a TOASTed value alone must say so ('u')";
    EXPECT_EQ(got.deletes, 10);
    EXPECT_EQ(got.truncates, 1);
    EXPECT_EQ(got.commits, 5) << "the rolled-back transaction is never sent";
    EXPECT_GE(got.relations, 1);
    EXPECT_GE(pg::lsn::parse(slot_confirmed).value(), last_commit)
        << "the source must hear that everything spooled is flushed";
}

}  // namespace
}  // namespace pghandoff::integration
