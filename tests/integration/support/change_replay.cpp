#include "support/change_replay.hpp"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "catalog/sequence_catalog.hpp"
#include "cdc/publication.hpp"
#include "cdc/replication_stream.hpp"
#include "migration/change_capture.hpp"
#include "pg/replication.hpp"
#include "spool/reader.hpp"
#include "spool/writer.hpp"

namespace pghandoff::integration {

namespace asio = boost::asio;

namespace {

asio::awaitable<pg::connection> connect_source(const test_databases& dbs) {
    co_return co_await pg::connection::connect(pg::conninfo::parse(dbs.source_conninfo()), "source");
}

asio::awaitable<void> pause(std::chrono::milliseconds how_long) {
    asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

void run_scenario(const std::function<asio::awaitable<void>()>& scenario, std::chrono::seconds limit) {
    asio::io_context io;
    std::exception_ptr failure;
    bool finished = false;
    asio::co_spawn(io, scenario(), [&](std::exception_ptr e) {
        failure = e;
        finished = true;
    });
    io.run_for(limit);
    if (failure) std::rethrow_exception(failure);
    if (!finished) throw std::runtime_error("the scenario did not end within " + std::to_string(limit.count()) + " s");
}

asio::awaitable<void> publish(const test_databases& dbs, std::string name, std::vector<catalog::qualified_name> tables) {
    auto source = co_await connect_source(dbs);
    co_await cdc::create_publication(source, name, tables);
    std::vector<std::optional<std::string>> params{name};
    co_await source.exec_params("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", params);
}

asio::awaitable<pg::lsn> source_wal_position(const test_databases& dbs) {
    auto source = co_await connect_source(dbs);
    auto position = co_await source.exec("SELECT pg_current_wal_lsn()::text");
    co_return pg::lsn::parse(position.get(0, 0)).value();
}

asio::awaitable<void> capture_until(const test_databases& dbs, std::string name, std::filesystem::path spool_dir,
                                    pg::lsn until) {
    auto conn =
        co_await pg::connection::connect(pg::replication_conninfo(pg::conninfo::parse(dbs.source_conninfo())), "replication");
    const int version = conn.server_version();
    cdc::replication_stream stream(std::move(conn));
    cdc::stream_options options{name, {name}, pg::lsn{}, version};
    co_await stream.start(options);
    spool::writer writer(spool_dir);
    migration::capture_options capture_options;
    capture_options.status_interval = std::chrono::milliseconds(200);
    migration::change_capture capture(stream, writer, capture_options);
    // Everything below `until` is durable once a commit at or above it is, or once the server
    // sent WAL up to it and the spool is at a transaction boundary.
    auto caught_up = [&] {
        const auto durable = capture.counters().durable;
        return durable >= until || (stream.server_wal_end() >= until && writer.last_commit_end() == durable &&
                                    writer.buffered_bytes() == 0);
    };
    bool stopped = false;
    bool abandoned = false;
    asio::co_spawn(
        co_await asio::this_coro::executor,
        [&]() -> asio::awaitable<void> {
            try {
                while (!caught_up() && !abandoned) co_await pause(std::chrono::milliseconds(20));
                capture.stop();
                if (!abandoned) {
                    co_await stream.send_status();
                    co_await stream.stop();
                }
            } catch (const std::exception&) {
                // capture.run() reports what went wrong with the stream
            }
            stopped = true;
        },
        asio::detached);
    std::exception_ptr failure;
    try {
        co_await capture.run();
    } catch (...) {
        failure = std::current_exception();
    }
    abandoned = failure != nullptr;
    while (!stopped) co_await pause(std::chrono::milliseconds(5));
    if (failure) std::rethrow_exception(failure);
}

asio::awaitable<pg::connection> connect_target(const test_databases& dbs) {
    co_return co_await pg::connection::connect(pg::conninfo::parse(dbs.target_conninfo()), "target");
}

asio::awaitable<std::size_t> apply_spool(const test_databases& dbs, std::filesystem::path spool_dir,
                                         apply::apply_options options) {
    auto target = co_await connect_target(dbs);
    auto applier = co_await apply::applier::open(std::move(target), options);
    spool::reader reader(spool_dir, applier.applied());
    const auto committed = co_await applier.apply_available(reader);
    co_return committed;
}

asio::awaitable<void> copy_sequences(const test_databases& dbs) {
    auto source = co_await connect_source(dbs);
    const catalog::scope everything;
    auto sequences = co_await catalog::load_sequences(source, everything);
    if (sequences.empty()) co_return;
    auto target = co_await connect_target(dbs);
    co_await target.exec(catalog::setval_sql(sequences));
}

test_origin::test_origin(const test_databases& dbs)
    : target_conninfo_(dbs.target_conninfo()), name_("pgh_test_" + dbs.target_name()) {}

test_origin::~test_origin() {
    // The applier's session may still be going away: its origin cannot be dropped before.
    for (int attempt = 0; attempt < 50; ++attempt) {
        try {
            pg_session target{target_conninfo_};
            target.exec("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = $1",
                        {name_});
            return;
        } catch (const std::exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

apply::apply_options test_origin::options() const {
    apply::apply_options options;
    options.origin = name_;
    return options;
}

}  // namespace pghandoff::integration
