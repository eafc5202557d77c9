#include "cli/demo_command.hpp"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "demo/local_cluster.hpp"
#include "demo/sample_data.hpp"
#include "migration/offline_migration.hpp"
#include "pg/connection.hpp"
#include "util/error.hpp"
#include "util/logging.hpp"

namespace pghandoff::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;

void add_demo_options(CLI::App& cmd, demo_args& args) {
    cmd.add_option("--rows", args.rows, "rows in the largest sample table (default 200000)");
    cmd.add_flag("--keep", args.keep, "leave the two servers running at the end");
    cmd.add_option("--port-base", args.port_base, "ports of the source and target servers: base and base+1 (default 55800)");
    cmd.add_option("--work-dir", args.work_dir, "where the throwaway clusters live (default: a new temporary directory)");
}

namespace {

/// Runs one coroutine to completion on its own event loop.
template <typename T>
T run_sync(asio::awaitable<T> work) {
    asio::io_context io;
    std::exception_ptr failure;
    std::optional<T> value;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T v) {
        failure = e;
        if (!e) value = std::move(v);
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*value);
}

asio::awaitable<int> load_sample(std::string source_admin, int rows) {
    auto admin = co_await pg::connection::connect(pg::conninfo::parse(source_admin), "source");
    co_await admin.exec("CREATE DATABASE shop");
    auto shop = co_await pg::connection::connect(pg::conninfo::parse(source_admin).with("dbname", "shop"), "source");
    co_await shop.exec(demo::sample_data_sql(rows));
    co_return 0;
}

asio::awaitable<int> create_target(std::string target_admin) {
    auto admin = co_await pg::connection::connect(pg::conninfo::parse(target_admin), "target");
    co_await admin.exec("CREATE DATABASE shop");
    co_return 0;
}

asio::awaitable<std::string> count_rows(std::string source, std::string target) {
    auto src = co_await pg::connection::connect(pg::conninfo::parse(source), "source");
    auto dst = co_await pg::connection::connect(pg::conninfo::parse(target), "target");
    const std::string sql =
        "SELECT 'customers', count(*) FROM shop.customers UNION ALL SELECT 'products', count(*) FROM shop.products "
        "UNION ALL SELECT 'orders', count(*) FROM shop.orders UNION ALL SELECT 'order_lines', count(*) FROM shop.order_lines "
        "UNION ALL SELECT 'events', count(*) FROM shop.events "
        "UNION ALL SELECT 'revenue_by_product', count(*) FROM shop.revenue_by_product";
    auto a = co_await src.exec(sql);
    auto b = co_await dst.exec(sql);
    std::string out = fmt::format("{:<22} {:>12} {:>12}\n", "table", "source", "target");
    for (int i = 0; i < a.rows(); ++i)
        out += fmt::format("{:<22} {:>12} {:>12}{}\n", a.text(i, 0), a.text(i, 1), b.text(i, 1),
                           a.get(i, 1) == b.get(i, 1) ? "" : "  DIFFERENT");
    co_return out;
}

}  // namespace

int run_demo(const demo_args& args) {
    fs::path work = args.work_dir;
    const bool temporary = work.empty();
    if (temporary) {
        std::string tmpl = (fs::temp_directory_path() / "pghandoff-demo-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw error("cannot create a temporary directory for the demo");
        work = tmpl;
    }
    fs::create_directories(work);
    // The servers run as the postgres OS user when we are root: it must reach its directories.
    fs::permissions(work, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    setup_logging(spdlog::level::info, std::nullopt);
    std::printf("pghandoff demo: two throwaway servers in %s\n", work.c_str());
    demo::local_cluster source(work / "source", args.port_base, {"wal_level=logical"});
    demo::local_cluster target(work / "target", args.port_base + 1, {});
    source.start();
    target.start();
    if (args.keep) {
        source.keep();
        target.keep();
    }
    std::printf("source: %s\ntarget: %s\n", source.conninfo("shop").c_str(), target.conninfo("shop").c_str());
    std::printf("loading sample data (%d order lines)...\n", args.rows);
    std::fflush(stdout);
    run_sync(load_sample(source.conninfo("postgres"), args.rows));
    run_sync(create_target(target.conninfo("postgres")));

    migration::migrate_options options;
    options.source = pg::conninfo::parse(source.conninfo("shop"));
    options.target = pg::conninfo::parse(target.conninfo("shop"));
    options.follow = false;
    options.jobs = 2;
    options.state_dir = work / "state";
    std::printf("migrating: pghandoff migrate --no-follow --source '%s' --target '%s' --state-dir %s\n",
                source.conninfo("shop").c_str(), target.conninfo("shop").c_str(), options.state_dir.c_str());
    std::fflush(stdout);
    migration::run_offline_migration(options);
    std::printf("\nrow counts after the migration:\n%s", run_sync(count_rows(source.conninfo("shop"), target.conninfo("shop"))).c_str());
    if (args.keep) {
        std::printf("servers left running (--keep); stop them with pg_ctl -D %s/{source,target}/data stop\n", work.c_str());
        return 0;
    }
    source.stop();
    target.stop();
    if (temporary) fs::remove_all(work);
    return 0;
}

}  // namespace pghandoff::cli
