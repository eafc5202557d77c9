#pragma once
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cdc/messages.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pghandoff::apply {

/// Creates the replication origin `name` on the target when it is missing, binds this session
/// to it (one session per origin at a time) and returns the origin's durably committed
/// progress: the end LSN of the last source transaction applied, zero when none was.
boost::asio::awaitable<pg::lsn> bind_origin_session(pg::connection& target, std::string name);

/// The durable progress of the origin `name`, read from any session; zero when it never
/// advanced or does not exist.
boost::asio::awaitable<pg::lsn> origin_progress(pg::connection& target, std::string name);

/// Records, inside the open transaction, which source commit it applies: run just before
/// COMMIT, so that the commit moves the origin's progress atomically with the data.
extern const char* const origin_xact_setup_sql;
/// The parameters of origin_xact_setup_sql for one source commit.
std::vector<std::string> origin_xact_setup_parameters(pg::lsn end_lsn, cdc::pg_timestamp commit_time);

/// A PostgreSQL timestamp as timestamptz input text in UTC, to the microsecond.
std::string timestamp_text(cdc::pg_timestamp timestamp);

}  // namespace pghandoff::apply
