#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/table_catalog.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::catalog {

/// An EXTENDED column whose large values the source keeps uncompressed: its data does not
/// compress (already compressed or random), so the target's attempt to compress every value
/// again on insert is wasted work. Loading it as EXTERNAL stores the same bytes without the
/// attempt; its storage is set back to EXTENDED once the table's rows are in.
struct incompressible_column {
    qualified_name table;
    std::string column;
};

/// Samples the large tables' EXTENDED columns on the source (PostgreSQL 14+, which reports
/// pg_column_compression). A column qualifies when a sample of its values holds at least
/// `min_large_values` values over 2 kB and none of them compressed.
boost::asio::awaitable<std::vector<incompressible_column>> find_incompressible_columns(
    pg::connection& source, const std::vector<table_info>& tables, int min_large_values = 10);

inline constexpr const char* storage_step_prefix = "storage-external\x1f";
/// The step key recording that a column is loaded as EXTERNAL and must be set back.
std::string storage_step_key(const incompressible_column& column);
/// The column a storage step key names.
std::optional<incompressible_column> parse_storage_step_key(std::string_view key);
/// ALTER TABLE ... ALTER COLUMN ... SET STORAGE (for the columns of one table).
std::string set_storage_sql(const qualified_name& table, const std::vector<std::string>& columns, const char* storage);

}  // namespace pghandoff::catalog
