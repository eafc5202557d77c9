#include "schema/ddl_script.hpp"

#include <cctype>
#include <map>
#include <regex>

namespace pghandoff::schema {

namespace {

bool is_folded_type(std::string_view type) {
    return type == "COMMENT" || type == "ACL" || type == "SECURITY LABEL";
}

void skip_spaces(std::string_view s, std::size_t& pos) {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
}

std::optional<std::string> read_identifier(std::string_view s, std::size_t& pos) {
    std::string out;
    if (pos < s.size() && s[pos] == '"') {
        ++pos;
        while (pos < s.size()) {
            if (s[pos] == '"') {
                if (pos + 1 < s.size() && s[pos + 1] == '"') {
                    out += '"';
                    pos += 2;
                    continue;
                }
                ++pos;
                return out;
            }
            out += s[pos++];
        }
        return std::nullopt;
    }
    while (pos < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[pos]);
        if (!(std::isalnum(c) || c == '_' || c == '$' || c >= 0x80)) break;
        out += s[pos++];
    }
    if (out.empty()) return std::nullopt;
    return out;
}

bool consume_word(std::string_view s, std::size_t& pos, std::string_view word) {
    skip_spaces(s, pos);
    if (s.substr(pos, word.size()) != word) return false;
    std::size_t end = pos + word.size();
    if (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) return false;
    pos = end;
    return true;
}

}  // namespace

std::optional<catalog::qualified_name> read_qualified_name(std::string_view sql, std::size_t& pos) {
    skip_spaces(sql, pos);
    auto first = read_identifier(sql, pos);
    if (!first) return std::nullopt;
    if (pos < sql.size() && sql[pos] == '.') {
        ++pos;
        auto second = read_identifier(sql, pos);
        if (!second) return std::nullopt;
        return catalog::qualified_name{*first, *second};
    }
    return catalog::qualified_name{"", *first};
}

std::string ddl_script::full_sql() const {
    std::string out = preamble;
    for (const auto& e : entries) {
        out += e.sql;
        out += '\n';
    }
    return out;
}

ddl_script parse_ddl_script(std::string_view text) {
    static const std::regex header(R"(^-- (?:Data for )?Name: (.*); Type: ([A-Z ]+); Schema: (.*); Owner: (.*)$)");
    ddl_script script;
    std::map<std::string, int> occurrences;
    ddl_entry* current = nullptr;
    std::string* sink = &script.preamble;

    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string line(text.substr(pos, eol - pos));
        pos = eol + 1;

        if (!line.empty() && line[0] == '\\') continue;  // psql meta-command
        std::smatch m;
        if (line.starts_with("-- ") && std::regex_match(line, m, header)) {
            std::string type = m[2];
            if (current && is_folded_type(type)) {
                sink = &current->sql;  // keep the comment/ACL with the object it describes
                continue;
            }
            ddl_entry e;
            e.tag = m[1];
            e.type = type;
            e.schema = m[3];
            std::string base = e.type + "|" + e.schema + "|" + e.tag;
            e.key = base + "|" + std::to_string(occurrences[base]++);
            script.entries.push_back(std::move(e));
            current = &script.entries.back();
            sink = &current->sql;
            continue;
        }
        if (line.starts_with("--")) continue;  // other comments
        if (line.empty() && sink->empty()) continue;
        *sink += line;
        *sink += '\n';
    }
    return script;
}

std::optional<catalog::qualified_name> entry_table(const ddl_entry& entry) {
    const std::string& sql = entry.sql;
    std::size_t pos = 0;
    if (entry.type == "INDEX") {
        // CREATE [UNIQUE] INDEX name ON [ONLY] table USING ...
        std::size_t on = sql.find(" ON ");
        if (on == std::string::npos) return std::nullopt;
        pos = on + 4;
        if (consume_word(sql, pos, "ONLY")) return std::nullopt;  // a partitioned parent's index
        return read_qualified_name(sql, pos);
    }
    if (entry.type == "CONSTRAINT" || entry.type == "FK CONSTRAINT") {
        if (!consume_word(sql, pos, "ALTER") || !consume_word(sql, pos, "TABLE")) return std::nullopt;
        consume_word(sql, pos, "ONLY");
        return read_qualified_name(sql, pos);
    }
    return std::nullopt;
}

std::optional<catalog::qualified_name> referenced_table(const ddl_entry& entry) {
    if (entry.type != "FK CONSTRAINT") return std::nullopt;
    std::size_t ref = entry.sql.find(" REFERENCES ");
    if (ref == std::string::npos) return std::nullopt;
    std::size_t pos = ref + 12;
    return read_qualified_name(entry.sql, pos);
}

}  // namespace pghandoff::schema
