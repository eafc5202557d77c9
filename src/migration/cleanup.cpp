#include "migration/cleanup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "cdc/publication.hpp"
#include "cutover/control.hpp"
#include "util/state_dir.hpp"
#include "cutover/fence.hpp"
#include "migration/follow.hpp"
#include "migration/progress_store.hpp"
#include "pg/connection.hpp"
#include "util/error.hpp"

namespace pghandoff::migration {

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

asio::awaitable<void> clean_source(pg::conninfo source, std::optional<fs::path> state_dir, cleanup_result& out) {
    auto conn = co_await pg::connection::connect(source.with("application_name", "pghandoff"), "source");
    co_await cutover::writable_session(conn);  // a fence may be up
    if (state_dir) {
        if (auto fence = cutover::load_fence(*state_dir)) {
            co_await cutover::lower_fence(conn, *fence);
            cutover::forget_fence(*state_dir);
            out.removed.push_back("source: database " + fence->database + " writable again (the cutover's fence undone)");
        }
    }
    auto slots = co_await conn.exec(
        "SELECT slot_name, active, active_pid FROM pg_catalog.pg_replication_slots "
        "WHERE slot_name LIKE 'pghandoff\\_%' AND database = pg_catalog.current_database() ORDER BY 1");
    for (int i = 0; i < slots.rows(); ++i) {
        const std::string name = slots.text(i, 0);
        if (slots.text(i, 1) == "t") {
            out.problems.push_back("source: replication slot " + name + " is in use (walsender pid " + slots.text(i, 2) +
                                   "): stop the pghandoff migrate streaming from it, then run cleanup again");
            continue;
        }
        co_await cdc::drop_slot(conn, name);
        out.removed.push_back("source: replication slot " + name);
    }
    auto publications = co_await conn.exec(
        "SELECT pubname FROM pg_catalog.pg_publication WHERE pubname LIKE 'pghandoff\\_%' ORDER BY 1");
    for (int i = 0; i < publications.rows(); ++i) {
        co_await cdc::drop_publication(conn, publications.text(i, 0));
        out.removed.push_back("source: publication " + publications.text(i, 0));
    }
}

asio::awaitable<void> clean_target(pg::conninfo target, cleanup_result& out) {
    auto conn = co_await pg::connection::connect(target.with("application_name", "pghandoff"), "target");
    std::string slot_name;  // the migration's origins are named after its slot
    if (auto progress = co_await load_progress(conn)) slot_name = progress->identity.slot_name;
    auto has_schema = co_await conn.exec("SELECT to_regclass('pghandoff.step') IS NOT NULL");
    if (has_schema.text(0, 0) == "t") {
        auto steps = co_await conn.exec("SELECT key FROM pghandoff.step");
        std::set<std::string> keys;
        for (int i = 0; i < steps.rows(); ++i) keys.insert(steps.text(i, 0));
        const std::string triggers = restore_triggers_sql(keys);
        co_await conn.exec("BEGIN;\n" + triggers + drop_progress_sql() + ";\nCOMMIT");
        if (!triggers.empty()) out.removed.push_back("target: ENABLE ALWAYS/REPLICA triggers restored");
        out.removed.push_back("target: bookkeeping schema pghandoff");
    } else {
        auto schema = co_await conn.exec("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'pghandoff'");
        if (schema.text(0, 0) != "0") {
            co_await conn.exec(drop_progress_sql());
            out.removed.push_back("target: bookkeeping schema pghandoff");
        }
    }
    auto origins = co_await conn.exec("SELECT roname FROM pg_catalog.pg_replication_origin WHERE " +
                                      origin_condition(slot_name) + " ORDER BY 1");
    for (int i = 0; i < origins.rows(); ++i) {
        const std::string name = origins.text(i, 0);
        try {
            std::vector<std::optional<std::string>> params{name};
            co_await conn.exec_params("SELECT pg_catalog.pg_replication_origin_drop($1)", params);
            out.removed.push_back("target: replication origin " + name);
        } catch (const error& e) {
            out.problems.push_back("target: cannot drop the replication origin " + name + " (" + e.what() +
                                   "): stop the pghandoff migrate applying changes, then run cleanup again");
        }
    }
}

void clean_state_dir(const fs::path& dir, cleanup_result& out) {
    std::error_code ec;
    if (fs::exists(dir / "spool", ec)) {
        fs::remove_all(dir / "spool", ec);
        if (ec) out.problems.push_back("state directory: cannot remove " + (dir / "spool").string() + ": " + ec.message());
        else out.removed.push_back("state directory: change spool " + (dir / "spool").string());
    }
    fs::remove_all(dir / "apply-spill", ec);
    fs::remove(cutover::control_socket_path(dir), ec);
}

}  // namespace

cleanup_result cleanup_leftovers(const pg::conninfo& source, const std::optional<pg::conninfo>& target,
                                 const std::optional<fs::path>& state_dir) {
    // Cleaning up under a running migrate would drop the slot and the spool it streams from.
    std::optional<state_dir_lock> lock;
    if (state_dir && fs::is_directory(*state_dir)) lock.emplace(*state_dir, "cleanup");
    cleanup_result out;
    std::exception_ptr failure;
    asio::io_context io;
    auto body = [&]() -> asio::awaitable<void> {
        co_await clean_source(source, state_dir, out);
        if (target) co_await clean_target(*target, out);
    };
    asio::co_spawn(io, body(), [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    if (state_dir) clean_state_dir(*state_dir, out);
    return out;
}

}  // namespace pghandoff::migration
