#pragma once
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

/// One relation that cannot exist on the target without another: a view or materialized view
/// reading it, a foreign key referencing it, or a table inheriting from it (or a partition of it).
struct relation_dependency {
    enum class kind { view, materialized_view, foreign_key, inherits, partition_of };
    kind how = kind::view;
    qualified_name dependent;
    std::string constraint;  ///< the foreign key's name
    qualified_name referenced;
};

/// Every dependency between user relations of the source (system schemas and extension members left out).
boost::asio::awaitable<std::vector<relation_dependency>> load_relation_dependencies(pg::connection& source);

/// The relations of `candidates` that exist on the target (by schema and name).
boost::asio::awaitable<std::set<std::string>> relations_on_target(pg::connection& target,
                                                                  std::vector<qualified_name> candidates);

/// The migrated objects that would fail on the target because a relation they need is left out
/// of the selection and not on the target either: one line each, saying what to exclude or keep.
/// Follows chains (a view on a view on an excluded table names both views). `present` holds the
/// display() names of the relations the target already has.
std::vector<std::string> broken_dependency_problems(const std::vector<relation_dependency>& dependencies,
                                                    const scope& selection, const std::set<std::string>& present);

}  // namespace pghandoff::catalog
