#include "catalog/replica_identity.hpp"

#include "pg/connection.hpp"

namespace pghandoff::catalog {

boost::asio::awaitable<std::vector<blocked_table>> load_blocked_tables(pg::connection& source, const scope& selection) {
    // Partitioned parents carry no rows: their leaves are checked. A leaf's identity is its own.
    auto res = co_await source.exec(
        "SELECT n.nspname, c.relname, c.relpersistence = 'u' AS unlogged "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND c.relpersistence <> 't' "
        "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass "
        "                  AND d.objid = c.oid AND d.deptype = 'e') "
        "  AND (c.relpersistence = 'u' OR c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS ("
        "       SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))) "
        "ORDER BY 1, 2");
    std::vector<blocked_table> out;
    for (int i = 0; i < res.rows(); ++i) {
        qualified_name name{res.text(i, 0), res.text(i, 1)};
        if (!selection.covers_table(name)) continue;
        out.push_back({name, res.boolean(i, 2) ? replication_blocker::unlogged : replication_blocker::no_identity});
    }
    co_return out;
}

std::string describe_blocker(const blocked_table& table) {
    if (table.why == replication_blocker::unlogged)
        return "table " + table.name.display() +
               " is UNLOGGED, and logical replication cannot carry its changes: ALTER TABLE " + table.name.sql() +
               " SET LOGGED on the source, exclude it with --exclude-table, or use --no-follow";
    return "table " + table.name.display() +
           " has no primary key, so its UPDATEs and DELETEs cannot be replicated: ALTER TABLE " + table.name.sql() +
           " REPLICA IDENTITY FULL on the source (or pass --replica-identity-full), add a primary key, or exclude it "
           "with --exclude-table";
}

}  // namespace pghandoff::catalog
