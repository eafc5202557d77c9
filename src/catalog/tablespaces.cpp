#include "catalog/tablespaces.hpp"

#include <map>

#include <fmt/format.h>

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::catalog {

boost::asio::awaitable<std::vector<tablespace_use>> load_tablespace_uses(pg::connection& source) {
    auto r = co_await source.exec(
        "SELECT t.spcname, n.nspname, coalesce(owner.relname, c.relname), c.relname "
        "FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_tablespace t ON t.oid = c.reltablespace "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid "
        "LEFT JOIN pg_catalog.pg_class owner ON owner.oid = i.indrelid "
        "WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') "
        "  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') "
        "  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
        "ORDER BY 1, 2, 3, 4");
    std::vector<tablespace_use> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), {r.text(i, 1), r.text(i, 2)}, r.text(i, 3)});
    co_return out;
}

boost::asio::awaitable<std::set<std::string>> load_tablespace_names(pg::connection& server) {
    auto r = co_await server.exec("SELECT spcname FROM pg_catalog.pg_tablespace");
    std::set<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.insert(r.text(i, 0));
    co_return out;
}

std::vector<std::string> missing_tablespace_problems(const std::vector<tablespace_use>& uses, const scope& selection,
                                                     const std::set<std::string>& on_target) {
    struct missing {
        int relations = 0;
        std::string first;
    };
    std::map<std::string, missing> by_tablespace;
    for (const auto& u : uses) {
        if (on_target.count(u.tablespace) || !selection.covers_table(u.table)) continue;
        auto& m = by_tablespace[u.tablespace];
        if (m.relations++ == 0) m.first = u.table.schema + "." + u.relation;
    }
    std::vector<std::string> problems;
    for (const auto& [name, m] : by_tablespace)
        problems.push_back(fmt::format(
            "tablespace {} does not exist on the target ({} migrated table(s) and index(es) are in it, first {}): "
            "create it on the target (CREATE TABLESPACE {} LOCATION '...'), or pass --no-tablespaces to use the "
            "target's default tablespace",
            name, m.relations, m.first, pg::quote_ident(name)));
    return problems;
}

}  // namespace pghandoff::catalog
