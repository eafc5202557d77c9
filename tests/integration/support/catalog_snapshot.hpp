#pragma once

#include "support/db_compare.hpp"
#include "support/pg_session.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace pghandoff::integration {

/// Properties of one database object by property name ("owner", "row count", ...).
using object_properties = std::map<std::string, std::optional<std::string>>;

/// What compare_databases reads from one database: objects by their description
/// (`table "Sales"."Orders"`, `column app.t.c`, ...), each with its properties.
struct catalog_snapshot {
    std::map<std::string, object_properties> objects;
    /// The relation (schema, name) each object belongs to or is, if any.
    std::map<std::string, std::pair<std::string, std::string>> relation_of;
    /// The tables, views and sequences present, (schema, name) to their object description.
    std::map<std::pair<std::string, std::string>, std::string> relations;
};

/// Reads the user objects, row digests and sequence values of the database of session, in
/// one REPEATABLE READ snapshot. cross_version leaves out what only one major version has.
catalog_snapshot read_catalog_snapshot(pg_session& session, const compare_options& options,
                                       bool cross_version);

}  // namespace pghandoff::integration
