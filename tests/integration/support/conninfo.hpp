#pragma once

#include <map>
#include <string>

namespace pghandoff::integration {

/// libpq connection options by keyword (host, port, user, password, dbname, ...).
using conn_options = std::map<std::string, std::string>;

/// Parses a key=value conninfo or a postgresql:// URI; throws std::runtime_error if malformed.
conn_options parse_conninfo(const std::string& conninfo);
/// Renders options as a key=value conninfo with every value quoted.
std::string to_keyword_value(const conn_options& options);
/// Renders options as a postgresql:// URI with percent-encoded parts.
std::string to_uri(const conn_options& options);
/// The key=value conninfo of base with its database replaced by dbname.
std::string conninfo_for(const std::string& base, const std::string& dbname);
/// The postgresql:// URI of base with its database replaced by dbname.
std::string uri_for(const std::string& base, const std::string& dbname);

}  // namespace pghandoff::integration
