#pragma once

#include <string>
#include <vector>

namespace pghandoff::integration {

/// A table by its unquoted schema and name.
struct table_name {
    std::string schema;
    std::string name;
};

/// What compare_databases looks at.
struct compare_options {
    /// Only objects in these schemas (unquoted names); empty means every user schema.
    /// With a schema list, large objects and other schema-less objects are not compared.
    std::vector<std::string> schemas;
    /// Tables left out together with their columns, indexes, constraints, triggers and rows.
    std::vector<table_name> excluded_tables;
    /// Compare owners (turn off for a migration with --no-owner).
    bool owners = true;
    /// Compare privileges (turn off for a migration with --no-acl).
    bool privileges = true;
    /// Compare large objects: oid, owner, privileges, content.
    bool large_objects = true;
    /// Compare sequence values (turn off while a migration streams: sequences move only at the cutover).
    bool sequence_values = true;
    /// Compare whether triggers are enabled (turn off while a migration streams: ENABLE ALWAYS
    /// and ENABLE REPLICA triggers stay disabled on the target until the cutover).
    bool trigger_firing = true;
};

/// Every difference between the user objects and rows of two databases, one readable line
/// each (e.g. `table "Sales"."Orders": row count 1000 vs 999`); empty when they are equal.
/// Schemas pg_catalog, information_schema, pg_toast* and pghandoff are ignored. Safe across
/// major versions: it reads catalogs and rows on each side, never runs pg_dump.
std::vector<std::string> compare_databases(const std::string& source_conninfo,
                                           const std::string& target_conninfo,
                                           const compare_options& options = {});

/// The differences one per line, or "no differences", for a test's failure message.
std::string describe_differences(const std::vector<std::string>& differences);

}  // namespace pghandoff::integration
