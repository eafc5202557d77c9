#pragma once
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

/// A role that owns or is granted something in the source database.
struct role_info {
    std::string name;
    bool can_login = false;
    bool inherit = true;
    bool create_db = false;
    bool create_role = false;
    long long connection_limit = -1;
};

/// Roles that own objects or appear in privileges in the source database.
boost::asio::awaitable<std::vector<role_info>> load_roles_in_use(pg::connection& source);
/// Names of all roles on a server.
boost::asio::awaitable<std::set<std::string>> load_role_names(pg::connection& server);
/// CREATE ROLE for a missing role (attributes that do not need superuser; no password).
std::string create_role_sql(const role_info& role);

}  // namespace pghandoff::catalog
