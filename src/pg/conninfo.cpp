#include "pg/conninfo.hpp"

#include <regex>

#include "pg/handles.hpp"
#include "util/error.hpp"

namespace pghandoff::pg {

conninfo conninfo::parse(std::string_view text) {
    std::string input(text);
    char* errmsg = nullptr;
    conninfo_options_ptr parsed(PQconninfoParse(input.c_str(), &errmsg));
    if (!parsed) {
        std::string why = errmsg ? errmsg : "out of memory";
        if (errmsg) PQfreemem(errmsg);
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        throw error("invalid connection string " + mask_passwords(input) + ": " + mask_passwords(why),
                    "use a URI such as postgresql://user@host:5432/dbname or key=value pairs as psql accepts");
    }
    conninfo result;
    for (auto* opt = parsed.get(); opt->keyword; ++opt) {
        if (opt->val && *opt->val) result.options_.emplace_back(opt->keyword, opt->val);
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
        if (c == ' ' || c == '\'' || c == '\\' || c == '=') plain = false;
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

std::string mask_passwords(std::string text) {
    static const std::regex key_value(R"((password\s*=\s*)('([^'\\]|\\.)*'|[^\s]+))", std::regex::icase);
    static const std::regex uri_userinfo(R"(((?:postgres|postgresql)://[^:/@]*):[^/?#]*@)", std::regex::icase);
    static const std::regex uri_param(R"(([?&]password=)[^&\s]*)", std::regex::icase);
    text = std::regex_replace(text, key_value, "$1********");
    text = std::regex_replace(text, uri_userinfo, "$1:********@");
    text = std::regex_replace(text, uri_param, "$1********");
    return text;
}

}  // namespace pghandoff::pg
