#include "pg/conninfo.hpp"

#include <cctype>
#include <regex>
#include <vector>

#include "pg/handles.hpp"
#include "util/error.hpp"

namespace pghandoff::pg {

namespace {

/// Pieces of any password written in `text` (a key=value password up to the end, split at
/// white space; a URI's user:secret@ part), to check that a message shows none of them.
std::vector<std::string> password_fragments(const std::string& text) {
    static const std::regex key_value(R"(password\s*=\s*(.*)$)", std::regex::icase);
    static const std::regex uri_secret(R"((?:postgres|postgresql)://[^/?#@]*:([^/?#]*)@)", std::regex::icase);
    std::vector<std::string> out;
    std::smatch m;
    std::string rest;
    if (std::regex_search(text, m, key_value)) rest += m[1].str() + " ";
    if (std::regex_search(text, m, uri_secret)) rest += m[1].str();
    std::string word;
    for (char c : rest + " ") {
        if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '&') {
            if (word.size() >= 2) out.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    return out;
}

/// libpq expands a dbname that is itself a connection string; do it here so that the
/// password inside it is known (for masking and for PGPASSWORD) like any other.
bool is_connection_string(const std::string& dbname) {
    return dbname.find('=') != std::string::npos || dbname.starts_with("postgresql://") ||
           dbname.starts_with("postgres://");
}

}  // namespace

conninfo conninfo::parse(std::string_view text) {
    std::string input(text);
    char* errmsg = nullptr;
    conninfo_options_ptr parsed(PQconninfoParse(input.c_str(), &errmsg));
    if (!parsed) {
        std::string why = errmsg ? errmsg : "out of memory";
        if (errmsg) PQfreemem(errmsg);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        const std::string hint = "use a URI such as postgresql://user@host:5432/dbname or key=value pairs as psql accepts";
        std::string message = "invalid connection string " + mask_passwords(input) + ": " + mask_passwords(why);
        for (const auto& fragment : password_fragments(input))
            for (std::size_t at; (at = message.find(fragment)) != std::string::npos;)
                message.replace(at, fragment.size(), "********");
        throw error(message, hint);
    }
    conninfo result;
    std::optional<std::string> nested;
    for (auto* opt = parsed.get(); opt->keyword; ++opt) {
        if (!opt->val || !*opt->val) continue;
        if (std::string_view(opt->keyword) == "dbname" && is_connection_string(opt->val)) {
            nested = opt->val;
            continue;
        }
        result.options_.emplace_back(opt->keyword, opt->val);
    }
    if (nested) {
        conninfo inner = parse(*nested);
        for (const auto& [k, v] : inner.options_) result = result.with(k, v);
    }
    return result;
}

conninfo conninfo::with(std::string_view keyword, std::string_view value) const {
    conninfo copy = *this;
    for (auto& [k, v] : copy.options_) {
        if (k == keyword) {
            v = value;
            return copy;
        }
    }
    copy.options_.emplace_back(keyword, value);
    return copy;
}

std::optional<std::string> conninfo::get(std::string_view keyword) const {
    for (const auto& [k, v] : options_)
        if (k == keyword) return v;
    return std::nullopt;
}

std::string quote_conninfo_value(std::string_view value) {
    bool plain = !value.empty();
    for (char c : value)
        if (std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '\\' || c == '=') plain = false;
    if (plain) return std::string(value);
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string conninfo::to_string_without_password() const {
    std::string out;
    for (const auto& [k, v] : options_) {
        if (k == "password") continue;
        if (!out.empty()) out += ' ';
        out += k + "=" + quote_conninfo_value(v);
    }
    return out;
}

namespace {

std::string percent_encoded(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace

std::string conninfo::to_uri(bool with_password) const {
    std::string user, password, host, port, dbname, query;
    for (const auto& [k, v] : options_) {
        if (k == "user") user = percent_encoded(v);
        else if (k == "password") password = with_password ? percent_encoded(v) : "";
        else if (k == "port" && v.find(',') == std::string::npos) port = percent_encoded(v);
        else if (k == "dbname") dbname = percent_encoded(v);
        else if (k == "host" && v.find(',') == std::string::npos && v.find('/') == std::string::npos)
            host = v.find(':') != std::string::npos ? "[" + v + "]" : percent_encoded(v);
        else query += (query.empty() ? "?" : "&") + percent_encoded(k) + "=" + percent_encoded(v);
    }
    std::string out = "postgresql://";
    if (!user.empty()) out += user + (password.empty() ? "" : ":" + password) + "@";
    out += host;
    if (!port.empty()) out += ":" + port;
    out += "/" + dbname;
    return out + query;
}

std::string mask_passwords(std::string text) {
    static const std::regex uri_param(R"(([?&]password=)[^&\s]*)", std::regex::icase);
    static const std::regex key_value(R"(((?:^|\s)password\s*=\s*)('([^'\\]|\\.)*'|[^\s]+))", std::regex::icase);
    static const std::regex uri_userinfo(R"(((?:postgres|postgresql)://[^:/@]*):[^/?#]*@)", std::regex::icase);
    text = std::regex_replace(text, uri_param, "$1********");
    text = std::regex_replace(text, key_value, "$1********");
    text = std::regex_replace(text, uri_userinfo, "$1:********@");
    return text;
}

}  // namespace pghandoff::pg
