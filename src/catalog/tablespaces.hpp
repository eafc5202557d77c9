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

/// A table, index or materialized view the source keeps in a tablespace of its own choosing.
struct tablespace_use {
    std::string tablespace;
    qualified_name table;  ///< the relation, or the table an index belongs to
    std::string relation;  ///< the relation's own name (the index's, for an index)
};

/// Every user relation of the source placed in an explicit tablespace.
boost::asio::awaitable<std::vector<tablespace_use>> load_tablespace_uses(pg::connection& source);

/// The tablespaces a server has.
boost::asio::awaitable<std::set<std::string>> load_tablespace_names(pg::connection& server);

/// One line per tablespace that migrated relations use and the target lacks: pg_dump's DDL
/// would fail there (for indexes, only after the copy). Says what to do.
std::vector<std::string> missing_tablespace_problems(const std::vector<tablespace_use>& uses, const scope& selection,
                                                     const std::set<std::string>& on_target);

}  // namespace pghandoff::catalog
