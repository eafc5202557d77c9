#pragma once
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

/// Why logical replication cannot carry a table's changes completely.
enum class replication_blocker : unsigned char {
    no_identity,  ///< no primary key and REPLICA IDENTITY DEFAULT, or NOTHING: UPDATE/DELETE fail once published
    unlogged,     ///< unlogged tables are never decoded
};

struct blocked_table {
    qualified_name name;
    replication_blocker why = replication_blocker::no_identity;
};

/// Tables within `selection` whose changes logical replication cannot carry.
boost::asio::awaitable<std::vector<blocked_table>> load_blocked_tables(pg::connection& source, const scope& selection);

/// One line naming the table and the statement (or option) that fixes it.
std::string describe_blocker(const blocked_table& table);

}  // namespace pghandoff::catalog
