#include "cdc/walsender_messages.hpp"

#include <limits>

#include <gtest/gtest.h>

#include "byte_builder.hpp"
#include "decoded.hpp"

namespace {

using namespace pghandoff::cdc;
using pghandoff::pg::lsn;
using pghandoff::test_support::byte_builder;
using pghandoff::test_support::from_hex;

template <class T>
std::optional<T> decode_as(std::string_view copy_data) {
    return pghandoff::test_support::decoded<T>(decode_walsender_message(copy_data));
}

std::string xlog_data_bytes() {
    return byte_builder().kind('w').u64(0x1'0000'0A28).u64(0x1'0000'0B00).i64(817'000'000'000'000).raw("E").bytes();
}

std::string keepalive_bytes(std::uint8_t reply) {
    return byte_builder().kind('k').u64(0x1'0000'0B00).i64(817'000'000'000'001).u8(reply).bytes();
}

TEST(walsender_messages, decodes_xlog_data_and_its_payload) {
    auto bytes = xlog_data_bytes();
    auto m = decode_as<xlog_data>(bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->data_start.value(), 0x1'0000'0A28u);
    EXPECT_EQ(m->wal_end.value(), 0x1'0000'0B00u);
    EXPECT_EQ(m->send_time, 817'000'000'000'000);
    EXPECT_EQ(m->payload, "E");
    EXPECT_EQ(m->payload.data(), bytes.data() + 25);  // a view, not a copy
}

TEST(walsender_messages, decodes_keepalive_asking_for_a_reply) {
    auto m = decode_as<primary_keepalive>(keepalive_bytes(1));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->wal_end.value(), 0x1'0000'0B00u);
    EXPECT_EQ(m->send_time, 817'000'000'000'001);
    EXPECT_TRUE(m->reply_requested);
}

TEST(walsender_messages, decodes_keepalive_not_asking_for_a_reply) {
    auto m = decode_as<primary_keepalive>(keepalive_bytes(0));
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->reply_requested);
}

TEST(walsender_messages, reports_an_unknown_kind_as_skippable) {
    auto m = decode_as<unknown_walsender_message>("s\1\2\3");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, 's');
}

TEST(walsender_messages, rejects_an_empty_message) {
    auto result = decode_walsender_message("");
    ASSERT_TRUE(std::holds_alternative<decode_error>(result));
    EXPECT_EQ(std::get<decode_error>(result).what, "empty walsender message");
}

TEST(walsender_messages, rejects_xlog_data_and_keepalive_cut_at_every_length) {
    for (const auto& whole : {xlog_data_bytes().substr(0, 25), keepalive_bytes(1)}) {
        for (std::size_t length = 0; length < whole.size(); ++length) {
            std::string cut = whole.substr(0, length);
            auto result = decode_walsender_message(cut);
            ASSERT_TRUE(std::holds_alternative<decode_error>(result)) << whole[0] << " cut at " << length;
            EXPECT_LE(std::get<decode_error>(result).offset, length);
        }
    }
}

TEST(walsender_messages, names_the_truncated_keepalive_field) {
    auto result = decode_walsender_message(keepalive_bytes(1).substr(0, 17));
    ASSERT_TRUE(std::holds_alternative<decode_error>(result));
    EXPECT_EQ(std::get<decode_error>(result).what, "truncated keepalive reply-requested flag: needs 1 bytes, 0 left");
    EXPECT_EQ(std::get<decode_error>(result).offset, 17u);
}

TEST(walsender_messages, decodes_xlog_data_and_keepalive_captured_from_postgres_15) {
    // START_REPLICATION ... LOGICAL 0/0 (proto_version '3', ...): the 'w' carrying a Commit is
    // stamped with the commit's end LSN; a caught-up walsender sends 'k' without asking a reply.
    auto commit_bytes = from_hex(
        "7700000000015577d800000000015577d8000303c870c4c5a8430000000000015577a800000000015577d8000303c86fd1d333");
    auto commit = decode_as<xlog_data>(commit_bytes);
    auto keepalive = decode_as<primary_keepalive>(from_hex("6b0000000001556130000303c870c4c40300"));
    ASSERT_TRUE(commit && keepalive);
    EXPECT_EQ(commit->data_start.to_string(), "0/15577D8");
    EXPECT_EQ(commit->wal_end.to_string(), "0/15577D8");
    EXPECT_EQ(commit->payload.size(), 26u);
    EXPECT_EQ(commit->payload.front(), 'C');
    EXPECT_EQ(keepalive->wal_end.to_string(), "0/1556130");
    EXPECT_FALSE(keepalive->reply_requested);
    EXPECT_LT(keepalive->send_time, commit->send_time);
}

TEST(walsender_messages, lays_out_the_standby_status_update_in_34_bytes) {
    standby_status status{lsn(0x1'0000'0A28), lsn(0x1'0000'0A20), lsn(0x1'0000'0A10), 817'000'000'000'002, true};
    auto update = encode_standby_status_update(status);
    auto expected = byte_builder()
                        .kind('r').u64(0x1'0000'0A28).u64(0x1'0000'0A20).u64(0x1'0000'0A10)
                        .i64(817'000'000'000'002).u8(1)
                        .bytes();
    ASSERT_EQ(expected.size(), 34u);
    EXPECT_EQ(std::string(update.data(), update.size()), expected);
}

TEST(walsender_messages, sends_zero_when_no_reply_is_requested) {
    auto update = encode_standby_status_update({lsn(1), lsn(1), lsn(1), 0, false});
    EXPECT_EQ(update[0], 'r');
    EXPECT_EQ(update[33], 0);
    EXPECT_EQ(update[8], 1);
}

TEST(walsender_messages, converts_the_postgres_epoch_to_unix_time) {
    EXPECT_EQ(from_pg_timestamp(0).time_since_epoch().count(), 946'684'800'000'000);
    EXPECT_EQ(to_pg_timestamp(unix_time(std::chrono::seconds(946'684'800))), 0);
}

TEST(walsender_messages, round_trips_a_time_through_pg_timestamp) {
    auto time = unix_time(std::chrono::microseconds(1'763'684'800'123'456));
    EXPECT_EQ(from_pg_timestamp(to_pg_timestamp(time)), time);
    EXPECT_EQ(to_pg_timestamp(time), 1'763'684'800'123'456 - 946'684'800'000'000);
}

TEST(walsender_messages, saturates_infinite_timestamps_instead_of_overflowing) {
    auto max = std::numeric_limits<std::int64_t>::max();
    auto min = std::numeric_limits<std::int64_t>::min();
    EXPECT_EQ(from_pg_timestamp(max).time_since_epoch().count(), max);
    EXPECT_EQ(to_pg_timestamp(unix_time(std::chrono::microseconds(min))), min);
}

TEST(walsender_messages, gives_now_as_a_recent_pg_timestamp) {
    auto year_2024 = to_pg_timestamp(unix_time(std::chrono::seconds(1'704'067'200)));
    EXPECT_GT(pg_timestamp_now(), year_2024);
}

}  // namespace
