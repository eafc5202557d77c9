#include "cdc/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include "pgoutput_fixtures.hpp"

// Row changes: Insert, Update, Delete, Truncate and their TupleData.

namespace {

using namespace pghandoff::cdc;
using pghandoff::test_support::byte_builder;
namespace fx = pghandoff::test_support::pgoutput_fixtures;

column_value text(std::string value) { return {column_kind::text, std::move(value)}; }
const column_value null_value{column_kind::null, {}};
const column_value unchanged{column_kind::unchanged_toast, {}};

TEST(pgoutput_rows, decodes_insert_with_null_unchanged_text_and_binary_columns) {
    auto m = fx::decode_as<insert_message>(fx::insert());
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->xid);
    EXPECT_EQ(m->relid, fx::relid);
    tuple_data expected = {null_value, unchanged, text("abc"), {column_kind::binary, std::string("\0\1\2", 3)}};
    EXPECT_EQ(m->new_tuple, expected);
}

TEST(pgoutput_rows, decodes_insert_of_an_empty_text_value) {
    auto bytes = byte_builder().kind('I').u32(fx::relid).kind('N').u16(1).text_column("").bytes();
    auto m = fx::decode_as<insert_message>(bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->new_tuple, tuple_data{text("")});
}

TEST(pgoutput_rows, decodes_update_without_old_tuple) {
    auto m = fx::decode_as<update_message>(fx::update_without_old());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->old_kind, 0);
    EXPECT_TRUE(m->old_tuple.empty());
    EXPECT_EQ(m->new_tuple, (tuple_data{text("1"), text("new")}));
}

TEST(pgoutput_rows, decodes_update_with_old_key) {
    auto m = fx::decode_as<update_message>(fx::update_with_key());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->old_kind, 'K');
    EXPECT_EQ(m->old_tuple, (tuple_data{text("1"), null_value}));
    EXPECT_EQ(m->new_tuple, (tuple_data{text("2"), text("x")}));
}

TEST(pgoutput_rows, decodes_update_with_whole_old_row_and_unchanged_toast) {
    auto m = fx::decode_as<update_message>(fx::update_with_old_row());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->old_kind, 'O');
    EXPECT_EQ(m->old_tuple, (tuple_data{text("1"), text("old")}));
    EXPECT_EQ(m->new_tuple, (tuple_data{text("1"), unchanged}));
}

TEST(pgoutput_rows, decodes_delete_with_old_key) {
    auto m = fx::decode_as<delete_message>(fx::delete_with_key());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->relid, fx::relid);
    EXPECT_EQ(m->old_kind, 'K');
    EXPECT_EQ(m->old_tuple, (tuple_data{text("1"), null_value}));
}

TEST(pgoutput_rows, decodes_delete_with_whole_old_row) {
    auto m = fx::decode_as<delete_message>(fx::delete_with_old_row());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->old_kind, 'O');
    EXPECT_EQ(m->old_tuple, (tuple_data{text("1"), text("old")}));
}

TEST(pgoutput_rows, decodes_truncate_cascade_restart_identity_of_several_tables) {
    auto m = fx::decode_as<truncate_message>(fx::truncate());
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->cascade);
    EXPECT_TRUE(m->restart_identity);
    EXPECT_EQ(m->relids, (std::vector<std::uint32_t>{fx::relid, 16390, 16400}));
}

TEST(pgoutput_rows, decodes_truncate_option_bits_separately) {
    auto only_cascade = byte_builder().kind('T').u32(1).u8(1).u32(fx::relid).bytes();
    auto only_restart = byte_builder().kind('T').u32(1).u8(2).u32(fx::relid).bytes();
    auto cascade = fx::decode_as<truncate_message>(only_cascade);
    auto restart = fx::decode_as<truncate_message>(only_restart);
    ASSERT_TRUE(cascade && restart);
    EXPECT_TRUE(cascade->cascade);
    EXPECT_FALSE(cascade->restart_identity);
    EXPECT_FALSE(restart->cascade);
    EXPECT_TRUE(restart->restart_identity);
}

TEST(pgoutput_rows, reads_the_leading_xid_of_every_row_change_in_a_stream) {
    auto insert = fx::decode_as<insert_message>(fx::insert(fx::stream_xid), true);
    auto update = fx::decode_as<update_message>(fx::update_with_key(fx::stream_xid), true);
    auto remove = fx::decode_as<delete_message>(fx::delete_with_old_row(fx::stream_xid), true);
    auto truncate = fx::decode_as<truncate_message>(fx::truncate(fx::stream_xid), true);
    ASSERT_TRUE(insert && update && remove && truncate);
    EXPECT_EQ(insert->xid, fx::stream_xid);
    EXPECT_EQ(insert->new_tuple.size(), 4u);
    EXPECT_EQ(update->xid, fx::stream_xid);
    EXPECT_EQ(update->old_kind, 'K');
    EXPECT_EQ(remove->xid, fx::stream_xid);
    EXPECT_EQ(remove->old_kind, 'O');
    EXPECT_EQ(truncate->xid, fx::stream_xid);
    EXPECT_EQ(truncate->relids.size(), 3u);
}

TEST(pgoutput_rows, rejects_an_unknown_tuple_column_kind) {
    auto bytes = byte_builder().kind('I').u32(fx::relid).kind('N').u16(1).kind('x').bytes();
    auto error = fx::error_of(bytes);
    EXPECT_EQ(error.what, "Insert message: unknown tuple column kind 'x' (0x78)");
    EXPECT_EQ(error.offset, 8u);
}

TEST(pgoutput_rows, rejects_a_negative_column_length) {
    auto bytes = byte_builder().kind('I').u32(fx::relid).kind('N').u16(1).kind('t').i32(-1).bytes();
    EXPECT_EQ(fx::error_of(bytes).what, "Insert message: negative tuple column length -1");
}

TEST(pgoutput_rows, rejects_a_delete_without_old_tuple) {
    auto bytes = byte_builder().kind('D').u32(fx::relid).kind('N').u16(1).text_column("1").bytes();
    auto error = fx::error_of(bytes);
    EXPECT_EQ(error.what, "Delete message: old tuple marker is 'N' (0x4e), expected one of 'KO'");
    EXPECT_EQ(error.offset, 5u);
}

TEST(pgoutput_rows, rejects_an_update_whose_old_tuple_is_not_followed_by_a_new_one) {
    auto bytes = byte_builder().kind('U').u32(fx::relid).kind('K').u16(1).text_column("1").kind('K').u16(0).bytes();
    EXPECT_EQ(fx::error_of(bytes).what, "Update message: new tuple marker is 'K' (0x4b), expected one of 'N'");
}

TEST(pgoutput_rows, rejects_a_huge_column_count_without_reading_past_the_end) {
    auto bytes = byte_builder().kind('I').u32(fx::relid).kind('N').u16(65535).null_column().bytes();
    auto error = fx::error_of(bytes);
    EXPECT_EQ(error.what, "Insert message: truncated tuple column kind: needs 1 bytes, 0 left");
    EXPECT_EQ(error.offset, bytes.size());
}

TEST(pgoutput_rows, rejects_a_huge_truncate_relation_count_without_reading_past_the_end) {
    auto bytes = byte_builder().kind('T').u32(0xFFFFFFFF).u8(0).u32(fx::relid).bytes();
    EXPECT_EQ(fx::error_of(bytes).what, "Truncate message: truncated relation OID: needs 4 bytes, 0 left");
}

}  // namespace
