#pragma once
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

/// A sequence's state: setval(name, last_value, is_called) reproduces it exactly.
struct sequence_state {
    qualified_name name;
    std::string last_value;
    bool is_called = false;
};

/// Every sequence within `selection` (standalone, serial and identity) with its current state.
boost::asio::awaitable<std::vector<sequence_state>> load_sequences(pg::connection& source, const scope& selection);

/// SQL that sets every sequence on the target to the given states.
std::string setval_sql(const std::vector<sequence_state>& sequences);

}  // namespace pghandoff::catalog
