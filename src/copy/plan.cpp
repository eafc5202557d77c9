#include "copy/plan.hpp"

#include <algorithm>

#include "pg/quote.hpp"

namespace pghandoff::copy {

const char* to_string(copy_format f) { return f == copy_format::binary ? "binary" : "text"; }

copy_format parse_copy_format(std::string_view s) { return s == "binary" ? copy_format::binary : copy_format::text; }

std::uint64_t automatic_chunk_bytes(const std::vector<catalog::table_info>& tables, int jobs) {
    std::uint64_t total = 0;
    for (const auto& t : tables) total += t.total_bytes();
    const std::uint64_t share = total / static_cast<std::uint64_t>(std::max(1, jobs));
    return std::clamp<std::uint64_t>(share, min_automatic_chunk_bytes, max_automatic_chunk_bytes);
}

std::uint64_t index_build_memory_kb(std::uint64_t index_bytes) {
    const std::uint64_t wanted = index_bytes / 1024 * 3;
    return std::clamp(wanted, min_index_build_memory_kb, max_index_build_memory_kb);
}

double copy_cost(const catalog::table_info& table, const copy_chunk& chunk) {
    const double bytes = static_cast<double>(table.heap_bytes) + static_cast<double>(table.toast_bytes) / 2;
    return bytes / std::max(1, chunk.chunk_count);
}

double index_build_cost(const catalog::table_info& table, std::size_t index_builds) {
    const double share = static_cast<double>(table.index_bytes) / static_cast<double>(std::max<std::size_t>(1, index_builds));
    const double cost = static_cast<double>(table.heap_bytes) / 8 + 0.6 * share;
    const bool sorts_on_disk = share * 3 > static_cast<double>(max_index_build_memory_kb) * 1024;
    return sorts_on_disk ? 1.6 * cost : cost;
}

double foreign_key_cost(const catalog::table_info& referencing) { return static_cast<double>(referencing.heap_bytes) / 8; }

std::vector<copy_chunk> plan_chunks(const std::vector<catalog::table_info>& tables, const catalog::type_catalog& types,
                                    std::uint64_t chunk_bytes) {
    std::vector<const catalog::table_info*> order;
    for (const auto& t : tables) order.push_back(&t);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto* a, const auto* b) { return a->work_bytes() > b->work_bytes(); });

    std::vector<copy_chunk> chunks;
    for (const auto* t : order) {
        const copy_format format = catalog::binary_copy_safe(*t, types) ? copy_format::binary : copy_format::text;
        std::uint64_t count = 1;
        if (chunk_bytes > 0 && t->pages > 1) {
            count = (t->total_bytes() + chunk_bytes - 1) / chunk_bytes;
            count = std::clamp<std::uint64_t>(count, 1, t->pages);
        }
        const std::uint64_t pages_per_chunk = count > 1 ? (t->pages + count - 1) / count : 0;
        if (count > 1) count = (t->pages + pages_per_chunk - 1) / pages_per_chunk;  // no empty trailing chunk
        for (std::uint64_t i = 0; i < count; ++i) {
            copy_chunk c;
            c.table = t->name;
            c.chunk_no = static_cast<int>(i);
            c.chunk_count = static_cast<int>(count);
            c.format = format;
            c.estimated_bytes = t->total_bytes() / count;
            if (count > 1) {
                if (i > 0) c.first_page = i * pages_per_chunk;
                if (i + 1 < count) c.end_page = (i + 1) * pages_per_chunk;
            }
            chunks.push_back(std::move(c));
        }
    }
    return chunks;
}

namespace {

std::string column_list(const catalog::table_info& table) {
    auto cols = table.copied_columns();
    if (cols.size() == table.columns.size() || cols.empty()) return {};  // all columns: no list needed
    std::string out = " (";
    for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? ", " : "") + pg::quote_ident(cols[i]->name);
    return out + ")";
}

std::string select_list(const catalog::table_info& table) {
    auto cols = table.copied_columns();
    if (cols.empty()) return "*";
    std::string out;
    for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? ", " : "") + pg::quote_ident(cols[i]->name);
    return out;
}

std::string format_option(const copy_chunk& chunk, bool freeze) {
    std::string opts = chunk.format == copy_format::binary ? "FORMAT binary" : "";
    if (freeze) opts += opts.empty() ? "FREEZE" : ", FREEZE";
    return opts.empty() ? "" : " WITH (" + opts + ")";
}

}  // namespace

std::string copy_out_sql(const catalog::table_info& table, const copy_chunk& chunk) {
    if (!chunk.first_page && !chunk.end_page)
        return "COPY " + table.name.sql() + column_list(table) + " TO STDOUT" + format_option(chunk, false);
    std::string where;
    if (chunk.first_page) where += "ctid >= '(" + std::to_string(*chunk.first_page) + ",0)'::tid";
    if (chunk.end_page) {
        if (!where.empty()) where += " AND ";
        where += "ctid < '(" + std::to_string(*chunk.end_page) + ",0)'::tid";
    }
    return "COPY (SELECT " + select_list(table) + " FROM ONLY " + table.name.sql() + " WHERE " + where +
           ") TO STDOUT" + format_option(chunk, false);
}

std::string copy_in_sql(const catalog::table_info& table, const copy_chunk& chunk, bool freeze) {
    return "COPY " + table.name.sql() + column_list(table) + " FROM STDIN" + format_option(chunk, freeze);
}

}  // namespace pghandoff::copy
