#pragma once
#include <set>
#include <string>
#include <string_view>

namespace pghandoff::schema {

/// Removes from a pg_dump script the ownership, privilege and session-authorization lines
/// that name a role missing on the target, so owners and privileges are kept where the
/// target has the roles. Returns how many lines were removed through `removed`.
std::string drop_lines_naming_roles(std::string_view sql, const std::set<std::string>& missing_roles,
                                    std::size_t* removed = nullptr);

/// A role name as pg_dump writes it: bare when it is a plain lower-case identifier, else quoted.
std::string dump_role_spelling(std::string_view role);

}  // namespace pghandoff::schema
