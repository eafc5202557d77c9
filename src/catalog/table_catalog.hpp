#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"
#include "catalog/type_catalog.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

struct column_info {
    std::string name;
    oid type = 0;
    bool generated = false;  ///< GENERATED ... STORED: computed by the target, never copied
    char storage = 'p';      ///< attstorage: p plain, e external, m main, x extended
    bool operator==(const column_info&) const = default;
};

/// A table whose rows are copied: an ordinary table or a leaf partition.
struct table_info {
    oid relid = 0;
    qualified_name name;
    std::uint64_t heap_bytes = 0;
    std::uint64_t toast_bytes = 0;
    std::uint64_t index_bytes = 0;  ///< on the source: what the target will build after the copy
    std::uint64_t pages = 0;
    std::int64_t estimated_rows = 0;
    bool is_partition = false;
    /// ANALYZE must wait for the post-data: an expression index or an extended statistics
    /// object (CREATE STATISTICS) brings statistics of its own.
    bool statistics_after_post_data = false;
    std::vector<column_info> columns;

    /// Bytes COPY reads: heap and TOAST.
    std::uint64_t total_bytes() const { return heap_bytes + toast_bytes; }
    /// The work a table brings, in heap-byte equivalents: its rows, the TOAST values (big values
    /// cross COPY in few rows: about half the cost of heap bytes, as measured by tools/bench
    /// offline, whose TOAST table copies at twice the rate in bytes/s of its narrow and wide
    /// tables) and the indexes built after the copy.
    std::uint64_t work_bytes() const { return heap_bytes + toast_bytes / 2 + index_bytes + index_bytes / 4; }
    /// The columns COPY carries (not generated), in order.
    std::vector<const column_info*> copied_columns() const;
};

/// The tables of the source that hold rows (partitioned parents excluded: their leaves are
/// copied), within `selection`. Read inside the migration's snapshot.
boost::asio::awaitable<std::vector<table_info>> load_tables(pg::connection& source, const scope& selection);

/// True when every copied column of the table can use binary COPY between these servers.
bool binary_copy_safe(const table_info& table, const type_catalog& types);

}  // namespace pghandoff::catalog
