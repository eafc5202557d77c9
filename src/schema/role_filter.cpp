#include "schema/role_filter.hpp"

#include <cctype>
#include <set>
#include <vector>

#include "pg/quote.hpp"

namespace pghandoff::schema {

namespace {

/// Words pg_dump's fmtId quotes although they look like plain identifiers (SQL keywords that
/// are not unreserved). Role names equal to one of these appear quoted in dumps.
bool is_quoted_keyword(std::string_view word) {
    static const std::set<std::string_view> keywords = {
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between",
        "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce",
        "collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog",
        "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
        "dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
        "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant", "greatest",
        "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect",
        "interval", "into", "is", "isnull", "join", "lateral", "leading", "least", "left", "like", "limit",
        "localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull",
        "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay",
        "placing", "position", "precision", "primary", "real", "references", "returning", "right", "row",
        "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric", "system_user",
        "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim", "true", "union",
        "unique", "user", "using", "values", "varchar", "variadic", "verbose", "when", "where", "window", "with",
        "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
        "xmlroot", "xmlserialize", "xmltable"};
    return keywords.count(word) > 0;
}

/// The part of a pg_dump statement that names roles (owner, grantees, grantor, session
/// user), or empty when the statement names none.
std::string_view role_part(std::string_view line) {
    auto after_last = [&](std::string_view marker) -> std::string_view {
        std::size_t pos = line.rfind(marker);
        return pos == std::string_view::npos ? std::string_view{} : line.substr(pos + marker.size());
    };
    if (line.starts_with("SET SESSION AUTHORIZATION ")) return line.substr(26);
    if (line.starts_with("ALTER DEFAULT PRIVILEGES FOR ROLE ")) return line.substr(34);
    if (line.starts_with("ALTER ") && line.find(" OWNER TO ") != std::string_view::npos) return after_last(" OWNER TO ");
    if (line.starts_with("GRANT ")) return after_last(" TO ");
    if (line.starts_with("REVOKE ")) return after_last(" FROM ");
    return {};
}

/// True when `part` names `spelling` as a whole token.
bool names_token(std::string_view part, const std::string& spelling) {
    std::size_t pos = 0;
    while ((pos = part.find(spelling, pos)) != std::string_view::npos) {
        bool start_ok = pos == 0 || part[pos - 1] == ' ' || part[pos - 1] == ',';
        std::size_t end = pos + spelling.size();
        bool end_ok = end == part.size() || part[end] == ';' || part[end] == ',' || part[end] == ' ';
        if (start_ok && end_ok) return true;
        pos = end;
    }
    return false;
}

}  // namespace

std::string dump_role_spelling(std::string_view role) {
    bool plain = !role.empty() && (std::islower(static_cast<unsigned char>(role[0])) || role[0] == '_');
    for (char c : role)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            plain = false;
    return plain && !is_quoted_keyword(role) ? std::string(role) : pg::quote_ident(role);
}

std::string drop_lines_naming_roles(std::string_view sql, const std::set<std::string>& missing_roles,
                                    std::size_t* removed) {
    if (removed) *removed = 0;
    if (missing_roles.empty()) return std::string(sql);
    std::vector<std::string> spellings;
    for (const auto& r : missing_roles) spellings.push_back(dump_role_spelling(r));
    std::string out;
    out.reserve(sql.size());
    std::size_t pos = 0;
    while (pos < sql.size()) {
        std::size_t eol = sql.find('\n', pos);
        if (eol == std::string_view::npos) eol = sql.size();
        std::string_view line = sql.substr(pos, eol - pos);
        std::string_view part = role_part(line);
        bool drop = false;
        if (!part.empty())
            for (const auto& s : spellings)
                if (names_token(part, s)) drop = true;
        if (drop) {
            if (removed) ++*removed;
        } else {
            out.append(line);
            out += '\n';
        }
        pos = eol + 1;
    }
    return out;
}

}  // namespace pghandoff::schema
