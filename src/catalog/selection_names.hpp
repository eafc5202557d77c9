#pragma once
#include <string>
#include <vector>

#include "catalog/scope.hpp"

namespace pghandoff::catalog {

/// One problem line per --include-schema pattern that matches none of `schemas` (the source's),
/// naming the database and, when only the case differs, the quoting that matches.
std::vector<std::string> unmatched_schema_problems(const scope& selection, const std::vector<std::string>& schemas,
                                                   const std::string& database);

/// One warning line per --exclude-schema pattern that matches none of `schemas` (the source's).
std::vector<std::string> unmatched_excluded_schema_warnings(const scope& selection, const std::vector<std::string>& schemas);

/// One warning line per --exclude-table pattern that matches none of `relations` (the source's
/// tables, views, sequences and foreign tables): the table the user meant would be migrated.
std::vector<std::string> unmatched_table_warnings(const scope& selection, const std::vector<qualified_name>& relations);

}  // namespace pghandoff::catalog
