#pragma once
#include <cstdint>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"

namespace pghandoff::pg {

/// Live counters of one relayed COPY, read by the progress view.
struct copy_counters {
    std::uint64_t messages = 0;  ///< CopyData messages read from the source (one per row, plus binary header/trailer)
    std::uint64_t bytes = 0;     ///< payload bytes relayed
};

/// What a finished relay moved.
struct copy_totals {
    long long rows = 0;  ///< rows the source sent (its COPY command tag)
    std::uint64_t bytes = 0;
};

/// Streams a COPY from `from` (in COPY OUT) into `to` (in COPY IN), rows gathered into CopyData
/// messages of about 128 kB, never holding more than two such messages (one filling, one being
/// sent) besides libpq's buffers: while the target cannot take more, the source is not read
/// (back-pressure). On a plain socket the messages are written without libpq's output buffer. Ends both COPYs
/// and returns the totals; throws on any error.
boost::asio::awaitable<copy_totals> relay_copy(connection& from, connection& to, copy_counters& counters);

}  // namespace pghandoff::pg
