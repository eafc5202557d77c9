#include "support/catalog_queries.hpp"

namespace pghandoff::integration {

/// Session settings that make value output identical on both servers.
const char* const canonical_settings =
    "SET search_path = pg_catalog; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
    "SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'; "
    "SET statement_timeout = 0; SET lock_timeout = 0; SET jit = off; SET lc_monetary = 'C'";

namespace {

std::string user_schema(const std::string& schema) {
    return "(" + schema + " NOT IN ('pg_catalog', 'information_schema', 'pghandoff') AND " + schema +
           " NOT LIKE 'pg\\_toast%' AND " + schema + " NOT LIKE 'pg\\_temp\\_%')";
}

std::string not_extension_member(const std::string& catalog, const std::string& oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_depend AS ext WHERE ext.classid = '" + catalog +
           "'::regclass AND ext.objid = " + oid + " AND ext.deptype = 'e')";
}

/// An ACL in aclitem notation (grantee=privileges/grantor, sorted), 'default' for NULL.
/// MAINTAIN (m, PG17+) is left out across major versions: a PG17 owner holds it, a PG15 one cannot.
std::string privileges(const std::string& acl, bool cross_version) {
    return "(CASE WHEN " + acl +
           " IS NULL THEN 'default' ELSE coalesce((SELECT string_agg(item, ', ' ORDER BY item) "
           "FROM (SELECT CASE WHEN a.grantee = 0 THEN '' ELSE quote_ident(pg_get_userbyid(a.grantee)) END || '=' || "
           "string_agg(l.letter || CASE WHEN a.is_grantable THEN '*' ELSE '' END, '' "
           "ORDER BY strpos('arwdDxtmXUCTcsA', l.letter)) || '/' || quote_ident(pg_get_userbyid(a.grantor)) AS item "
           "FROM aclexplode(" +
           acl +
           ") AS a CROSS JOIN LATERAL (SELECT CASE a.privilege_type "
           "WHEN 'SELECT' THEN 'r' WHEN 'UPDATE' THEN 'w' WHEN 'INSERT' THEN 'a' WHEN 'DELETE' THEN 'd' "
           "WHEN 'TRUNCATE' THEN 'D' WHEN 'REFERENCES' THEN 'x' WHEN 'TRIGGER' THEN 't' WHEN 'MAINTAIN' THEN 'm' "
           "WHEN 'EXECUTE' THEN 'X' WHEN 'USAGE' THEN 'U' WHEN 'CREATE' THEN 'C' WHEN 'TEMPORARY' THEN 'T' "
           "WHEN 'CONNECT' THEN 'c' WHEN 'SET' THEN 's' WHEN 'ALTER SYSTEM' THEN 'A' "
           "ELSE '(' || a.privilege_type || ')' END AS letter) AS l" +
           (cross_version ? " WHERE a.privilege_type <> 'MAINTAIN'" : "") +
           " GROUP BY a.grantee, a.grantor) AS items), 'none') END)";
}

/// The qualified name of the relation (table, index) whose oid is given, NULL for none.
std::string qualified_relation(const std::string& oid) {
    return "(SELECT format('%I.%I', qn.nspname, qc.relname) FROM pg_class AS qc JOIN pg_namespace AS qn "
           "ON qn.oid = qc.relnamespace WHERE qc.oid = " +
           oid + ")";
}

std::string relation_label() {
    return "(CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view ' WHEN 'S' THEN 'sequence ' "
           "WHEN 'f' THEN 'foreign table ' ELSE 'table ' END || format('%I.%I', n.nspname, c.relname))";
}

const std::string relations_from =
    " FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE " + user_schema("n.nspname") +
    " AND " + not_extension_member("pg_class", "c.oid");

std::string relations_query(bool cross) {
    return "SELECT n.nspname, c.relname, " + relation_label() +
           " AS object, "
           "CASE c.relkind WHEN 'p' THEN 'partitioned table' WHEN 'r' THEN 'ordinary table' END AS kind, "
           "CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'logged' END AS persistence, "
           "pg_get_userbyid(c.relowner) AS owner, " +
           privileges("c.relacl", cross) +
           " AS privileges, "
           "obj_description(c.oid, 'pg_class') AS comment, pg_get_partkeydef(c.oid) AS \"partition key\", "
           "CASE WHEN c.relispartition THEN (SELECT " +
           qualified_relation("i.inhparent") +
           " FROM pg_inherits AS i WHERE i.inhrelid = c.oid) END AS \"partition of\", "
           "pg_get_expr(c.relpartbound, c.oid) AS \"partition bound\", "
           "CASE WHEN NOT c.relispartition THEN (SELECT string_agg(" +
           qualified_relation("i.inhparent") +
           ", ', ' ORDER BY i.inhseqno) FROM pg_inherits AS i WHERE i.inhrelid = c.oid) END AS inherits, "
           "c.relrowsecurity AS \"row security\", c.relforcerowsecurity AS \"forced row security\", "
           "c.reloptions::text AS options, "
           // Across major versions the deparsed text of a view differs (PG16+ drops redundant
           // qualifiers); there the columns and a materialized view's rows carry the comparison.
           + std::string(cross ? "NULL" : "CASE WHEN c.relkind IN ('v', 'm') THEN regexp_replace(pg_get_viewdef(c.oid), '\\s+', ' ', 'g') END") +
           " AS definition, CASE WHEN c.relkind = 'm' THEN c.relispopulated END AS populated" +
           relations_from + " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')";
}

std::string columns_query(bool cross) {
    return "SELECT n.nspname, c.relname, format('column %I.%I.%I', n.nspname, c.relname, a.attname) AS object, "
           "row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS position, "
           "format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS \"not null\", "
           "CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default, "
           "CASE a.attgenerated WHEN '' THEN NULL WHEN 's' THEN 'stored ' ELSE 'virtual ' END "
           "|| pg_get_expr(d.adbin, d.adrelid) AS generated, "
           "CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity, "
           "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation "
           "THEN a.attcollation::regcollation::text END AS collation, " +
           privileges("a.attacl", cross) +
           " AS \"column privileges\", "
           "col_description(c.oid, a.attnum) AS comment "
           "FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid "
           "JOIN pg_namespace AS n ON n.oid = c.relnamespace JOIN pg_type AS t ON t.oid = a.atttypid "
           "LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
           "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_class", "c.oid");
}

std::string indexes_query(bool) {
    return "SELECT n.nspname, c.relname, format('index %I.%I', n.nspname, i.relname) AS object, "
           "format('%I.%I', n.nspname, c.relname) AS \"table\", pg_get_indexdef(i.oid) AS definition, "
           "x.indisvalid AS valid, x.indisclustered AS clustered, "
           "(SELECT " +
           qualified_relation("h.inhparent") +
           " FROM pg_inherits AS h WHERE h.inhrelid = i.oid) "
           "AS \"partition of\", obj_description(i.oid, 'pg_class') AS comment "
           "FROM pg_index AS x JOIN pg_class AS i ON i.oid = x.indexrelid JOIN pg_class AS c ON c.oid = x.indrelid "
           "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_class", "c.oid");
}

std::string constraints_query(bool) {
    return "SELECT n.nspname, c.relname, format('constraint %I on %I.%I', k.conname, n.nspname, c.relname) "
           "AS object, CASE k.contype WHEN 'c' THEN 'check' WHEN 'f' THEN 'foreign key' WHEN 'p' THEN 'primary key' "
           "WHEN 'u' THEN 'unique' WHEN 'x' THEN 'exclusion' WHEN 't' THEN 'constraint trigger' "
           "ELSE k.contype::text END AS type, pg_get_constraintdef(k.oid) AS definition, "
           "k.convalidated AS validated, obj_description(k.oid, 'pg_constraint') AS comment "
           "FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid "
           "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE k.contype <> 'n' AND " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_class", "c.oid");
}

std::string triggers_query(bool firing) {
    return "SELECT n.nspname, c.relname, format('trigger %I on %I.%I', g.tgname, n.nspname, c.relname) AS object, "
           "pg_get_triggerdef(g.oid) AS definition, " +
           std::string(firing ? "CASE g.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN "
                                "'disabled' WHEN 'R' THEN 'enabled replica' WHEN 'A' THEN 'enabled always' END"
                              : "'not compared'") +
           " AS firing, "
           "obj_description(g.oid, 'pg_trigger') AS comment "
           "FROM pg_trigger AS g JOIN pg_class AS c ON c.oid = g.tgrelid "
           "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE NOT g.tgisinternal AND " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_class", "c.oid");
}

std::string policies_query(bool) {
    return "SELECT n.nspname, c.relname, format('policy %I on %I.%I', p.polname, n.nspname, c.relname) AS object, "
           "p.polcmd AS command, p.polpermissive AS permissive, "
           "(SELECT string_agg(r, ', ' ORDER BY r) FROM (SELECT CASE WHEN o = 0 THEN 'PUBLIC' ELSE "
           "pg_get_userbyid(o) END AS r FROM unnest(p.polroles) AS o) AS roles) AS roles, "
           "pg_get_expr(p.polqual, p.polrelid) AS \"using\", pg_get_expr(p.polwithcheck, p.polrelid) AS \"with check\" "
           "FROM pg_policy AS p JOIN pg_class AS c ON c.oid = p.polrelid "
           "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE " +
           user_schema("n.nspname");
}

std::string functions_query(bool cross) {
    return "SELECT n.nspname, NULL, format('%s %I.%I(%s)', CASE p.prokind WHEN 'p' THEN 'procedure' "
           "WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' ELSE 'function' END, n.nspname, p.proname, "
           "pg_get_function_identity_arguments(p.oid)) AS object, "
           "pg_get_function_arguments(p.oid) AS arguments, pg_get_function_result(p.oid) AS result, "
           "l.lanname AS language, md5(p.prosrc) AS \"source md5\", "
           "CASE WHEN p.prosqlbody IS NOT NULL THEN md5(pg_get_function_sqlbody(p.oid)) END AS \"sql body md5\", "
           "p.provolatile AS volatility, p.proisstrict AS strict, p.prosecdef AS \"security definer\", "
           "p.proleakproof AS leakproof, p.proparallel AS parallel, p.proconfig::text AS settings, "
           "p.procost AS cost, p.prorows AS rows, pg_get_userbyid(p.proowner) AS owner, " +
           privileges("p.proacl", cross) +
           " AS privileges, obj_description(p.oid, 'pg_proc') AS comment "
           "FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace "
           "JOIN pg_language AS l ON l.oid = p.prolang WHERE " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_proc", "p.oid");
}

std::string types_query(bool cross) {
    return "SELECT n.nspname, NULL, format('type %I.%I', n.nspname, t.typname) AS object, "
           "CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'c' THEN 'composite' WHEN 'd' THEN 'domain' "
           "WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange' WHEN 'b' THEN 'base' ELSE t.typtype::text END AS kind, "
           "CASE WHEN t.typtype = 'e' THEN (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder)::text "
           "FROM pg_enum AS e WHERE e.enumtypid = t.oid) END AS labels, "
           "CASE WHEN t.typtype = 'c' THEN (SELECT string_agg(format('%I %s%s', a.attname, "
           "format_type(a.atttypid, a.atttypmod), CASE WHEN a.attcollation <> 0 AND a.attcollation <> at.typcollation "
           "THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END), ', ' ORDER BY a.attnum) "
           "FROM pg_attribute AS a JOIN pg_type AS at ON at.oid = a.atttypid "
           "WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS attributes, "
           "CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS \"base type\", "
           "CASE WHEN t.typtype = 'd' THEN t.typnotnull END AS \"not null\", "
           "CASE WHEN t.typtype = 'd' THEN t.typcollation::regcollation::text END AS collation, "
           "pg_get_expr(t.typdefaultbin, 0) AS default, "
           "CASE WHEN t.typtype = 'd' THEN (SELECT string_agg(format('%I %s%s', k.conname, pg_get_constraintdef(k.oid), "
           "CASE WHEN k.convalidated THEN '' ELSE ' (not validated)' END), '; ' ORDER BY k.conname) "
           "FROM pg_constraint AS k WHERE k.contypid = t.oid AND k.contype <> 'n') END AS constraints, "
           "(SELECT format('subtype %s, collation %s, opclass %s, canonical %s, subtype_diff %s, multirange %s', "
           "format_type(r.rngsubtype, NULL), r.rngcollation::regcollation, "
           "(SELECT opcname FROM pg_opclass WHERE oid = r.rngsubopc), r.rngcanonical::regproc, "
           "r.rngsubdiff::regproc, format_type(r.rngmultitypid, NULL)) FROM pg_range AS r "
           "WHERE r.rngtypid = t.oid) AS range, "
           "pg_get_userbyid(t.typowner) AS owner, " +
           privileges("t.typacl", cross) +
           " AS privileges, "
           "obj_description(t.oid, 'pg_type') AS comment "
           "FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace "
           "WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r', 'm') AND " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_type", "t.oid") +
           " AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')"
           " AND NOT EXISTS (SELECT 1 FROM pg_type AS e WHERE e.typarray = t.oid)";
}

std::string collations_query(bool) {
    // The ICU locale column is colliculocale in PG15 and colllocale from PG17: read it by name from jsonb.
    return "SELECT n.nspname, NULL, format('collation %I.%I', n.nspname, k.collname) AS object, "
           "k.collprovider AS provider, k.collisdeterministic AS deterministic, "
           "coalesce(to_jsonb(k) ->> 'colliculocale', to_jsonb(k) ->> 'colllocale', k.collcollate) AS locale, "
           "pg_get_userbyid(k.collowner) AS owner, obj_description(k.oid, 'pg_collation') AS comment "
           "FROM pg_collation AS k JOIN pg_namespace AS n ON n.oid = k.collnamespace WHERE " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_collation", "k.oid");
}

std::string extensions_query(bool) {
    return "SELECT n.nspname, NULL, format('extension %I', e.extname) AS object, 'yes' AS installed "
           "FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace WHERE " +
           user_schema("n.nspname");
}

std::string schemas_query(bool cross) {
    return "SELECT n.nspname, NULL, format('schema %I', n.nspname) AS object, "
           "pg_get_userbyid(n.nspowner) AS owner, " +
           privileges("n.nspacl", cross) +
           " AS privileges, "
           "obj_description(n.oid, 'pg_namespace') AS comment FROM pg_namespace AS n WHERE " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_namespace", "n.oid");
}

std::string default_privileges_query(bool cross) {
    return "SELECT n.nspname, NULL, format('default privileges for role %I in %s on %s', "
           "pg_get_userbyid(d.defaclrole), coalesce('schema ' || quote_ident(n.nspname), 'all schemas'), "
           "CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' "
           "WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END) AS object, " +
           privileges("d.defaclacl", cross) +
           " AS privileges "
           "FROM pg_default_acl AS d LEFT JOIN pg_namespace AS n ON n.oid = d.defaclnamespace "
           "WHERE n.oid IS NULL OR " +
           user_schema("n.nspname");
}

}  // namespace

std::string sequences_query() {
    return "SELECT n.nspname, c.relname, format('sequence %I.%I', n.nspname, c.relname) AS object, "
           "format_type(s.seqtypid, NULL) AS type, s.seqstart AS start, s.seqincrement AS increment, "
           "s.seqmin AS minimum, s.seqmax AS maximum, s.seqcache AS cache, s.seqcycle AS cycle, "
           "(SELECT format('%s.%I', " +
           qualified_relation("d.refobjid") +
           ", a.attname) FROM pg_depend AS d "
           "JOIN pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
           "WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass "
           "AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0) AS \"owned by\" "
           "FROM pg_sequence AS s JOIN pg_class AS c ON c.oid = s.seqrelid "
           "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE " +
           user_schema("n.nspname") + " AND " + not_extension_member("pg_class", "c.oid");
}

std::string large_objects_query(bool cross_version) {
    return "SELECT NULL, NULL, format('large object %s', m.oid) AS object, "
           "pg_get_userbyid(m.lomowner) AS owner, " +
           privileges("m.lomacl", cross_version) +
           " AS privileges, "
           "obj_description(m.oid, 'pg_largeobject') AS comment, length(l.content) AS size, "
           "md5(l.content) AS \"content md5\" "
           "FROM pg_largeobject_metadata AS m CROSS JOIN LATERAL (SELECT lo_get(m.oid) AS content) AS l";
}

/// Relations whose rows are compared: ordinary tables and leaf partitions, populated matviews.
std::string data_relations_query() {
    return "SELECT n.nspname, c.relname, " + relation_label() + " AS object" + relations_from +
           " AND (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated))";
}

std::vector<catalog_query> catalog_queries(bool cross_version, bool trigger_firing) {
    return {
        {relations_query(cross_version), true},
        {columns_query(cross_version), false},
        {indexes_query(cross_version), false},
        {constraints_query(cross_version), false},
        {triggers_query(trigger_firing), false},
        {policies_query(cross_version), false},
        {functions_query(cross_version), false},
        {types_query(cross_version), false},
        {collations_query(cross_version), false},
        {extensions_query(cross_version), false},
        {schemas_query(cross_version), false},
        {sequences_query(), false},
        {default_privileges_query(cross_version), false},
    };
}

}  // namespace pghandoff::integration
