#include "pg/lsn.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::pg::lsn;

TEST(lsn, parses_both_hex_halves) {
    auto parsed = lsn::parse("16/B374D848");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->value(), 0x16B374D848ull);
}

TEST(lsn, parses_zero) {
    auto parsed = lsn::parse("0/0");
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->is_zero());
}

TEST(lsn, parses_lower_case_hex) {
    auto parsed = lsn::parse("16/b374d848");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->value(), 0x16B374D848ull);
}

TEST(lsn, parses_zero_padded_low_half) {
    auto parsed = lsn::parse("1/0000000A");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->value(), 0x10000000Aull);
}

TEST(lsn, parses_the_largest_position) {
    auto parsed = lsn::parse("FFFFFFFF/FFFFFFFF");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->value(), 0xFFFFFFFFFFFFFFFFull);
}

TEST(lsn, rejects_text_without_a_slash) { EXPECT_FALSE(lsn::parse("abc")); }

TEST(lsn, rejects_a_missing_low_half) { EXPECT_FALSE(lsn::parse("1/")); }

TEST(lsn, rejects_a_missing_high_half) { EXPECT_FALSE(lsn::parse("/1")); }

TEST(lsn, rejects_three_parts) { EXPECT_FALSE(lsn::parse("1/2/3")); }

TEST(lsn, rejects_halves_of_more_than_eight_digits) {
    EXPECT_FALSE(lsn::parse("1/123456789"));
    EXPECT_FALSE(lsn::parse("123456789/1"));
}

TEST(lsn, rejects_non_hex_digits_and_signs) {
    EXPECT_FALSE(lsn::parse("1/G"));
    EXPECT_FALSE(lsn::parse("-1/0"));
    EXPECT_FALSE(lsn::parse("0x1/0"));
    EXPECT_FALSE(lsn::parse(" 1/0"));
    EXPECT_FALSE(lsn::parse(""));
}

TEST(lsn, prints_upper_case_halves_without_padding) {
    EXPECT_EQ(lsn(0x16B374D848ull).to_string(), "16/B374D848");
    EXPECT_EQ(lsn(0x10000000Aull).to_string(), "1/A");
    EXPECT_EQ(lsn().to_string(), "0/0");
}

TEST(lsn, round_trips_through_its_text_form) {
    for (const char* text : {"0/0", "16/B374D848", "1/A", "FFFFFFFF/FFFFFFFF", "0/1"}) {
        auto parsed = lsn::parse(text);
        ASSERT_TRUE(parsed) << text;
        EXPECT_EQ(parsed->to_string(), text);
        EXPECT_EQ(lsn::parse(parsed->to_string()), parsed);
    }
}

TEST(lsn, orders_by_position_not_by_text) {
    // As text "9/0" sorts after "10/0"; as WAL positions it comes first.
    auto nine = *lsn::parse("9/0");
    auto ten = *lsn::parse("10/0");
    EXPECT_LT(nine, ten);
    EXPECT_LT(*lsn::parse("1/FFFFFFFF"), *lsn::parse("2/0"));
    EXPECT_LT(*lsn::parse("0/A"), *lsn::parse("0/10"));
    EXPECT_EQ(*lsn::parse("1/0000000A"), *lsn::parse("1/a"));
}

}  // namespace
