#include "apply/target_table.hpp"

#include "apply/pipeline.hpp"

namespace pghandoff::apply {

namespace asio = boost::asio;

namespace {

constexpr int deepest_type_nesting = 16;

// format_type runs under the applier's search_path '' and so qualifies every type outside
// pg_catalog: its output can go into a cast as it is.
constexpr const char* columns_sql =
    "SELECT c.relkind, a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, NULL), "
    "a.attidentity, a.attgenerated "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') "
    "ORDER BY a.attnum";

// Every type the columns use, with the domains' base types and the arrays' element types
// they lead to.
constexpr const char* types_sql =
    "WITH RECURSIVE used(oid) AS ("
    " SELECT a.atttypid FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped"
    " UNION"
    " SELECT x.oid FROM used u JOIN pg_catalog.pg_type t ON t.oid = u.oid"
    " CROSS JOIN LATERAL (VALUES (t.typbasetype), (t.typelem)) AS x(oid) WHERE x.oid <> 0) "
    "SELECT t.oid, t.typtype, t.typcategory, t.typbasetype, t.typelem, "
    " EXISTS (SELECT 1 FROM pg_catalog.pg_opclass o JOIN pg_catalog.pg_am m ON m.oid = o.opcmethod"
    "  WHERE o.opcdefault AND o.opcintype = t.oid AND m.amname IN ('btree', 'hash')) "
    "FROM used u JOIN pg_catalog.pg_type t ON t.oid = u.oid";

char first_char(const pg::result& rows, int row, int col) {
    auto text = rows.get(row, col);
    return text.empty() ? '\0' : text.front();
}

std::uint32_t oid_at(const pg::result& rows, int row, int col) {
    return static_cast<std::uint32_t>(rows.integer(row, col));
}

type_map read_types(const pg::result& rows) {
    type_map types;
    for (int r = 0; r < rows.rows(); ++r)
        types[oid_at(rows, r, 0)] = {first_char(rows, r, 1), first_char(rows, r, 2), oid_at(rows, r, 3),
                                     oid_at(rows, r, 4), rows.boolean(r, 5)};
    return types;
}

bool has_equality(std::uint32_t type_oid, const type_map& types, int depth) {
    auto found = types.find(type_oid);
    if (found == types.end() || depth > deepest_type_nesting) return false;
    const auto& type = found->second;
    switch (type.kind) {
    case 'd': return has_equality(type.base, types, depth + 1);
    case 'e':
    case 'r':
    case 'm': return true;  // anyenum, anyrange and anymultirange have default btree classes
    case 'c': return false;  // record equality fails at run time for a field without one
    default: break;
    }
    if (type.category == 'A' && type.element != 0 && !type.default_equality)
        return has_equality(type.element, types, depth + 1);
    return type.default_equality;
}

}  // namespace

bool has_equality(std::uint32_t type_oid, const type_map& types) { return has_equality(type_oid, types, 0); }

asio::awaitable<std::optional<target_table>> load_target_table(pipeline& target, std::string schema,
                                                               std::string name) {
    std::vector<std::string> params{schema, name};
    auto columns = co_await target.query(columns_sql, params);
    if (columns.rows() == 0) co_return std::nullopt;
    auto type_rows = co_await target.query(types_sql, params);
    const auto types = read_types(type_rows);

    target_table table{std::move(schema), std::move(name), first_char(columns, 0, 0) == 'p', {}};
    for (int r = 0; r < columns.rows(); ++r) {
        if (columns.is_null(r, 1)) continue;  // a table without columns
        const auto type_oid = oid_at(columns, r, 2);
        table.columns.push_back({columns.text(r, 1), type_oid, columns.text(r, 3), first_char(columns, r, 4) == 'a',
                                 first_char(columns, r, 5) != '\0', has_equality(type_oid, types)});
    }
    co_return table;
}

}  // namespace pghandoff::apply
