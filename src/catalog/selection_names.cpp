#include "catalog/selection_names.hpp"

#include <algorithm>
#include <cctype>


namespace pghandoff::catalog {

namespace {

bool same_but_case(const std::string& a, const std::string& b) {
    return a != b && a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::vector<std::string> unmatched_schema_problems(const scope& selection, const std::vector<std::string>& schemas,
                                                   const std::string& database) {
    std::vector<std::string> out;
    for (const auto& pattern : selection.schemas()) {
        if (std::any_of(schemas.begin(), schemas.end(), [&](const std::string& s) { return pattern.matches(s); })) continue;
        if (!pattern.is_exact()) {
            out.push_back("--include-schema " + pattern.text() + " matches no schema of the source database " + database);
            continue;
        }
        std::string line = "--include-schema " + pattern.text() + ": the source database " + database + " has no schema " +
                           pattern.exact_name();
        auto near = std::find_if(schemas.begin(), schemas.end(),
                                 [&](const std::string& s) { return same_but_case(s, pattern.exact_name()); });
        if (near != schemas.end())
            line += "; unquoted names fold to lower case, as in pg_dump: write --include-schema " +
                    command_line_schema(*near) + " for schema " + *near;
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> unmatched_excluded_schema_warnings(const scope& selection, const std::vector<std::string>& schemas) {
    std::vector<std::string> out;
    for (const auto& pattern : selection.excluded_schemas()) {
        if (std::any_of(schemas.begin(), schemas.end(), [&](const std::string& s) { return pattern.matches(s); })) continue;
        std::string line = "--exclude-schema " + pattern.text() + (pattern.is_exact() ? " names" : " matches") +
                           " no schema on the source: nothing is left out for it";
        if (pattern.is_exact()) {
            auto near = std::find_if(schemas.begin(), schemas.end(),
                                     [&](const std::string& s) { return same_but_case(s, pattern.exact_name()); });
            if (near != schemas.end())
                line += " (unquoted names fold to lower case, as in pg_dump: write " + command_line_schema(*near) + " for " +
                        *near + ")";
        }
        out.push_back(line);
    }
    return out;
}

std::vector<std::string> unmatched_table_warnings(const scope& selection, const std::vector<qualified_name>& relations) {
    std::vector<std::string> out;
    for (const auto& pattern : selection.excluded()) {
        if (std::any_of(relations.begin(), relations.end(), [&](const qualified_name& r) { return pattern.matches(r); }))
            continue;
        std::string line = "--exclude-table " + pattern.text() +
                           (pattern.schema.is_exact() && pattern.name.is_exact() ? " names" : " matches") +
                           " no table on the source: nothing is left out for it";
        if (pattern.schema.is_exact() && pattern.name.is_exact()) {
            auto near = std::find_if(relations.begin(), relations.end(), [&](const qualified_name& r) {
                return (r.schema == pattern.schema.exact_name() || same_but_case(r.schema, pattern.schema.exact_name())) &&
                       (r.name == pattern.name.exact_name() || same_but_case(r.name, pattern.name.exact_name()));
            });
            if (near != relations.end())
                line += " (unquoted names fold to lower case, as in pg_dump: write " + command_line_name(*near) + " for " +
                        near->display() + ")";
        }
        out.push_back(line);
    }
    return out;
}

}  // namespace pghandoff::catalog
