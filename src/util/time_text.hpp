#pragma once
#include <chrono>
#include <string_view>

namespace pghandoff {

/// "250ms", "2s", "1.5s", "5m", "1h"; a bare number is seconds. Throws pghandoff::error.
std::chrono::milliseconds parse_duration(std::string_view text);

/// An RFC 3339 time: "2026-11-21T18:00:00Z", "2026-11-21T19:00:00+01:00", fractions of a second
/// allowed, 't'/'z' and a space for 'T' accepted. Throws pghandoff::error.
std::chrono::system_clock::time_point parse_rfc3339(std::string_view text);

}  // namespace pghandoff
