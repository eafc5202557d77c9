#include "pg/lsn.hpp"

#include <charconv>

#include <fmt/format.h>

namespace pghandoff::pg {

namespace {
std::optional<std::uint32_t> parse_hex32(std::string_view s) {
    if (s.empty() || s.size() > 8) return std::nullopt;
    std::uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}
}  // namespace

std::optional<lsn> lsn::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    auto hi = parse_hex32(text.substr(0, slash));
    auto lo = parse_hex32(text.substr(slash + 1));
    if (!hi || !lo) return std::nullopt;
    return lsn((static_cast<std::uint64_t>(*hi) << 32) | *lo);
}

std::string lsn::to_string() const {
    return fmt::format("{:X}/{:X}", static_cast<std::uint32_t>(value_ >> 32),
                       static_cast<std::uint32_t>(value_));
}

}  // namespace pghandoff::pg
