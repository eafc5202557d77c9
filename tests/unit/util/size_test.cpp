#include "util/size.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

namespace {

using pghandoff::parse_size;

TEST(size, reads_plain_bytes) {
    EXPECT_EQ(parse_size("1048576"), 1048576u);
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("512B"), 512u);
}

TEST(size, reads_units_of_1024) {
    EXPECT_EQ(parse_size("64kB"), 64u * 1024);
    EXPECT_EQ(parse_size("256MB"), 256u * 1024 * 1024);
    EXPECT_EQ(parse_size("1GB"), 1024ull * 1024 * 1024);
    EXPECT_EQ(parse_size("2TB"), 2ull << 40);
}

TEST(size, reads_units_in_any_case_and_short_form) {
    EXPECT_EQ(parse_size("64KB"), 64u * 1024);
    EXPECT_EQ(parse_size("64k"), 64u * 1024);
    EXPECT_EQ(parse_size("3m"), 3u << 20);
    EXPECT_EQ(parse_size("2gb"), 2ull << 30);
}

TEST(size, allows_a_space_before_the_unit) { EXPECT_EQ(parse_size("2 GB"), 2ull << 30); }

TEST(size, rejects_text_without_a_number) {
    EXPECT_THROW(parse_size("abc"), pghandoff::error);
    EXPECT_THROW(parse_size(""), pghandoff::error);
    EXPECT_THROW(parse_size("MB"), pghandoff::error);
    EXPECT_THROW(parse_size("-1MB"), pghandoff::error);
}

TEST(size, rejects_an_unknown_unit_and_names_the_input) {
    try {
        parse_size("10XB");
        FAIL() << "10XB was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(std::string(e.what()).find("10XB"), std::string::npos) << e.what();
        EXPECT_FALSE(e.hint().empty());
    }
    EXPECT_THROW(parse_size("10 MiB"), pghandoff::error);
    EXPECT_THROW(parse_size("1.5GB"), pghandoff::error);
}

}  // namespace
