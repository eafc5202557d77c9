#include "util/crc32c.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using pghandoff::crc32c;

TEST(crc32c, matches_the_standard_check_value) { EXPECT_EQ(crc32c("123456789"), 0xE3069283u); }

TEST(crc32c, of_nothing_is_zero) { EXPECT_EQ(crc32c(""), 0u); }

TEST(crc32c, continues_across_pieces) { EXPECT_EQ(crc32c("6789", crc32c("12345")), crc32c("123456789")); }

TEST(crc32c, of_32_zero_bytes_matches_rfc_3720) { EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu); }

}  // namespace
