#include "catalog/type_catalog.hpp"

#include "pg/connection.hpp"

namespace pghandoff::catalog {

bool type_catalog::binary_safe(oid type) const { return binary_safe(type, 0); }

bool type_catalog::binary_safe(oid type, int depth) const {
    if (depth > 16) return false;
    auto it = types_.find(type);
    if (it == types_.end()) return false;
    const type_row& t = it->second;
    switch (t.kind) {
        case 'd': return binary_safe(t.base, depth + 1);
        case 'e': return t.has_binary_io;  // an enum's binary form is its label
        case 'c':
        case 'p': return false;            // composites carry column type OIDs
        case 'r':
        case 'm': return t.has_binary_io && binary_safe(t.range_subtype, depth + 1);
        default: break;
    }
    if (!t.has_binary_io) return false;
    if (t.category == 'A' && t.element != 0) {
        // array_send writes the element type's OID: only built-in element types keep theirs.
        return t.element < first_normal_object_id && binary_safe(t.element, depth + 1);
    }
    return t.type_oid < first_normal_object_id;
}

boost::asio::awaitable<type_catalog> type_catalog::load(pg::connection& source) {
    const bool has_multirange = source.server_version() >= 140000;
    std::string sql =
        "SELECT t.oid, t.typtype, t.typcategory, t.typelem, t.typbasetype, "
        "       COALESCE(r.rngsubtype, 0), "
        "       (t.typsend::oid <> 0 AND t.typreceive::oid <> 0) "
        "FROM pg_catalog.pg_type t "
        "LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid" +
        std::string(has_multirange ? " OR r.rngmultitypid = t.oid" : "");
    auto res = co_await source.exec(sql);
    type_catalog catalog;
    for (int i = 0; i < res.rows(); ++i) {
        type_row row;
        row.type_oid = static_cast<oid>(res.integer(i, 0));
        row.kind = res.get(i, 1).empty() ? 'b' : res.get(i, 1)[0];
        row.category = res.get(i, 2).empty() ? 'U' : res.get(i, 2)[0];
        row.element = static_cast<oid>(res.integer(i, 3));
        row.base = static_cast<oid>(res.integer(i, 4));
        row.range_subtype = static_cast<oid>(res.integer(i, 5));
        row.has_binary_io = res.boolean(i, 6);
        catalog.add(row);
    }
    co_return catalog;
}

}  // namespace pghandoff::catalog
