#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pghandoff::pg {

/// A connection string as the user gave it (URI or key=value, as libpq accepts), parsed into
/// keyword/value pairs. Unset keywords fall back to libpq's environment variables and defaults
/// when connecting; .pgpass is honoured by libpq itself.
class conninfo {
public:
    /// Parses a URI or key=value string; throws pghandoff::error naming the problem.
    static conninfo parse(std::string_view text);

    /// A copy with `keyword` set to `value` (replacing any previous value).
    conninfo with(std::string_view keyword, std::string_view value) const;
    /// The value given for a keyword, if any (environment defaults are not consulted).
    std::optional<std::string> get(std::string_view keyword) const;

    /// key=value form without the password, for child processes (pg_dump) and display.
    std::string to_string_without_password() const;
    /// Password-free display form, e.g. "host=db port=5432 dbname=app user=alice".
    std::string display() const { return to_string_without_password(); }

    /// postgresql:// URI form (user, password, host, port and dbname in their places, every
    /// other keyword as a query parameter, all percent-encoded), for an application's
    /// DATABASE_URL. `with_password` false leaves the password out.
    std::string to_uri(bool with_password = true) const;

    const std::vector<std::pair<std::string, std::string>>& options() const { return options_; }

private:
    std::vector<std::pair<std::string, std::string>> options_;
};

/// Quotes a value for a key=value connection string when needed.
std::string quote_conninfo_value(std::string_view value);

/// Removes anything that looks like a password in `text` (password=..., URI user:secret@).
std::string mask_passwords(std::string text);

}  // namespace pghandoff::pg
