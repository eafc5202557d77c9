#include "util/size.hpp"

#include <cctype>
#include <charconv>
#include <string>

#include "util/error.hpp"

namespace pghandoff {

std::uint64_t parse_size(std::string_view text) {
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr == text.data())
        throw error("cannot read the size \"" + std::string(text) + "\"", "write it like 262144, 64kB, 256MB or 1GB");
    std::string unit;
    for (const char* p = ptr; p < text.data() + text.size(); ++p)
        if (!std::isspace(static_cast<unsigned char>(*p))) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
    int shift = -1;
    if (unit.empty() || unit == "B") shift = 0;
    else if (unit == "KB" || unit == "K") shift = 10;
    else if (unit == "MB" || unit == "M") shift = 20;
    else if (unit == "GB" || unit == "G") shift = 30;
    else if (unit == "TB" || unit == "T") shift = 40;
    if (shift >= 0) {
        if (shift > 0 && value > (UINT64_MAX >> shift))
            throw error("the size \"" + std::string(text) + "\" is too large");
        return value << shift;
    }
    throw error("unknown size unit in \"" + std::string(text) + "\"", "use kB, MB, GB or TB");
}

}  // namespace pghandoff
