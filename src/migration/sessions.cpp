#include "migration/sessions.hpp"

#include "pg/quote.hpp"

namespace pghandoff::migration {

std::string common_session_settings(const std::string& client_encoding) {
    return "SET client_encoding = " + pg::quote_literal(client_encoding) +
           "; SET DateStyle = 'ISO'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; "
           "SET extra_float_digits = 3; SET statement_timeout = 0; SET lock_timeout = 0; "
           "SET idle_in_transaction_session_timeout = 0; SET row_security = off; ";
}

boost::asio::awaitable<pg::connection> open_snapshot_session(const pg::conninfo& source, const std::string& snapshot,
                                                             const std::string& client_encoding, std::string label) {
    auto conn = co_await pg::connection::connect(source.with("application_name", "pghandoff"), std::move(label));
    co_await conn.exec(common_session_settings(client_encoding) +
                       "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT " +
                       pg::quote_literal(snapshot));
    co_return conn;
}

boost::asio::awaitable<pg::connection> open_target_session(const pg::conninfo& target, const std::string& client_encoding,
                                                           const std::string& maintenance_work_mem, std::string label) {
    auto conn = co_await pg::connection::connect(target.with("application_name", "pghandoff"), std::move(label));
    // Commits of copied chunks and built indexes need not wait for their WAL to reach disk
    // one by one (a small commit would otherwise wait behind a big index build's WAL): a crash
    // loses a suffix of them, progress marks included, and a rerun redoes just those. The run
    // ends with a commit made durable (offline: dropping the progress schema; online: the
    // "copy complete" mark), which flushes every earlier one.
    //
    // backend_flush_after asks the kernel to start writing the pages COPY evicts from its ring
    // buffer every 2 MB, instead of leaving gigabytes dirty for a checkpoint's fsync to push out
    // at once, a stall that left the cores half idle on the benchmark. A session setting; the
    // server's configuration and durability are unchanged.
    std::string settings = common_session_settings(client_encoding) +
                           "SET synchronous_commit = off; SET backend_flush_after = '2MB'; ";
    if (maintenance_work_mem != "auto") settings += "SET maintenance_work_mem = " + pg::quote_literal(maintenance_work_mem);
    co_await conn.exec(settings);
    co_return conn;
}

}  // namespace pghandoff::migration
