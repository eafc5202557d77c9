#pragma once
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pghandoff::pg {

/// A WAL position. Its text form is two hex halves "HI/LO"; parse leniently, compare as numbers.
class lsn {
public:
    constexpr lsn() = default;
    constexpr explicit lsn(std::uint64_t value) : value_(value) {}

    static std::optional<lsn> parse(std::string_view text);
    std::string to_string() const;
    constexpr std::uint64_t value() const { return value_; }
    constexpr bool is_zero() const { return value_ == 0; }
    constexpr auto operator<=>(const lsn&) const = default;

private:
    std::uint64_t value_ = 0;
};

}  // namespace pghandoff::pg
