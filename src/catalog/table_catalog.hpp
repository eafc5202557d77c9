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
};

/// A table whose rows are copied: an ordinary table or a leaf partition.
struct table_info {
    oid relid = 0;
    qualified_name name;
    std::uint64_t heap_bytes = 0;
    std::uint64_t toast_bytes = 0;
    std::uint64_t pages = 0;
    std::int64_t estimated_rows = 0;
    bool is_partition = false;
    std::vector<column_info> columns;

    std::uint64_t total_bytes() const { return heap_bytes + toast_bytes; }
    /// The columns COPY carries (not generated), in order.
    std::vector<const column_info*> copied_columns() const;
};

/// The tables of the source that hold rows (partitioned parents excluded: their leaves are
/// copied), within `selection`. Read inside the migration's snapshot.
boost::asio::awaitable<std::vector<table_info>> load_tables(pg::connection& source, const scope& selection);

/// True when every copied column of the table can use binary COPY between these servers.
bool binary_copy_safe(const table_info& table, const type_catalog& types);

}  // namespace pghandoff::catalog
