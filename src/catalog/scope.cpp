#include "catalog/scope.hpp"

#include <algorithm>
#include <cctype>

#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::catalog {

std::string qualified_name::sql() const { return pg::qualified_name(schema, name); }

namespace {

constexpr std::string_view regex_specials = "\\^$.|?*+()[]{}";

bool wildcard_char(char c) { return c == '*' || c == '?' || (c != '$' && regex_specials.find(c) != std::string_view::npos); }

std::string escaped_for_regex(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (regex_specials.find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

bool plain_part(std::string_view s) {
    if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string quoted_part(std::string_view s) {
    if (plain_part(s)) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// What `?` matches: one character of a UTF-8 name, as in the server's regular expressions,
/// not one byte (std::regex works on bytes).
constexpr std::string_view one_character = "(?:[\\x00-\\x7F]|[\\xC0-\\xFF][\\x80-\\xBF]*)";

std::regex compile(const std::string& source, std::string_view text) {
    try {
        return std::regex(source, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error&) {
        throw error("cannot read the name pattern \"" + std::string(text) + "\"",
                    "put names with characters such as ( [ { + | in double quotes, or fix the regular expression");
    }
}

}  // namespace

name_pattern name_pattern::read(std::string_view text, std::size_t& pos) {
    name_pattern p;
    const std::size_t begin = pos;
    std::string regex, folded;
    bool in_quotes = false, exact = true;
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (in_quotes) {
            if (c == '"' && pos + 1 < text.size() && text[pos + 1] == '"') {
                regex += '"';
                folded += '"';
                ++pos;
            } else if (c == '"') {
                in_quotes = false;
            } else {
                regex += escaped_for_regex(std::string_view(&c, 1));
                folded += c;
            }
            continue;
        }
        if (c == '"') {
            in_quotes = true;
        } else if (c == '.') {
            break;
        } else if (c == '*') {
            regex += ".*";
            exact = false;
        } else if (c == '?') {
            regex += one_character;
            exact = false;
        } else if (c == '$') {
            regex += "\\$";
            folded += c;
        } else {
            const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (wildcard_char(c)) exact = false;
            regex += lower;
            folded += lower;
        }
    }
    if (in_quotes) throw error("unterminated quoted name in \"" + std::string(text) + "\"", "close the double quote");
    p.text_ = std::string(text.substr(begin, pos - begin));
    p.regex_source_ = "^(?:" + regex + ")$";
    if (exact) p.exact_ = folded;
    else p.regex_ = compile(p.regex_source_, text);
    return p;
}

name_pattern name_pattern::exactly(std::string name) {
    name_pattern p;
    p.text_ = quoted_part(name);
    p.regex_source_ = "^(?:" + escaped_for_regex(name) + ")$";
    p.exact_ = std::move(name);
    return p;
}

bool name_pattern::matches(std::string_view name) const {
    if (exact_) return *exact_ == name;
    return std::regex_match(name.begin(), name.end(), regex_);
}

table_pattern scope::parse_table_pattern(std::string_view text) {
    const auto unreadable = [&] {
        return error("cannot read the table name \"" + std::string(text) + "\"",
                     "write it as schema.table, with double quotes around names that need them");
    };
    std::size_t pos = 0;
    auto first = name_pattern::read(text, pos);
    if (pos >= text.size()) {
        if (first.text().empty() || (first.is_exact() && first.exact_name().empty())) throw unreadable();
        return {name_pattern::exactly("public"), std::move(first)};
    }
    ++pos;
    auto second = name_pattern::read(text, pos);
    if (pos != text.size() || first.text().empty() || second.text().empty() ||
        (first.is_exact() && first.exact_name().empty()) || (second.is_exact() && second.exact_name().empty()))
        throw unreadable();
    return {std::move(first), std::move(second)};
}

name_pattern scope::parse_schema_pattern(std::string_view text) {
    std::size_t pos = 0;
    auto p = name_pattern::read(text, pos);
    if (pos != text.size() || p.text().empty() || (p.is_exact() && p.exact_name().empty()))
        throw error("cannot read the schema name \"" + std::string(text) + "\"",
                    "give one schema name or pattern, in double quotes if it holds a dot");
    return p;
}

bool scope::covers_schema(std::string_view schema) const {
    if (is_system_schema(schema) || excludes_schema(schema)) return false;
    return schemas_.empty() ||
           std::any_of(schemas_.begin(), schemas_.end(), [&](const name_pattern& p) { return p.matches(schema); });
}

bool scope::copies_rows(const qualified_name& table) const {
    return covers_table(table) &&
           std::none_of(excluded_data_.begin(), excluded_data_.end(), [&](const table_pattern& p) { return p.matches(table); });
}

bool scope::excludes_schema(std::string_view schema) const {
    return std::any_of(excluded_schemas_.begin(), excluded_schemas_.end(),
                       [&](const name_pattern& p) { return p.matches(schema); });
}

bool scope::covers_table(const qualified_name& table) const {
    return covers_schema(table.schema) &&
           std::none_of(excluded_.begin(), excluded_.end(), [&](const table_pattern& p) { return p.matches(table); });
}

std::vector<std::string> scope::pg_dump_arguments() const {
    // pg_dump reads patterns by the same rules, so they are passed as written; a table pattern
    // without a schema gets public, as it has here.
    std::vector<std::string> args;
    for (const auto& s : schemas_) args.push_back("--schema=" + s.text());
    for (const auto& s : excluded_schemas_) args.push_back("--exclude-schema=" + s.text());
    for (const auto& t : excluded_) args.push_back("--exclude-table=" + t.text());
    args.push_back("--exclude-schema=pghandoff");
    return args;
}

std::string scope::fingerprint() const {
    std::vector<std::string> parts;
    for (const auto& s : schemas_) parts.push_back("schema:" + s.regex_source());
    for (const auto& s : excluded_schemas_) parts.push_back("noschema:" + s.regex_source());
    for (const auto& t : excluded_) parts.push_back("exclude:" + t.schema.regex_source() + "." + t.name.regex_source());
    for (const auto& t : excluded_data_)
        parts.push_back("nodata:" + t.schema.regex_source() + "." + t.name.regex_source());
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& p : parts) out += p + ";";
    return out;
}

namespace {

std::string shell_word(const std::string& text) {
    const bool safe = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_.,:/=@%+-").find(c) != std::string_view::npos;
    });
    if (safe && !text.empty()) return text;
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

std::string command_line_name(const qualified_name& name) {
    return shell_word(name_pattern::exactly(name.schema).text() + "." + name_pattern::exactly(name.name).text());
}

std::string command_line_schema(const std::string& schema) { return shell_word(name_pattern::exactly(schema).text()); }

bool is_system_schema(std::string_view schema) {
    return schema == "pg_catalog" || schema == "information_schema" || schema == "pghandoff" ||
           schema.starts_with("pg_toast") || schema.starts_with("pg_temp");
}

}  // namespace pghandoff::catalog
