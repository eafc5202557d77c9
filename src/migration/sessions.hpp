#pragma once
#include <string>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"

namespace pghandoff::migration {

/// Session settings shared by both sides so that text COPY reads back exactly what it wrote.
std::string common_session_settings(const std::string& client_encoding);

/// Opens a source session inside the migration's snapshot (REPEATABLE READ, READ ONLY).
boost::asio::awaitable<pg::connection> open_snapshot_session(const pg::conninfo& source, const std::string& snapshot,
                                                             const std::string& client_encoding, std::string label);

/// Opens a target session ready to load rows and build indexes.
boost::asio::awaitable<pg::connection> open_target_session(const pg::conninfo& target, const std::string& client_encoding,
                                                           const std::string& maintenance_work_mem, std::string label);

}  // namespace pghandoff::migration
