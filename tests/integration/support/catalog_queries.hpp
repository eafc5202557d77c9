#pragma once

#include <string>
#include <vector>

namespace pghandoff::integration {

/// Session settings that make value output the same on both servers (time zone, date and
/// float formats, search_path limited to pg_catalog so every name prints qualified).
extern const char* const canonical_settings;

/// A catalog query. Its rows are (schema, relation, object, property...): the schema and the
/// relation the object belongs to (NULL if none), its description (`table app.t`), then one
/// column per property, named after it.
struct catalog_query {
    std::string sql;
    bool lists_relations;  ///< its objects are tables, views and sequences themselves
};

/// The queries for every kind of object but large objects. cross_version leaves out what only
/// one of two major versions has (the MAINTAIN privilege).
/// `trigger_firing`: compare whether each trigger is enabled (off while a migration streams:
/// ENABLE ALWAYS/REPLICA triggers stay disabled on the target until the cutover).
std::vector<catalog_query> catalog_queries(bool cross_version, bool trigger_firing = true);

/// Large objects: owner, privileges, comment, size and md5 of the content.
std::string large_objects_query(bool cross_version);

/// Sequences: their definition; rows start (schema, name, object).
std::string sequences_query();

/// Ordinary tables, leaf partitions and populated materialized views, whose rows are
/// compared; rows are (schema, name, object).
std::string data_relations_query();

}  // namespace pghandoff::integration
