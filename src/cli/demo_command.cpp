#include "cli/demo_command.hpp"

#include <stdlib.h>

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "demo/local_cluster.hpp"
#include "demo/sample_data.hpp"
#include "migration/offline_migration.hpp"
#include "pg/connection.hpp"
#include "util/error.hpp"
#include "util/json_file.hpp"
#include "util/logging.hpp"

namespace pghandoff::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;

void add_demo_options(CLI::App& cmd, demo_args& args) {
    cmd.add_option("--rows", args.rows, "rows in the largest sample table (default 200000)");
    cmd.add_flag("--keep", args.keep, "leave the two servers running at the end");
    cmd.add_option("--port-base", args.port_base, "ports of the source and target servers: base and base+1 (default 55800)");
    cmd.add_option("--cutover-after", args.cutover_after, "seconds from the migration's start to its scheduled cutover (default 15)");
    cmd.add_flag("--offline", args.offline, "copy only (migrate --no-follow), without live traffic and cutover");
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

asio::awaitable<std::string> count_rows(std::string source, std::string target, bool after_switch) {
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
                           a.get(i, 1) == b.get(i, 1) ? std::string()
                           : after_switch ? fmt::format("  +{} written by the application after the switch",
                                                        std::stoll(b.text(i, 1)) - std::stoll(a.text(i, 1)))
                                          : std::string("  DIFFERENT"));
    co_return out;
}

/// The demo's application: places an order every 5 ms on the database its DATABASE_URL file
/// names (the cutover hook rewrites it), reconnecting after errors, and measures the longest
/// time between two successful writes: the write downtime it saw.
class live_traffic {
public:
    explicit live_traffic(fs::path url_file) : url_file_(std::move(url_file)) {
        thread_ = std::thread([this] { run(); });
    }
    ~live_traffic() { stop(); }
    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    long long to_source() const { return writes_[0]; }
    long long to_target() const { return writes_[1]; }
    double longest_gap_seconds() const { return longest_gap_; }

private:
    std::string current_url() const {
        std::ifstream in(url_file_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    void run() {
        using clock = std::chrono::steady_clock;
        const std::string first = current_url();
        std::string url;
        PGconn* conn = nullptr;
        std::optional<clock::time_point> last_ok;
        while (!stopping_) {
            const std::string wanted = current_url();
            if (wanted != url || !conn || PQstatus(conn) != CONNECTION_OK) {
                if (conn) PQfinish(conn);
                url = wanted;
                conn = PQconnectdb(url.c_str());
            }
            PGresult* res = PQexec(conn,
                "WITH o AS (INSERT INTO shop.orders (customer_id, placed_at) "
                "SELECT id, now() FROM shop.customers ORDER BY random() LIMIT 1 RETURNING id) "
                "INSERT INTO shop.events (at, payload) SELECT now(), jsonb_build_object('kind', 'order', 'order', id) FROM o");
            const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            PQclear(res);
            const auto now = clock::now();
            if (ok) {
                if (last_ok) longest_gap_ = std::max(longest_gap_.load(), std::chrono::duration<double>(now - *last_ok).count());
                last_ok = now;
                ++writes_[url == first ? 0 : 1];
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (conn) PQfinish(conn);
    }

    fs::path url_file_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<long long> writes_[2]{0, 0};
    std::atomic<double> longest_gap_{0};
};

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
    options.jobs = 2;
    options.state_dir = work / "state";
    if (args.offline) {
        options.follow = false;
        std::printf("migrating: pghandoff migrate --no-follow --source '%s' --target '%s' --state-dir %s\n",
                    source.conninfo("shop").c_str(), target.conninfo("shop").c_str(), options.state_dir.c_str());
        std::fflush(stdout);
        migration::run_offline_migration(options);
        std::printf("\nrow counts after the migration:\n%s",
                    run_sync(count_rows(source.conninfo("shop"), target.conninfo("shop"), false)).c_str());
    } else {
        // The application: it writes to whatever its DATABASE_URL file says; the hook rewrites it.
        const fs::path url_file = work / "DATABASE_URL";
        {
            std::ofstream(url_file) << options.source.to_uri();
        }
        live_traffic app(url_file);
        options.cutover = migration::cutover_mode::scheduled;
        options.cutover_at = std::chrono::system_clock::now() + std::chrono::seconds(args.cutover_after);
        options.on_cutover = "printf '%s' \"$NEW_DATABASE_URL\" > '" + url_file.string() + "'";
        std::printf("live traffic: an application places an order every 5 ms on the source (DATABASE_URL in %s)\n",
                    url_file.c_str());
        std::printf("migrating online: pghandoff migrate --source '%s' --target '%s' --state-dir %s "
                    "--cutover at=<now+%ds> --on-cutover \"printf '%%s' \\\"$NEW_DATABASE_URL\\\" > %s\"\n",
                    source.conninfo("shop").c_str(), target.conninfo("shop").c_str(), options.state_dir.c_str(),
                    args.cutover_after, url_file.c_str());
        std::fflush(stdout);
        migration::run_offline_migration(options);
        std::this_thread::sleep_for(std::chrono::seconds(1));  // the application writes to the target now
        app.stop();
        auto report = read_json_file(options.state_dir / "report.json").value_or(nlohmann::json::object());
        std::printf("\nrow counts (the source is read-only since the cutover; the target took the new orders):\n%s",
                    run_sync(count_rows(source.conninfo("shop"), target.conninfo("shop"), true)).c_str());
        std::printf("\napplication writes: %lld to the source, %lld to the target after the switch\n",
                    app.to_source(), app.to_target());
        std::printf("write downtime: %.3f s reported by pghandoff (fence to hook done), %.3f s seen by the application "
                    "(longest time between two of its writes)\n",
                    report.value("downtime_seconds", 0.0), app.longest_gap_seconds());
        std::printf("report: %s\n", (options.state_dir / "report.json").c_str());
    }
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
