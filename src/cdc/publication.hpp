#pragma once
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"
#include "pg/connection.hpp"

namespace pghandoff::cdc {

/// CREATE PUBLICATION for exactly these tables (leaf tables and ordinary tables: changes then
/// carry the leaf's name, as the target has the same partitions).
boost::asio::awaitable<void> create_publication(pg::connection& source, std::string name,
                                                std::vector<catalog::qualified_name> tables);

/// Drops the publication if it exists.
boost::asio::awaitable<void> drop_publication(pg::connection& source, std::string name);

/// Drops the replication slot if it exists (waiting for its walsender to let it go).
boost::asio::awaitable<void> drop_slot(pg::connection& source, std::string name);

}  // namespace pghandoff::cdc
