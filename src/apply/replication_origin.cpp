#include "apply/replication_origin.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "cdc/walsender_messages.hpp"
#include "util/error.hpp"

namespace pghandoff::apply {

namespace asio = boost::asio;

namespace {

pg::lsn lsn_in(const pg::result& rows) {
    if (rows.rows() == 0 || rows.is_null(0, 0)) return {};
    return pg::lsn::parse(rows.get(0, 0)).value_or(pg::lsn{});
}

}  // namespace

const char* const origin_xact_setup_sql =
    "SELECT pg_catalog.pg_replication_origin_xact_setup($1::pg_catalog.pg_lsn, $2::pg_catalog.timestamptz)";

asio::awaitable<pg::lsn> bind_origin_session(pg::connection& target, std::string name) {
    std::vector<std::optional<std::string>> params{name};
    co_await target.exec_params(
        "SELECT pg_catalog.pg_replication_origin_create($1) WHERE NOT EXISTS "
        "(SELECT 1 FROM pg_catalog.pg_replication_origin WHERE roname = $1)",
        params);
    try {
        co_await target.exec_params("SELECT pg_catalog.pg_replication_origin_session_setup($1)", params);
    } catch (const error& e) {
        throw error(std::string(e.what()),
                    "another apply session is using the replication origin " + name + ": stop it first",
                    e.sqlstate());
    }
    auto progress = co_await target.exec("SELECT pg_catalog.pg_replication_origin_session_progress(true)::text");
    co_return lsn_in(progress);
}

asio::awaitable<pg::lsn> origin_progress(pg::connection& target, std::string name) {
    std::vector<std::optional<std::string>> params{name};
    auto progress = co_await target.exec_params(
        "SELECT pg_catalog.pg_replication_origin_progress(roname, true)::text "
        "FROM pg_catalog.pg_replication_origin WHERE roname = $1",
        params);
    co_return lsn_in(progress);
}

std::vector<std::string> origin_xact_setup_parameters(pg::lsn end_lsn, cdc::pg_timestamp commit_time) {
    return {end_lsn.to_string(), timestamp_text(commit_time)};
}

std::string timestamp_text(cdc::pg_timestamp timestamp) {
    constexpr std::int64_t per_second = 1'000'000;
    std::int64_t seconds = timestamp / per_second + cdc::pg_epoch_unix_seconds;
    std::int64_t micros = timestamp % per_second;
    if (micros < 0) {
        micros += per_second;
        --seconds;
    }
    const std::time_t unix_seconds = static_cast<std::time_t>(seconds);
    std::tm utc{};
    gmtime_r(&unix_seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%06" PRId64 "+00", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
    return text;
}

}  // namespace pghandoff::apply
