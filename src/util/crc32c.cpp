#include "util/crc32c.hpp"

#include <array>

namespace pghandoff {
namespace {

// Reflected form of the Castagnoli polynomial 0x1EDC6F41.
constexpr std::uint32_t castagnoli = 0x82F63B78u;

constexpr std::array<std::uint32_t, 256> make_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t byte = 0; byte < 256; ++byte) {
        std::uint32_t crc = byte;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ castagnoli : crc >> 1;
        table[byte] = crc;
    }
    return table;
}

constexpr auto table = make_table();

}  // namespace

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc) {
    crc = ~crc;
    for (unsigned char byte : bytes) crc = table[(crc ^ byte) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

}  // namespace pghandoff
