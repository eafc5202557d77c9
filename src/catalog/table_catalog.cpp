#include "catalog/table_catalog.hpp"

#include <unordered_map>

#include "pg/connection.hpp"

namespace pghandoff::catalog {

std::vector<const column_info*> table_info::copied_columns() const {
    std::vector<const column_info*> out;
    for (const auto& c : columns)
        if (!c.generated) out.push_back(&c);
    return out;
}

bool binary_copy_safe(const table_info& table, const type_catalog& types) {
    for (const auto* c : table.copied_columns())
        if (!types.binary_safe(c->type)) return false;
    return true;
}

boost::asio::awaitable<std::vector<table_info>> load_tables(pg::connection& source, const scope& selection) {
    // Extension member tables are the extension's business (CREATE EXTENSION makes them).
    auto res = co_await source.exec(
        "SELECT c.oid, n.nspname, c.relname, c.relispartition, "
        "       pg_catalog.pg_relation_size(c.oid), "
        "       COALESCE(pg_catalog.pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0), "
        "       pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::bigint, "
        "       GREATEST(c.reltuples, 0)::bigint, pg_catalog.pg_indexes_size(c.oid), "
        "       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indexprs IS NOT NULL) "
        "       OR EXISTS (SELECT 1 FROM pg_catalog.pg_statistic_ext s WHERE s.stxrelid = c.oid) "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND c.relpersistence <> 't' "
        "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass "
        "                  AND d.objid = c.oid AND d.deptype = 'e') "
        "ORDER BY n.nspname, c.relname");
    std::vector<table_info> tables;
    std::unordered_map<oid, std::size_t> by_oid;
    for (int i = 0; i < res.rows(); ++i) {
        table_info t;
        t.relid = static_cast<oid>(res.integer(i, 0));
        t.name = {res.text(i, 1), res.text(i, 2)};
        if (!selection.covers_table(t.name)) continue;
        t.is_partition = res.boolean(i, 3);
        t.heap_bytes = static_cast<std::uint64_t>(res.integer(i, 4));
        t.toast_bytes = static_cast<std::uint64_t>(res.integer(i, 5));
        t.pages = static_cast<std::uint64_t>(res.integer(i, 6));
        t.estimated_rows = res.integer(i, 7);
        t.index_bytes = static_cast<std::uint64_t>(res.integer(i, 8));
        t.statistics_after_post_data = res.boolean(i, 9);
        by_oid[t.relid] = tables.size();
        tables.push_back(std::move(t));
    }

    const bool has_generated = source.server_version() >= 120000;
    auto cols = co_await source.exec(
        std::string("SELECT a.attrelid, a.attname, a.atttypid, ") +
        (has_generated ? "a.attgenerated <> ''" : "false") +
        ", a.attstorage FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum");
    for (int i = 0; i < cols.rows(); ++i) {
        auto it = by_oid.find(static_cast<oid>(cols.integer(i, 0)));
        if (it == by_oid.end()) continue;
        tables[it->second].columns.push_back(
            {cols.text(i, 1), static_cast<oid>(cols.integer(i, 2)), cols.boolean(i, 3),
             cols.get(i, 4).empty() ? 'p' : cols.get(i, 4)[0]});
    }
    co_return tables;
}

}  // namespace pghandoff::catalog
