#pragma once
#include <cstdint>
#include <string_view>

namespace pghandoff {

/// CRC-32C (Castagnoli), the checksum of iSCSI and ext4; crc32c("123456789") == 0xE3069283.
/// Pass the previous result as `crc` to checksum data that arrives in pieces.
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace pghandoff
