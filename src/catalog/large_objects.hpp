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

/// A large object's identity, owner and privileges (GRANT statements on the target).
struct large_object {
    std::uint32_t loid = 0;
    std::string owner;
    std::vector<std::string> grants;  ///< e.g. GRANT SELECT ON LARGE OBJECT 123 TO "app"
    std::optional<std::string> comment;
};

boost::asio::awaitable<std::vector<large_object>> load_large_objects(pg::connection& source);

}  // namespace pghandoff::catalog
