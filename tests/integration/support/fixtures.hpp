#pragma once

#include "support/pg_session.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace pghandoff::integration {

/// The path of a file in tests/integration/fixtures.
std::filesystem::path fixture_path(std::string_view name);

/// Creates the cluster-wide roles the fixtures own and grant to (fixtures/roles.sql).
void create_fixture_roles(pg_session& session);

/// Fills the session's (fresh) database with fixtures/hard_schema.sql, creating its roles first.
void load_hard_schema(pg_session& session);

/// Copies one database into another (empty) one with pg_dump and psql, as a reference
/// migration; throws std::runtime_error with their stderr if either fails.
void copy_with_pg_dump(const std::string& source_conninfo, const std::string& target_conninfo);

/// The full path of a program found in PATH; throws std::runtime_error if there is none.
std::filesystem::path program_in_path(std::string_view name);

}  // namespace pghandoff::integration
