#include "spool/record_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace pghandoff;
using namespace std::string_literals;
using spool::entry;

std::vector<entry> one_of_every_kind() {
    cdc::tuple_data mixed = {{cdc::column_kind::null, ""},
                             {cdc::column_kind::unchanged_toast, ""},
                             {cdc::column_kind::text, "héllo"},
                             {cdc::column_kind::binary, "\x00\x01\xff\x7f"s}};
    return {
        {pg::lsn(0x16B374D8), cdc::begin_message{pg::lsn(0x16B37600), 784111222333444, 731}},
        {pg::lsn(0x16B37600), cdc::commit_message{0, pg::lsn(0x16B37600), pg::lsn(0x16B37630), 784111222333444}},
        {pg::lsn(1), cdc::origin_message{pg::lsn(0xFFFFFFFFFFFFFFFF), "pg_16400"}},
        {pg::lsn(2), cdc::relation_message{std::nullopt, 16384, "", "t", 'f', {{true, "id", 23, -1}, {false, "v", 1043, 36}}}},
        {pg::lsn(3), cdc::relation_message{77, 16385, "s", "u", 'i', {}}},
        {pg::lsn(4), cdc::type_message{std::nullopt, 16390, "public", "mood"}},
        {pg::lsn(5), cdc::type_message{0, 16391, "public", "mood2"}},
        {pg::lsn(6), cdc::insert_message{std::nullopt, 16384, mixed}},
        {pg::lsn(7), cdc::update_message{std::nullopt, 16384, 0, {}, mixed}},
        {pg::lsn(8), cdc::update_message{9, 16384, 'K', {{cdc::column_kind::text, "1"}, {}}, mixed}},
        {pg::lsn(9), cdc::update_message{std::nullopt, 16384, 'O', mixed, mixed}},
        {pg::lsn(10), cdc::delete_message{std::nullopt, 16384, 'K', {{cdc::column_kind::text, "1"}}}},
        {pg::lsn(11), cdc::delete_message{12, 16384, 'O', mixed}},
        {pg::lsn(12), cdc::truncate_message{std::nullopt, true, false, {16384, 16385, 4294967295u}}},
        {pg::lsn(13), cdc::truncate_message{5, false, true, {}}},
        {pg::lsn(14), cdc::logical_message{std::nullopt, false, pg::lsn(14), "pghandoff", "cutover\0marker"s}},
        {pg::lsn(15), cdc::logical_message{88, true, pg::lsn(15), "", ""}},
        {pg::lsn(16), cdc::stream_start_message{900, true}},
        {pg::lsn(17), cdc::stream_start_message{900, false}},
        {pg::lsn(18), cdc::stream_stop_message{}},
        {pg::lsn(19), cdc::stream_commit_message{900, 0, pg::lsn(100), pg::lsn(130), -5}},
        {pg::lsn(20), cdc::stream_abort_message{900, 901, std::nullopt, std::nullopt}},
        {pg::lsn(21), cdc::stream_abort_message{900, 900, pg::lsn(140), 784111222333999}},
    };
}

entry through_bytes(const entry& in) {
    spool::record out;
    spool::encode_record(in, out);
    std::string bytes;
    EXPECT_TRUE(out.SerializeToString(&bytes));
    spool::record scratch;
    auto back = spool::parse_entry(bytes, scratch);
    EXPECT_TRUE(back.has_value());
    return back.value_or(entry{});
}

TEST(record_codec, round_trips_every_message_kind_through_bytes) {
    auto all = one_of_every_kind();
    for (std::size_t i = 0; i < all.size(); ++i) {
        SCOPED_TRACE("entry " + std::to_string(i) + ", kind " + std::to_string(all[i].message.index()));
        EXPECT_TRUE(through_bytes(all[i]) == all[i]);
    }
}

TEST(record_codec, covers_every_alternative_of_the_message_variant) {
    std::vector<bool> seen(std::variant_size_v<cdc::message>, false);
    for (const auto& e : one_of_every_kind()) seen[e.message.index()] = true;
    for (std::size_t kind = 0; kind < seen.size(); ++kind) EXPECT_TRUE(seen[kind]) << "kind " << kind;
}

TEST(record_codec, tells_an_absent_xid_from_xid_zero) {
    entry absent{pg::lsn(1), cdc::insert_message{std::nullopt, 1, {}}};
    entry zero{pg::lsn(1), cdc::insert_message{0, 1, {}}};
    EXPECT_FALSE(std::get<cdc::insert_message>(through_bytes(absent).message).xid.has_value());
    EXPECT_EQ(std::get<cdc::insert_message>(through_bytes(zero).message).xid, std::optional<cdc::xid_t>(0));
}

TEST(record_codec, keeps_names_that_are_not_utf8) {
    entry latin1{pg::lsn(1), cdc::relation_message{std::nullopt, 1, "sch\xe9ma", "t\xe2" "ble", 'd', {{true, "\xff", 25, -1}}}};
    EXPECT_TRUE(through_bytes(latin1) == latin1);
}

TEST(record_codec, keeps_char_fields_with_the_high_bit_set) {
    entry odd{pg::lsn(1), cdc::update_message{std::nullopt, 1, static_cast<char>(0xC8), {}, {}}};
    EXPECT_TRUE(through_bytes(odd) == odd);
}

TEST(record_codec, rejects_a_record_without_a_body) {
    spool::record empty;
    empty.set_lsn(5);
    EXPECT_FALSE(spool::decode_record(empty).has_value());
}

TEST(record_codec, rejects_bytes_that_are_not_a_record) {
    spool::record scratch;
    EXPECT_FALSE(spool::parse_entry("\xff\xff\xff", scratch).has_value());
}

}  // namespace
