#pragma once
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/large_objects.hpp"
#include "catalog/scope.hpp"
#include "pg/connection.hpp"

namespace pghandoff::migration {

/// What of a large object's metadata to reproduce on the target.
struct large_object_options {
    bool owner = true;
    bool privileges = true;
    std::set<std::string> missing_roles;  ///< owners and grantees the target lacks: left out
};

/// Copies one large object (data in 1 MB pieces, owner, privileges, comment) in one target
/// transaction that also records it done. `source` must be inside the migration's snapshot.
boost::asio::awaitable<void> copy_large_object(pg::connection& source, pg::connection& target,
                                               const catalog::large_object& object, const large_object_options& options);

/// Refreshes the materialized views (populated on the source) on the target, in rounds so one
/// that reads another is refreshed after it; records the step done.
boost::asio::awaitable<void> refresh_materialized_views(pg::connection& target,
                                                        std::vector<catalog::qualified_name> views);

/// Reads every sequence's state from the source now and sets it on the target, recording the
/// step done. Returns how many were set.
boost::asio::awaitable<std::size_t> copy_sequences(pg::conninfo source, pg::connection& target, catalog::scope selection);

}  // namespace pghandoff::migration
