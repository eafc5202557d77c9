#include "cutover/fence.hpp"

#include <fstream>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "pg/quote.hpp"
#include "util/error.hpp"
#include "util/json_file.hpp"

namespace pghandoff::cutover {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

fs::path fence_file(const fs::path& state_dir) { return state_dir / "fence.json"; }

// Sessions of this database other than ours, as seen now. The replication stream's walsender
// is not a client backend and is never ended.
constexpr const char* other_sessions =
    "FROM pg_catalog.pg_stat_activity WHERE datname = pg_catalog.current_database() "
    "AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'";

}  // namespace

void save_fence(const fs::path& state_dir, const fence_record& record) {
    nlohmann::json j{{"database", record.database}, {"prior", nullptr}};
    if (record.prior) j["prior"] = *record.prior;
    write_json_file(fence_file(state_dir), j);
}

std::optional<fence_record> load_fence(const fs::path& state_dir) {
    auto j = read_json_file(fence_file(state_dir));
    if (!j || !j->is_object() || !(*j)["database"].is_string()) return std::nullopt;
    fence_record record{(*j)["database"].get<std::string>(), std::nullopt};
    if ((*j)["prior"].is_string()) record.prior = (*j)["prior"].get<std::string>();
    return record;
}

void forget_fence(const fs::path& state_dir) {
    std::error_code ignored;
    fs::remove(fence_file(state_dir), ignored);
}

asio::awaitable<fence_record> read_fence_state(pg::connection& source) {
    auto rows = co_await source.exec(
        "SELECT pg_catalog.current_database(), "
        "(SELECT substr(s, length('default_transaction_read_only=') + 1) "
        "   FROM pg_catalog.pg_db_role_setting d, unnest(d.setconfig) s "
        "  WHERE d.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
        "    AND d.setrole = 0 AND s LIKE 'default\\_transaction\\_read\\_only=%')");
    co_return fence_record{rows.text(0, 0), rows.optional_text(0, 1)};
}

asio::awaitable<int> raise_fence(pg::connection& source, fence_record record) {
    try {
        co_await source.exec("ALTER DATABASE " + pg::quote_ident(record.database) +
                             " SET default_transaction_read_only = on");
    } catch (const error& e) {
        throw error("cannot make the source database read-only: " + std::string(e.what()),
                    "connect to the source as its owner or a superuser, or stop the application and use --fence none",
                    e.sqlstate());
    }
    auto ended = co_await source.exec(std::string("SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid)) ") +
                                      other_sessions);
    co_return std::stoi(ended.text(0, 0));
}

asio::awaitable<void> require_no_prepared_transactions(pg::connection& source) {
    auto prepared = co_await source.exec(
        "SELECT count(*) FROM pg_catalog.pg_prepared_xacts WHERE database = pg_catalog.current_database()");
    if (prepared.text(0, 0) != "0")
        throw error(prepared.text(0, 0) + " prepared transaction(s) of the source database are pending and could still commit",
                    "COMMIT PREPARED or ROLLBACK PREPARED them (see pg_prepared_xacts), then cut over");
}

asio::awaitable<void> confirm_no_writers(pg::connection& source, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (;;) {
        // A session ended a moment ago may still be rolling back: it holds its XID until gone.
        auto writers = co_await source.exec(std::string("SELECT count(*) FILTER (WHERE backend_xid IS NOT NULL), "
                                                        "count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid)) ") +
                                            other_sessions);
        if (writers.text(0, 0) == "0") break;
        if (std::chrono::steady_clock::now() >= deadline)
            throw error("sessions of the source database still hold write transactions after " +
                        std::to_string(timeout.count()) + " ms",
                        "find them in pg_stat_activity (backend_xid) and end them, then cut over again");
        pause.expires_after(std::chrono::milliseconds(2));
        boost::system::error_code ec;
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_await require_no_prepared_transactions(source);
}

asio::awaitable<void> writable_session(pg::connection& source) {
    co_await source.exec("SET default_transaction_read_only = off");
}

asio::awaitable<void> lower_fence(pg::connection& source, fence_record record) {
    co_await writable_session(source);
    const std::string database = pg::quote_ident(record.database);
    if (record.prior)
        co_await source.exec("ALTER DATABASE " + database + " SET default_transaction_read_only = " +
                             pg::quote_literal(*record.prior));
    else
        co_await source.exec("ALTER DATABASE " + database + " RESET default_transaction_read_only");
}

}  // namespace pghandoff::cutover
