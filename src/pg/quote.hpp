#pragma once
#include <string>
#include <string_view>

namespace pghandoff::pg {

/// Always double-quotes an identifier, doubling embedded quotes: safe for any name.
std::string quote_ident(std::string_view name);
/// "schema"."name"
std::string qualified_name(std::string_view schema, std::string_view name);
/// A SQL string literal in standard_conforming_strings form: 'it''s'. Rejects NUL bytes.
std::string quote_literal(std::string_view value);

}  // namespace pghandoff::pg
