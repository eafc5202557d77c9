#include "support/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <stdexcept>

namespace pghandoff::integration {
namespace {

struct conninfo_options_deleter {
    void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};
struct libpq_memory_deleter {
    void operator()(char* text) const noexcept { PQfreemem(text); }
};

std::string percent_encoded(const std::string& text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0f];
        }
    }
    return out;
}

std::string quoted_value(const std::string& value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

/// A host goes into the URI's authority unless it is a socket directory or a list.
bool fits_authority(const std::string& host) {
    return !host.empty() && host.find('/') == std::string::npos && host.find(',') == std::string::npos;
}

}  // namespace

conn_options parse_conninfo(const std::string& conninfo) {
    char* raw_error = nullptr;
    std::unique_ptr<PQconninfoOption, conninfo_options_deleter> parsed{
        PQconninfoParse(conninfo.c_str(), &raw_error)};
    std::unique_ptr<char, libpq_memory_deleter> error{raw_error};
    if (!parsed) {
        throw std::runtime_error("malformed connection string: " +
                                 std::string(error ? error.get() : "out of memory"));
    }
    conn_options options;
    for (const PQconninfoOption* option = parsed.get(); option->keyword != nullptr; ++option) {
        if (option->val != nullptr) options[option->keyword] = option->val;
    }
    return options;
}

std::string to_keyword_value(const conn_options& options) {
    std::string out;
    for (const auto& [keyword, value] : options) {
        if (!out.empty()) out += ' ';
        out += keyword + '=' + quoted_value(value);
    }
    return out;
}

std::string to_uri(const conn_options& options) {
    conn_options rest = options;
    const auto take = [&rest](const std::string& keyword) {
        const auto found = rest.find(keyword);
        if (found == rest.end()) return std::optional<std::string>{};
        std::optional<std::string> value = found->second;
        rest.erase(found);
        return value;
    };
    std::string uri = "postgresql://";
    const auto user = take("user");
    const auto password = take("password");
    if (user || password) {
        uri += percent_encoded(user.value_or(""));
        if (password) uri += ':' + percent_encoded(*password);
        uri += '@';
    }
    const auto host = rest.count("host") != 0 ? rest.at("host") : std::string{};
    if (fits_authority(host)) {
        take("host");
        uri += host.find(':') != std::string::npos ? '[' + host + ']' : percent_encoded(host);
        if (const auto port = take("port")) uri += ':' + percent_encoded(*port);
    }
    if (const auto dbname = take("dbname")) uri += '/' + percent_encoded(*dbname);
    char separator = '?';
    for (const auto& [keyword, value] : rest) {
        uri += separator + percent_encoded(keyword) + '=' + percent_encoded(value);
        separator = '&';
    }
    return uri;
}

std::string conninfo_for(const std::string& base, const std::string& dbname) {
    conn_options options = parse_conninfo(base);
    options["dbname"] = dbname;
    return to_keyword_value(options);
}

std::string uri_for(const std::string& base, const std::string& dbname) {
    conn_options options = parse_conninfo(base);
    options["dbname"] = dbname;
    return to_uri(options);
}

}  // namespace pghandoff::integration
