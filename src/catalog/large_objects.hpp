#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

/// One privilege on a large object, as the GRANT that gives it.
struct large_object_grant {
    std::string grantee;  ///< role name; empty for PUBLIC
    std::string sql;      ///< e.g. GRANT SELECT ON LARGE OBJECT 123 TO "app"
};

/// A large object's identity, owner, privileges and comment.
struct large_object {
    std::uint32_t loid = 0;
    std::string owner;
    std::vector<large_object_grant> grants;
    std::optional<std::string> comment;
};

boost::asio::awaitable<std::vector<large_object>> load_large_objects(pg::connection& source);

}  // namespace pghandoff::catalog
