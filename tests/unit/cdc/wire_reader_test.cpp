#include "cdc/wire_reader.hpp"

#include <gtest/gtest.h>

#include "byte_builder.hpp"

namespace {

using pghandoff::cdc::wire_reader;
using pghandoff::test_support::byte_builder;

TEST(wire_reader, reads_big_endian_integers_of_every_width) {
    std::string bytes = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f";
    wire_reader in(bytes);
    EXPECT_EQ(in.u8("a"), 0x01);
    EXPECT_EQ(in.u16("b"), 0x0203);
    EXPECT_EQ(in.u32("c"), 0x04050607u);
    EXPECT_EQ(in.u64("d"), 0x08090a0b0c0d0e0full);
    EXPECT_FALSE(in.failed());
    EXPECT_EQ(in.remaining(), 0u);
}

TEST(wire_reader, reads_negative_signed_integers) {
    auto bytes = byte_builder().i32(-1).i64(-2).bytes();
    wire_reader in(bytes);
    EXPECT_EQ(in.i32("a"), -1);
    EXPECT_EQ(in.i64("b"), -2);
}

TEST(wire_reader, reads_bytes_with_the_high_bit_set_as_unsigned) {
    std::string bytes = "\xff\xfe";
    wire_reader in(bytes);
    EXPECT_EQ(in.u16("a"), 0xfffe);
}

TEST(wire_reader, reads_nul_terminated_strings_including_empty_ones) {
    auto bytes = byte_builder().str("").str("public").u8(7).bytes();
    wire_reader in(bytes);
    EXPECT_EQ(in.cstring("namespace"), "");
    EXPECT_EQ(in.cstring("name"), "public");
    EXPECT_EQ(in.u8("tail"), 7);
    EXPECT_FALSE(in.failed());
}

TEST(wire_reader, reports_a_truncated_field_with_its_name_and_offset) {
    std::string bytes = "\x01\x02\x03";
    wire_reader in(bytes);
    in.u8("kind");
    EXPECT_EQ(in.u32("relation OID"), 0u);
    ASSERT_TRUE(in.failed());
    EXPECT_EQ(in.failure()->what, "truncated relation OID: needs 4 bytes, 2 left");
    EXPECT_EQ(in.failure()->offset, 1u);
}

TEST(wire_reader, keeps_the_first_failure_and_stops_moving) {
    std::string bytes = "\x01\x02";
    wire_reader in(bytes);
    in.u32("first");
    EXPECT_EQ(in.u8("second"), 0);
    EXPECT_EQ(in.offset(), 0u);
    EXPECT_EQ(in.failure()->what, "truncated first: needs 4 bytes, 2 left");
}

TEST(wire_reader, reports_an_unterminated_string) {
    std::string bytes = "abc";
    wire_reader in(bytes);
    EXPECT_EQ(in.cstring("prefix"), "");
    EXPECT_EQ(in.failure()->what, "unterminated prefix");
}

TEST(wire_reader, rejects_a_byte_count_beyond_the_end) {
    std::string bytes = "abc";
    wire_reader in(bytes);
    EXPECT_EQ(in.bytes(static_cast<std::size_t>(-1), "content"), "");
    EXPECT_TRUE(in.failed());
}

TEST(wire_reader, reports_trailing_bytes) {
    std::string bytes = "abc";
    wire_reader in(bytes);
    in.u8("a");
    in.expect_end("the message");
    EXPECT_EQ(in.failure()->what, "unexpected trailing bytes after the message: 2");
    EXPECT_EQ(in.failure()->offset, 1u);
}

}  // namespace
