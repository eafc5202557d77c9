#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/scope.hpp"

namespace pghandoff::schema {

/// One TOC entry of a pg_dump plain script: its header fields and its SQL. COMMENT, ACL and
/// SECURITY LABEL entries that directly follow an entry are folded into it.
struct ddl_entry {
    std::string tag;      ///< "Name:" of the header
    std::string type;     ///< INDEX, CONSTRAINT, FK CONSTRAINT, TRIGGER, ...
    std::string schema;   ///< "-" when none
    std::string sql;
    /// SET default_tablespace / default_table_access_method in force for this entry: pg_dump
    /// writes them only when they change, and entries may run out of dump order.
    std::string settings;
    /// A key that names this entry across runs (type, schema, tag, occurrence).
    std::string key;
};

/// A pg_dump/pg_restore plain-format script split into its preamble and entries.
struct ddl_script {
    std::string preamble;  ///< the SET statements before the first entry
    std::vector<ddl_entry> entries;

    /// The whole script as one string of SQL (psql meta-commands removed).
    std::string full_sql() const;
};

/// Splits a plain script; lines that are psql meta-commands (\restrict, \unrestrict, \connect)
/// are dropped since they are not SQL.
ddl_script parse_ddl_script(std::string_view text);

/// Makes every CREATE SCHEMA of the script CREATE SCHEMA IF NOT EXISTS. pg_dump --schema=public
/// dumps `CREATE SCHEMA public`, which every new database already has; preflight has made sure
/// that an existing schema holds no tables of the migration.
void reuse_existing_schemas(ddl_script& script);

/// The table an INDEX, (FK) CONSTRAINT, TRIGGER or STATISTICS entry builds on, read from its
/// SQL; nullopt for other entries or for `ON ONLY`/partitioned parents' forms that cannot be
/// built per table.
std::optional<catalog::qualified_name> entry_table(const ddl_entry& entry);

/// For an FK CONSTRAINT: the referenced table (after REFERENCES).
std::optional<catalog::qualified_name> referenced_table(const ddl_entry& entry);

/// Reads one possibly quoted, possibly schema-qualified name as pg_dump writes it, at `pos`.
std::optional<catalog::qualified_name> read_qualified_name(std::string_view sql, std::size_t& pos);

}  // namespace pghandoff::schema
