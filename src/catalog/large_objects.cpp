#include "catalog/large_objects.hpp"

#include <map>

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::catalog {

boost::asio::awaitable<std::vector<large_object>> load_large_objects(pg::connection& source) {
    auto res = co_await source.exec(
        "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner), "
        "       pg_catalog.obj_description(l.oid, 'pg_largeobject') "
        "FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.oid");
    std::vector<large_object> out;
    std::map<std::uint32_t, std::size_t> index;
    for (int i = 0; i < res.rows(); ++i) {
        large_object lo;
        lo.loid = static_cast<std::uint32_t>(res.integer(i, 0));
        lo.owner = res.text(i, 1);
        lo.comment = res.optional_text(i, 2);
        index[lo.loid] = out.size();
        out.push_back(std::move(lo));
    }
    if (out.empty()) co_return out;
    auto acl = co_await source.exec(
        "SELECT l.oid, a.privilege_type, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END, "
        "       a.is_grantable "
        "FROM pg_catalog.pg_largeobject_metadata l, LATERAL pg_catalog.aclexplode(l.lomacl) a "
        "WHERE a.grantee <> l.lomowner ORDER BY 1");
    for (int i = 0; i < acl.rows(); ++i) {
        auto it = index.find(static_cast<std::uint32_t>(acl.integer(i, 0)));
        if (it == index.end()) continue;
        std::string grantee = acl.is_null(i, 2) ? "PUBLIC" : pg::quote_ident(acl.get(i, 2));
        out[it->second].grants.push_back(
            {acl.is_null(i, 2) ? std::string() : acl.text(i, 2),
             "GRANT " + acl.text(i, 1) + " ON LARGE OBJECT " + acl.text(i, 0) + " TO " + grantee +
                 (acl.boolean(i, 3) ? " WITH GRANT OPTION" : "")});
    }
    co_return out;
}

}  // namespace pghandoff::catalog
