#include "catalog/compression_probe.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::catalog {

namespace {

/// Tables below this size gain too little to be worth a sample.
constexpr std::uint64_t min_toast_bytes = 32ull << 20;
constexpr int sample_rows = 2000;

}  // namespace

boost::asio::awaitable<std::vector<incompressible_column>> find_incompressible_columns(
    pg::connection& source, const std::vector<table_info>& tables, int min_large_values) {
    std::vector<incompressible_column> out;
    if (source.server_version() < 140000) co_return out;
    for (const auto& t : tables) {
        if (t.toast_bytes < min_toast_bytes) continue;
        std::vector<const column_info*> candidates;
        for (const auto* c : t.copied_columns())
            if (c->storage == 'x') candidates.push_back(c);
        if (candidates.empty()) continue;
        const double percent =
            std::clamp(200.0 * sample_rows / static_cast<double>(std::max<std::int64_t>(t.estimated_rows, 1)), 0.01, 100.0);
        std::string select, list;
        for (const auto* c : candidates) {
            const auto col = pg::quote_ident(c->name);
            select += fmt::format("{}count(*) FILTER (WHERE pg_catalog.pg_column_size({}) > 2048), "
                                  "count(pg_catalog.pg_column_compression({}))",
                                  select.empty() ? "" : ", ", col, col);
            list += (list.empty() ? "" : ", ") + col;
        }
        auto res = co_await source.exec(fmt::format("SELECT {} FROM (SELECT {} FROM ONLY {} TABLESAMPLE SYSTEM ({:.4f}) "
                                                    "LIMIT {}) AS sample",
                                                    select, list, t.name.sql(), percent, sample_rows));
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            const auto large = res.integer(0, static_cast<int>(2 * i));
            const auto compressed = res.integer(0, static_cast<int>(2 * i + 1));
            if (large >= min_large_values && compressed == 0) out.push_back({t.name, candidates[i]->name});
        }
    }
    co_return out;
}

std::string storage_step_key(const incompressible_column& column) {
    return std::string(storage_step_prefix) + column.table.schema + '\x1f' + column.table.name + '\x1f' + column.column;
}

std::optional<incompressible_column> parse_storage_step_key(std::string_view key) {
    if (!key.starts_with(storage_step_prefix)) return std::nullopt;
    key.remove_prefix(std::string_view(storage_step_prefix).size());
    auto first = key.find('\x1f');
    auto second = first == std::string_view::npos ? first : key.find('\x1f', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    return incompressible_column{{std::string(key.substr(0, first)), std::string(key.substr(first + 1, second - first - 1))},
                                 std::string(key.substr(second + 1))};
}

std::string set_storage_sql(const qualified_name& table, const std::vector<std::string>& columns, const char* storage) {
    std::string sql = "ALTER TABLE ONLY " + table.sql();
    for (std::size_t i = 0; i < columns.size(); ++i)
        sql += (i ? ", " : " ") + std::string("ALTER COLUMN ") + pg::quote_ident(columns[i]) + " SET STORAGE " + storage;
    return sql;
}

}  // namespace pghandoff::catalog
