#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "catalog/scope.hpp"
#include "pg/conninfo.hpp"

namespace pghandoff::schema {

/// A pg_dump (and the pg_restore beside it) able to dump a given server.
struct dump_tool {
    std::filesystem::path pg_dump;
    std::filesystem::path pg_restore;
    int major_version = 0;
};

/// The major version a `pg_dump --version` line names ("pg_dump (PostgreSQL) 15.8 ..." -> 15).
std::optional<int> parse_tool_major(const std::string& version_line);

/// Finds the newest pg_dump whose major version is at least `server_major`: the explicit
/// path if given, then PATH, then /usr/lib/postgresql/*/bin and /usr/pgsql-*/bin.
/// Throws pghandoff::error naming what was found and what to install.
dump_tool find_dump_tool(int server_major, const std::optional<std::filesystem::path>& explicit_path);

/// Options that shape the schema DDL.
struct dump_options {
    bool no_owner = false;
    bool no_acl = false;
    bool no_tablespaces = false;
};

/// Dumps the source's schema at `snapshot` into `archive` (custom format).
void dump_schema(const dump_tool& tool, const pg::conninfo& source, const std::string& snapshot,
                 const catalog::scope& selection, const std::filesystem::path& archive);

/// The plain SQL of one section ("pre-data" or "post-data"; empty: all) of a schema archive. With `clean`,
/// the script starts with DROP ... IF EXISTS statements for every object of the archive.
std::string restore_section(const dump_tool& tool, const std::filesystem::path& archive, const std::string& section,
                            const dump_options& options, bool clean = false);

/// Environment for a libpq child process: PGPASSWORD when the conninfo carries a password.
std::vector<std::pair<std::string, std::string>> child_environment(const pg::conninfo& info);

}  // namespace pghandoff::schema
