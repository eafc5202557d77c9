#include "catalog/scope.hpp"

#include <algorithm>
#include <cctype>

#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::catalog {

std::string qualified_name::sql() const { return pg::qualified_name(schema, name); }

namespace {

/// Reads one identifier from `text` at `pos`: "quoted" (with "" for a quote) or bare (folded).
std::string read_identifier(std::string_view text, std::size_t& pos) {
    std::string out;
    if (pos < text.size() && text[pos] == '"') {
        ++pos;
        for (;;) {
            if (pos >= text.size()) throw error("unterminated quoted name in \"" + std::string(text) + "\"");
            if (text[pos] == '"') {
                if (pos + 1 < text.size() && text[pos + 1] == '"') {
                    out += '"';
                    pos += 2;
                    continue;
                }
                ++pos;
                break;
            }
            out += text[pos++];
        }
        return out;
    }
    while (pos < text.size() && text[pos] != '.') {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos])));
        ++pos;
    }
    return out;
}

std::string dump_pattern(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

qualified_name scope::parse_table_name(std::string_view text) {
    std::size_t pos = 0;
    qualified_name result;
    std::string first = read_identifier(text, pos);
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        result.schema = first;
        result.name = read_identifier(text, pos);
    } else {
        result.schema = "public";
        result.name = first;
    }
    if (pos != text.size() || result.name.empty() || result.schema.empty())
        throw error("cannot read the table name \"" + std::string(text) + "\"",
                    "write it as schema.table, with double quotes around names that need them");
    return result;
}

bool scope::covers_schema(std::string_view schema) const {
    if (is_system_schema(schema)) return false;
    return schemas_.empty() || std::find(schemas_.begin(), schemas_.end(), schema) != schemas_.end();
}

bool scope::covers_table(const qualified_name& table) const {
    return covers_schema(table.schema) && std::find(excluded_.begin(), excluded_.end(), table) == excluded_.end();
}

std::vector<std::string> scope::pg_dump_arguments() const {
    std::vector<std::string> args;
    for (const auto& s : schemas_) args.push_back("--schema=" + dump_pattern(s));
    for (const auto& t : excluded_) args.push_back("--exclude-table=" + dump_pattern(t.schema) + "." + dump_pattern(t.name));
    args.push_back("--exclude-schema=pghandoff");
    return args;
}

std::string scope::fingerprint() const {
    std::vector<std::string> parts;
    for (const auto& s : schemas_) parts.push_back("schema:" + s);
    for (const auto& t : excluded_) parts.push_back("exclude:" + t.sql());
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& p : parts) out += p + ";";
    return out;
}

bool is_system_schema(std::string_view schema) {
    return schema == "pg_catalog" || schema == "information_schema" || schema == "pghandoff" ||
           schema.starts_with("pg_toast") || schema.starts_with("pg_temp");
}

}  // namespace pghandoff::catalog
