#include "catalog/sequence_catalog.hpp"

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::catalog {

boost::asio::awaitable<std::vector<sequence_state>> load_sequences(pg::connection& source, const scope& selection) {
    // An identity column's sequence goes with its table (pg_dump leaves it out with the table);
    // a serial's sequence is only OWNED BY its table and stays, as a standalone one does.
    auto res = co_await source.exec(
        "SELECT n.nspname, c.relname, tn.nspname, t.relname "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_catalog.pg_depend i ON i.classid = 'pg_catalog.pg_class'::regclass AND i.objid = c.oid "
        "     AND i.refclassid = 'pg_catalog.pg_class'::regclass AND i.deptype = 'i' "
        "LEFT JOIN pg_catalog.pg_class t ON t.oid = i.refobjid "
        "LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace "
        "WHERE c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
        "'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1, 2");
    std::vector<sequence_state> out;
    for (int i = 0; i < res.rows(); ++i) {
        qualified_name name{res.text(i, 0), res.text(i, 1)};
        if (!selection.covers_table(name)) continue;
        if (auto table = res.optional_text(i, 3); table && !selection.covers_table({res.text(i, 2), *table})) continue;
        out.push_back({name, {}, false});
    }
    // Read the states in batches: one round trip per 200 sequences.
    for (std::size_t i = 0; i < out.size(); i += 200) {
        std::string sql;
        std::size_t end = std::min(out.size(), i + 200);
        for (std::size_t j = i; j < end; ++j) {
            if (j > i) sql += " UNION ALL ";
            sql += "SELECT " + std::to_string(j) + ", last_value::text, is_called FROM " + out[j].name.sql();
        }
        auto values = co_await source.exec(sql);
        for (int r = 0; r < values.rows(); ++r) {
            auto& s = out.at(static_cast<std::size_t>(values.integer(r, 0)));
            s.last_value = values.text(r, 1);
            s.is_called = values.boolean(r, 2);
        }
    }
    co_return out;
}

std::string setval_sql(const std::vector<sequence_state>& sequences) {
    std::string sql;
    for (std::size_t i = 0; i < sequences.size(); i += 200) {
        sql += "SELECT ";
        std::size_t end = std::min(sequences.size(), i + 200);
        for (std::size_t j = i; j < end; ++j) {
            const auto& s = sequences[j];
            if (j > i) sql += ", ";
            sql += "pg_catalog.setval(" + pg::quote_literal(s.name.sql()) + ", " + s.last_value + ", " +
                   (s.is_called ? "true" : "false") + ")";
        }
        sql += ";\n";
    }
    return sql;
}

}  // namespace pghandoff::catalog
