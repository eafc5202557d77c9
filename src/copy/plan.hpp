#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/table_catalog.hpp"
#include "catalog/type_catalog.hpp"

namespace pghandoff::copy {

/// COPY wire format of a table: binary where every column's binary form can cross servers.
enum class copy_format : std::uint8_t { text = 0, binary = 1 };

const char* to_string(copy_format f);
copy_format parse_copy_format(std::string_view s);

/// One unit of copying: a whole table or a range of its heap pages [first_page, end_page).
/// An absent end_page means "to the end of the table", so pages added later are not missed.
struct copy_chunk {
    catalog::qualified_name table;
    int chunk_no = 0;
    int chunk_count = 1;
    std::optional<std::uint64_t> first_page;
    std::optional<std::uint64_t> end_page;
    std::uint64_t estimated_bytes = 0;
    copy_format format = copy_format::text;

    bool whole_table() const { return chunk_count == 1; }
};

/// Cuts tables into chunks of about `chunk_bytes` (heap + TOAST bytes, so a TOAST-heavy table is
/// split too) and orders them largest table first, chunks of a table in page order.
std::vector<copy_chunk> plan_chunks(const std::vector<catalog::table_info>& tables, const catalog::type_catalog& types,
                                    std::uint64_t chunk_bytes);

/// COPY ... TO STDOUT for a chunk on the source.
std::string copy_out_sql(const catalog::table_info& table, const copy_chunk& chunk);
/// COPY ... FROM STDIN for a chunk on the target (FREEZE when the table was truncated in the same transaction).
std::string copy_in_sql(const catalog::table_info& table, const copy_chunk& chunk, bool freeze);

}  // namespace pghandoff::copy
