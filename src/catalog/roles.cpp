#include "catalog/roles.hpp"

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::catalog {

boost::asio::awaitable<std::vector<role_info>> load_roles_in_use(pg::connection& source) {
    auto res = co_await source.exec(R"SQL(
WITH user_ns AS (
  SELECT oid, nspowner, nspacl FROM pg_catalog.pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') AND nspname NOT LIKE 'pg\_toast%'
    AND nspname NOT LIKE 'pg\_temp%'
), used AS (
  SELECT nspowner AS r FROM user_ns
  UNION SELECT (pg_catalog.aclexplode(nspacl)).grantee FROM user_ns WHERE nspacl IS NOT NULL
  UNION SELECT relowner FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM user_ns)
  UNION SELECT (pg_catalog.aclexplode(relacl)).grantee FROM pg_catalog.pg_class
        WHERE relacl IS NOT NULL AND relnamespace IN (SELECT oid FROM user_ns)
  UNION SELECT proowner FROM pg_catalog.pg_proc WHERE pronamespace IN (SELECT oid FROM user_ns)
  UNION SELECT (pg_catalog.aclexplode(proacl)).grantee FROM pg_catalog.pg_proc
        WHERE proacl IS NOT NULL AND pronamespace IN (SELECT oid FROM user_ns)
  UNION SELECT typowner FROM pg_catalog.pg_type WHERE typnamespace IN (SELECT oid FROM user_ns)
  UNION SELECT lomowner FROM pg_catalog.pg_largeobject_metadata
  UNION SELECT (pg_catalog.aclexplode(lomacl)).grantee FROM pg_catalog.pg_largeobject_metadata WHERE lomacl IS NOT NULL
)
SELECT rolname, rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolconnlimit
FROM pg_catalog.pg_roles WHERE oid IN (SELECT r FROM used) ORDER BY rolname)SQL");
    std::vector<role_info> out;
    for (int i = 0; i < res.rows(); ++i)
        out.push_back({res.text(i, 0), res.boolean(i, 1), res.boolean(i, 2), res.boolean(i, 3), res.boolean(i, 4),
                       res.integer(i, 5)});
    co_return out;
}

boost::asio::awaitable<std::set<std::string>> load_role_names(pg::connection& server) {
    auto res = co_await server.exec("SELECT rolname FROM pg_catalog.pg_roles");
    std::set<std::string> out;
    for (int i = 0; i < res.rows(); ++i) out.insert(res.text(i, 0));
    co_return out;
}

std::string create_role_sql(const role_info& role) {
    return "CREATE ROLE " + pg::quote_ident(role.name) + " WITH " + (role.can_login ? "LOGIN" : "NOLOGIN") +
           (role.inherit ? " INHERIT" : " NOINHERIT") + (role.create_db ? " CREATEDB" : "") +
           (role.create_role ? " CREATEROLE" : "") + " CONNECTION LIMIT " + std::to_string(role.connection_limit);
}

}  // namespace pghandoff::catalog
