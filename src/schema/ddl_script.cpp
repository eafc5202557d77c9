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

void reuse_existing_schemas(ddl_script& script) {
    static constexpr std::string_view create = "CREATE SCHEMA ";
    for (auto& e : script.entries)
        if (e.type == "SCHEMA" && e.sql.starts_with(create) && !e.sql.starts_with("CREATE SCHEMA IF NOT EXISTS "))
            e.sql.insert(create.size(), "IF NOT EXISTS ");
}

std::string ddl_script::full_sql() const {
    std::string out = preamble;
    for (const auto& e : entries) {
        out += e.settings;
        out += e.sql;
        out += '\n';
    }
    return out;
}

namespace {

/// psql meta-commands pg_dump writes on lines of their own; they are not SQL.
bool is_meta_command(const std::string& line) {
    return line.starts_with("\\restrict ") || line.starts_with("\\unrestrict ") || line.starts_with("\\connect ");
}

/// pg_dump writes these settings before the header of the entry they belong to.
bool is_entry_setting(const std::string& line) {
    return line.starts_with("SET default_tablespace = ") || line.starts_with("SET default_table_access_method = ");
}

}  // namespace

ddl_script parse_ddl_script(std::string_view text) {
    static const std::regex header(R"(^-- (?:Data for )?Name: (.*); Type: ([A-Z ]+); Schema: (.*); Owner: ([^;]*)(; Tablespace: .*)?$)");
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        lines.emplace_back(text.substr(pos, eol - pos));
        pos = eol + 1;
    }

    ddl_script script;
    std::map<std::string, int> occurrences;
    ddl_entry* current = nullptr;
    std::string* sink = &script.preamble;
    // pg_dump sets the tablespace and access method only when they change from one entry to
    // the next; entries run out of order here, so each carries the settings in force for it.
    std::string tablespace_setting, access_method_setting;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        std::smatch m;
        // A header block is "--", "-- Name: ...", "--": only those lines split entries.
        if (line == "--" && i + 2 < lines.size() && lines[i + 2] == "--" && std::regex_match(lines[i + 1], m, header)) {
            i += 2;
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
            e.settings = tablespace_setting + access_method_setting;
            script.entries.push_back(std::move(e));
            current = &script.entries.back();
            sink = &current->sql;
            continue;
        }
        if (is_meta_command(line)) continue;
        if (is_entry_setting(line)) {
            (line.starts_with("SET default_tablespace") ? tablespace_setting : access_method_setting) = line + "\n";
            if (current) continue;
        }
        if (!current && line.starts_with("--")) continue;  // the dump's opening comments
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
        if (!consume_word(sql, pos, "CREATE")) return std::nullopt;
        consume_word(sql, pos, "UNIQUE");
        if (!consume_word(sql, pos, "INDEX")) return std::nullopt;
        skip_spaces(sql, pos);
        if (!read_identifier(sql, pos) || !consume_word(sql, pos, "ON")) return std::nullopt;
        if (consume_word(sql, pos, "ONLY")) return std::nullopt;  // a partitioned parent's index
        return read_qualified_name(sql, pos);
    }
    if (entry.type == "TRIGGER") {
        // CREATE [CONSTRAINT] TRIGGER name {BEFORE | AFTER | INSTEAD OF} events ON table ...
        if (!consume_word(sql, pos, "CREATE")) return std::nullopt;
        consume_word(sql, pos, "CONSTRAINT");
        if (!consume_word(sql, pos, "TRIGGER")) return std::nullopt;
        bool quoted = false;
        for (; pos < sql.size(); ++pos) {
            if (sql[pos] == '"') quoted = !quoted;
            if (quoted || sql[pos] != ' ' || sql.compare(pos, 4, " ON ") != 0) continue;
            pos += 4;
            consume_word(sql, pos, "ONLY");
            return read_qualified_name(sql, pos);
        }
        return std::nullopt;
    }
    if (entry.type == "STATISTICS") {
        // CREATE STATISTICS name [(kinds)] ON columns or (expressions) FROM table: the last
        // FROM outside quotes and parentheses of the first statement (an expression may hold
        // one, as in EXTRACT(year FROM t)).
        if (!consume_word(sql, pos, "CREATE") || !consume_word(sql, pos, "STATISTICS")) return std::nullopt;
        std::optional<std::size_t> from;
        int depth = 0;
        char quote = 0;
        for (; pos < sql.size(); ++pos) {
            const char c = sql[pos];
            if (quote) {
                if (c == quote) quote = 0;
                continue;
            }
            if (c == '"' || c == '\'') quote = c;
            else if (c == '(') ++depth;
            else if (c == ')') --depth;
            else if (c == ';' && depth == 0) break;
            else if (depth == 0 && std::isspace(static_cast<unsigned char>(c)) && sql.compare(pos + 1, 5, "FROM ") == 0)
                from = pos + 6;
        }
        if (!from) return std::nullopt;
        pos = *from;
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
