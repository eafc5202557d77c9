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

inline constexpr std::uint64_t min_automatic_chunk_bytes = 256ull << 20;
inline constexpr std::uint64_t max_automatic_chunk_bytes = 8ull << 30;

/// The chunk size when the user gives none: a table is cut only when it is bigger than one
/// job's share of the whole copy (it would otherwise be the critical path), within 256 MB..8 GB
/// so that a resume never redoes more than 8 GB of one table. Uncut tables keep COPY FREEZE,
/// and concurrent COPYs into one table contend on its extension lock.
std::uint64_t automatic_chunk_bytes(const std::vector<catalog::table_info>& tables, int jobs);

inline constexpr std::uint64_t min_index_build_memory_kb = 64 * 1024;
inline constexpr std::uint64_t max_index_build_memory_kb = 1024 * 1024;

/// maintenance_work_mem, in kB, for building a table's indexes when the user gives none: enough
/// for the sort of an index of `index_bytes` (its size on the source) to stay in memory, about
/// three times its size (sort slots and tuple headers), within 64 MB..1 GB. PostgreSQL takes
/// the memory as the sort fills, so a build never holds more than its index needs.
std::uint64_t index_build_memory_kb(std::uint64_t index_bytes);

/// Estimated work of the jobs of a migration, in heap-byte equivalents, by which the job graph
/// ranks them (the longest chain of work first). Calibrated on tools/bench/offline, where a
/// COPY moves about 70 MB of heap per second and the TOAST table twice as many bytes:
/// - copying a chunk: its heap bytes plus half its TOAST bytes;
/// - building one index: an eighth of the heap (the scan) plus 0.6 times the index's share of
///   the table's index bytes on the source (sort and write), so 12 M rows of bigint keys,
///   600 MB of heap and a 257 MB key: about 230 MB, a third of the table's copy; an index
///   that outgrows the sort memory (three times its size above max_index_build_memory_kb)
///   sorts on disk and costs 1.6 times that (36 M rows and a 770 MB key: 12 s alone, where
///   12 M rows took 2.9 s);
/// - validating a foreign key: an eighth of the referencing table's heap.
double copy_cost(const catalog::table_info& table, const copy_chunk& chunk);
double index_build_cost(const catalog::table_info& table, std::size_t index_builds);
double foreign_key_cost(const catalog::table_info& referencing);

/// Cuts tables into chunks of about `chunk_bytes` (heap + TOAST bytes, so a TOAST-heavy table is
/// split too) and orders them by the work they bring (rows plus indexes) largest first, chunks
/// of a table in page order.
std::vector<copy_chunk> plan_chunks(const std::vector<catalog::table_info>& tables, const catalog::type_catalog& types,
                                    std::uint64_t chunk_bytes);

/// COPY ... TO STDOUT for a chunk on the source.
std::string copy_out_sql(const catalog::table_info& table, const copy_chunk& chunk);
/// COPY ... FROM STDIN for a chunk on the target (FREEZE when the table was truncated in the same transaction).
std::string copy_in_sql(const catalog::table_info& table, const copy_chunk& chunk, bool freeze);

}  // namespace pghandoff::copy
