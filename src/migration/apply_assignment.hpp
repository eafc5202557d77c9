#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::migration {

/// Which apply connection makes the changes of which table.
struct apply_assignment {
    std::size_t connections = 1;
    std::map<std::pair<std::string, std::string>, std::size_t> tables;  ///< (schema, name) -> connection

    /// The connection of a table; a table not assigned (none should be) goes to the first.
    std::size_t of(const std::string& schema, const std::string& name) const;
};

/// A table as the assignment sees it: a size, and the tables it must share a connection with
/// (foreign keys either way, partitions of one tree).
struct assignable_table {
    catalog::qualified_name name;
    std::uint64_t bytes = 0;
    std::vector<catalog::qualified_name> linked;
};

/// Splits the tables into `connections` groups: tables linked directly or through others stay
/// together (a TRUNCATE ... CASCADE, a foreign key's later validation, a partition tree), and
/// the linked sets go round-robin in order of size, largest first, so that big and small sets
/// spread over the connections.
apply_assignment assign_tables(const std::vector<assignable_table>& tables, std::size_t connections);

/// The migrated tables of the target (ordinary, partitioned and leaf tables in `selection`)
/// with their sizes and links.
boost::asio::awaitable<std::vector<assignable_table>> load_assignable_tables(pg::connection& target,
                                                                             catalog::scope selection);

/// Step keys recording an assignment on the target, and the assignment they record (nullopt
/// when there is none).
std::vector<std::string> assignment_step_keys(const apply_assignment& assignment);
std::optional<apply_assignment> assignment_from_steps(const std::set<std::string>& steps);

}  // namespace pghandoff::migration
