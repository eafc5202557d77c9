#include "schema/role_filter.hpp"

#include <cctype>
#include <vector>

#include "pg/quote.hpp"

namespace pghandoff::schema {

std::string dump_role_spelling(std::string_view role) {
    bool plain = !role.empty() && (std::islower(static_cast<unsigned char>(role[0])) || role[0] == '_');
    for (char c : role)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
            plain = false;
    return plain ? std::string(role) : pg::quote_ident(role);
}

namespace {

bool is_role_statement(std::string_view line) {
    return line.starts_with("ALTER ") || line.starts_with("GRANT ") || line.starts_with("REVOKE ") ||
           line.starts_with("SET SESSION AUTHORIZATION ");
}

/// True when `line` names `spelling` as a whole token (after a space, before ; , space or end).
bool names_token(std::string_view line, const std::string& spelling) {
    std::size_t pos = 0;
    while ((pos = line.find(spelling, pos)) != std::string_view::npos) {
        bool start_ok = pos > 0 && line[pos - 1] == ' ';
        std::size_t end = pos + spelling.size();
        bool end_ok = end == line.size() || line[end] == ';' || line[end] == ',' || line[end] == ' ';
        if (start_ok && end_ok) return true;
        pos = end;
    }
    return false;
}

}  // namespace

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
        bool drop = false;
        if (is_role_statement(line))
            for (const auto& s : spellings)
                if (names_token(line, s)) drop = true;
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
