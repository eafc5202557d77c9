#include "pg/quote.hpp"

#include "util/error.hpp"

namespace pghandoff::pg {

std::string quote_ident(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string qualified_name(std::string_view schema, std::string_view name) {
    return quote_ident(schema) + "." + quote_ident(name);
}

std::string quote_literal(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    bool has_backslash = false;
    for (char c : value) {
        if (c == '\0') throw error("a string to quote contains a NUL byte");
        if (c == '\\') has_backslash = true;
    }
    // E'' keeps backslashes literal whatever standard_conforming_strings says.
    if (has_backslash) out += 'E';
    out += '\'';
    for (char c : value) {
        if (c == '\'') out += '\'';
        if (c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

}  // namespace pghandoff::pg
