#pragma once
#include <cstdint>
#include <string_view>

namespace pghandoff {

/// Parses "1048576", "64kB", "256MB", "1GB" (units of 1024); throws pghandoff::error.
std::uint64_t parse_size(std::string_view text);

}  // namespace pghandoff
