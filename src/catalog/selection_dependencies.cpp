#include "catalog/selection_dependencies.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "pg/connection.hpp"
#include "pg/quote.hpp"

namespace pghandoff::catalog {

namespace {

// The relations each user relation needs. Views and materialized views through their rewrite
// rule, foreign keys through their constraint (the referencing table is the dependent), and
// inheritance and partitions through pg_inherits.
constexpr const char* dependencies_sql = R"(
WITH user_rel AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind, c.relispartition
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff')
      AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                      WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
)
SELECT DISTINCT CASE dep.relkind WHEN 'm' THEN 'm' ELSE 'v' END, dep.nspname, dep.relname, '', ref.nspname, ref.relname
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_rewrite rw ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND rw.oid = d.objid
JOIN user_rel dep ON dep.oid = rw.ev_class
JOIN user_rel ref ON ref.oid = d.refobjid
WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n' AND dep.oid <> ref.oid
UNION ALL
SELECT 'f', dep.nspname, dep.relname, con.conname, ref.nspname, ref.relname
FROM pg_catalog.pg_constraint con
JOIN user_rel dep ON dep.oid = con.conrelid
JOIN user_rel ref ON ref.oid = con.confrelid
WHERE con.contype = 'f' AND con.conparentid = 0 AND dep.oid <> ref.oid
UNION ALL
SELECT CASE WHEN dep.relispartition THEN 'p' ELSE 'i' END, dep.nspname, dep.relname, '', ref.nspname, ref.relname
FROM pg_catalog.pg_inherits i
JOIN user_rel dep ON dep.oid = i.inhrelid
JOIN user_rel ref ON ref.oid = i.inhparent
ORDER BY 2, 3, 4, 5, 6
)";

}  // namespace

boost::asio::awaitable<std::vector<relation_dependency>> load_relation_dependencies(pg::connection& source) {
    auto r = co_await source.exec(dependencies_sql);
    std::vector<relation_dependency> out;
    for (int i = 0; i < r.rows(); ++i) {
        relation_dependency d;
        const auto k = r.get(i, 0);
        d.how = k == "m"   ? relation_dependency::kind::materialized_view
                : k == "f" ? relation_dependency::kind::foreign_key
                : k == "i" ? relation_dependency::kind::inherits
                : k == "p" ? relation_dependency::kind::partition_of
                           : relation_dependency::kind::view;
        d.dependent = {r.text(i, 1), r.text(i, 2)};
        d.constraint = r.text(i, 3);
        d.referenced = {r.text(i, 4), r.text(i, 5)};
        out.push_back(std::move(d));
    }
    co_return out;
}

boost::asio::awaitable<std::set<std::string>> relations_on_target(pg::connection& target,
                                                                  std::vector<qualified_name> candidates) {
    std::set<std::string> present;
    if (candidates.empty()) co_return present;
    std::string list;
    for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + pg::quote_literal(c.sql());
    auto r = co_await target.exec("SELECT name FROM unnest(ARRAY[" + list +
                                  "]::text[]) AS name WHERE pg_catalog.to_regclass(name) IS NOT NULL");
    for (int i = 0; i < r.rows(); ++i)
        for (const auto& c : candidates)
            if (c.sql() == r.get(i, 0)) present.insert(c.display());
    co_return present;
}

std::vector<std::string> broken_dependency_problems(const std::vector<relation_dependency>& dependencies,
                                                    const scope& selection, const std::set<std::string>& present) {
    // A relation is missing on the target when the migration leaves it out and the target lacks
    // it, or when it is migrated but cannot be created because something it needs is missing.
    std::set<std::string> missing;
    for (const auto& d : dependencies)
        if (!selection.covers_table(d.referenced) && !present.count(d.referenced.display()))
            missing.insert(d.referenced.display());
    std::vector<std::string> problems;
    // A foreign key to a partitioned table needs every partition's rows: one left out fails it.
    std::map<std::string, std::vector<qualified_name>> partitions;
    for (const auto& d : dependencies)
        if (d.how == relation_dependency::kind::partition_of) partitions[d.referenced.display()].push_back(d.dependent);
    // The first partition under `root`, at any depth, for which `lacking` holds.
    auto partition_where = [&](const qualified_name& root, auto lacking) -> std::optional<qualified_name> {
        std::vector<qualified_name> todo = {root};
        std::set<std::string> seen;
        while (!todo.empty()) {
            auto parent = todo.back();
            todo.pop_back();
            if (!seen.insert(parent.display()).second) continue;
            for (const auto& child : partitions[parent.display()]) {
                if (lacking(child)) return child;
                todo.push_back(child);
            }
        }
        return std::nullopt;
    };
    auto left_out_partition = [&](const qualified_name& root) {
        return partition_where(root, [&](const qualified_name& p) {
            return !selection.covers_table(p) && !present.count(p.display());
        });
    };
    for (const auto& d : dependencies) {
        if (d.how != relation_dependency::kind::foreign_key || !selection.covers_table(d.dependent) ||
            !selection.covers_table(d.referenced))
            continue;
        if (auto partition = left_out_partition(d.referenced))
            problems.push_back("foreign key " + d.constraint + " of " + d.dependent.display() + " references " +
                               d.referenced.display() + ", whose partition " + partition->display() +
                               " is not migrated: exclude " + d.dependent.display() + " too (--exclude-table " +
                               command_line_name(d.dependent) + ") or stop excluding " + partition->display());
    }
    // --exclude-table-data creates a table empty: a foreign key from a table that keeps its rows
    // could not be validated against it, nor against a partitioned table with such a partition.
    for (const auto& d : dependencies) {
        if (d.how != relation_dependency::kind::foreign_key || !selection.copies_rows(d.dependent) ||
            !selection.covers_table(d.referenced))
            continue;
        const auto empty = !selection.copies_rows(d.referenced)
                               ? std::optional<qualified_name>(d.referenced)
                               : partition_where(d.referenced, [&](const qualified_name& p) {
                                     return selection.covers_table(p) && !selection.copies_rows(p);
                                 });
        if (!empty) continue;
        problems.push_back("foreign key " + d.constraint + " of " + d.dependent.display() + " references " +
                           d.referenced.display() +
                           (*empty == d.referenced ? std::string() : ", whose partition " + empty->display()) +
                           (*empty == d.referenced ? ", whose" : " has") +
                           " rows --exclude-table-data leaves out: it could not be validated on the target; leave out "
                           "the rows of " + d.dependent.display() + " too (--exclude-table-data " +
                           command_line_name(d.dependent) + ") or copy those of " + empty->display());
    }
    std::set<std::size_t> reported;
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 0; i < dependencies.size(); ++i) {
            const auto& d = dependencies[i];
            if (reported.count(i) || !selection.covers_table(d.dependent) || !missing.count(d.referenced.display())) continue;
            reported.insert(i);
            changed = true;
            const std::string ref = d.referenced.display();
            const bool ref_migrated = selection.covers_table(d.referenced);
            const std::string why = ref_migrated ? ", which cannot be created either"
                                                 : ", which is not migrated and not on the target";
            const std::string keep = ref_migrated                                   ? ""
                                     : selection.excludes_schema(d.referenced.schema)
                                         ? " or stop excluding schema " + d.referenced.schema
                                     : !selection.covers_schema(d.referenced.schema)
                                         ? " or add --include-schema " + command_line_schema(d.referenced.schema)
                                         : " or stop excluding " + ref;
            const std::string exclude = "--exclude-table " + command_line_name(d.dependent);
            switch (d.how) {
                case relation_dependency::kind::view:
                case relation_dependency::kind::materialized_view:
                    problems.push_back(std::string(d.how == relation_dependency::kind::view ? "view " : "materialized view ") +
                                       d.dependent.display() + " reads " + ref + why + ": exclude the view too (" + exclude +
                                       ")" + keep);
                    missing.insert(d.dependent.display());
                    break;
                case relation_dependency::kind::foreign_key:
                    problems.push_back("foreign key " + d.constraint + " of " + d.dependent.display() + " references " + ref +
                                       why + ": exclude " + d.dependent.display() + " too (" + exclude + ")" + keep);
                    break;
                case relation_dependency::kind::inherits:
                case relation_dependency::kind::partition_of:
                    problems.push_back("table " + d.dependent.display() +
                                       (d.how == relation_dependency::kind::inherits ? " inherits from " : " is a partition of ") +
                                       ref + why + ": exclude it too (" + exclude + ")" + keep);
                    missing.insert(d.dependent.display());
                    break;
            }
        }
    }
    return problems;
}

}  // namespace pghandoff::catalog
