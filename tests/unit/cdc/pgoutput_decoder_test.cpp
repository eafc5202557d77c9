#include "cdc/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include "pgoutput_fixtures.hpp"

// Transaction framing, metadata and streaming messages; row changes are in pgoutput_rows_test.

namespace {

using namespace pghandoff::cdc;
namespace fx = pghandoff::test_support::pgoutput_fixtures;

TEST(pgoutput_decoder, decodes_begin) {
    auto m = fx::decode_as<begin_message>(fx::begin());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->final_lsn.value(), fx::commit_lsn);
    EXPECT_EQ(m->commit_time, fx::commit_time);
    EXPECT_EQ(m->xid, 736u);
}

TEST(pgoutput_decoder, decodes_commit) {
    auto m = fx::decode_as<commit_message>(fx::commit());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->flags, 0);
    EXPECT_EQ(m->commit_lsn.value(), fx::commit_lsn);
    EXPECT_EQ(m->end_lsn.value(), fx::end_lsn);
    EXPECT_EQ(m->commit_time, fx::commit_time);
}

TEST(pgoutput_decoder, decodes_origin) {
    auto m = fx::decode_as<origin_message>(fx::origin());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->origin_lsn.value(), 0x2'0000'0100u);
    EXPECT_EQ(m->name, "node_a");
}

TEST(pgoutput_decoder, decodes_relation_in_pg_catalog_with_a_key_column) {
    auto m = fx::decode_as<relation_message>(fx::relation());
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->xid);
    EXPECT_EQ(m->relid, fx::relid);
    EXPECT_EQ(m->schema, "");
    EXPECT_EQ(m->name, "accounts");
    EXPECT_EQ(m->replica_identity, 'd');
    std::vector<relation_column> expected = {
        {true, "id", 23, -1}, {false, "name", 25, -1}, {false, "balance", 1700, (10 << 16 | 2) + 4}};
    EXPECT_EQ(m->columns, expected);
}

TEST(pgoutput_decoder, decodes_type) {
    auto m = fx::decode_as<type_message>(fx::type());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type_oid, 16390u);
    EXPECT_EQ(m->schema, "public");
    EXPECT_EQ(m->name, "mood");
}

TEST(pgoutput_decoder, decodes_transactional_message) {
    auto m = fx::decode_as<logical_message>(fx::message(true));
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->transactional);
    EXPECT_EQ(m->lsn.value(), fx::commit_lsn);
    EXPECT_EQ(m->prefix, "pghandoff");
    EXPECT_EQ(m->content, "hello");
}

TEST(pgoutput_decoder, decodes_non_transactional_message) {
    auto m = fx::decode_as<logical_message>(fx::message(false));
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->transactional);
    EXPECT_FALSE(m->xid);
    EXPECT_EQ(m->content, "hello");
}

TEST(pgoutput_decoder, decodes_message_content_with_nul_bytes) {
    using pghandoff::test_support::byte_builder;
    auto bytes = byte_builder().kind('M').u8(0).u64(1).str("p").i32(3).raw(std::string("a\0b", 3)).bytes();
    auto m = fx::decode_as<logical_message>(bytes);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->content, std::string("a\0b", 3));
}

TEST(pgoutput_decoder, decodes_stream_start) {
    auto m = fx::decode_as<stream_start_message>(fx::stream_start());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->xid, fx::stream_xid);
    EXPECT_TRUE(m->first_segment);
}

TEST(pgoutput_decoder, decodes_stream_stop) { EXPECT_TRUE(fx::decode_as<stream_stop_message>(fx::stream_stop())); }

TEST(pgoutput_decoder, decodes_stream_commit) {
    auto m = fx::decode_as<stream_commit_message>(fx::stream_commit());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->xid, fx::stream_xid);
    EXPECT_EQ(m->commit_lsn.value(), fx::commit_lsn);
    EXPECT_EQ(m->end_lsn.value(), fx::end_lsn);
    EXPECT_EQ(m->commit_time, fx::commit_time);
}

TEST(pgoutput_decoder, decodes_stream_abort_without_abort_position) {
    auto m = fx::decode_as<stream_abort_message>(fx::stream_abort());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->xid, fx::stream_xid);
    EXPECT_EQ(m->subxid, 1207u);
    EXPECT_FALSE(m->abort_lsn);
    EXPECT_FALSE(m->abort_time);
}

TEST(pgoutput_decoder, decodes_stream_abort_with_parallel_streaming_position) {
    auto m = fx::decode_as<stream_abort_message>(fx::stream_abort_parallel());
    ASSERT_TRUE(m);
    EXPECT_EQ(m->subxid, 1207u);
    ASSERT_TRUE(m->abort_lsn);
    EXPECT_EQ(m->abort_lsn->value(), fx::end_lsn);
    EXPECT_EQ(m->abort_time, fx::commit_time);
}

TEST(pgoutput_decoder, reads_the_leading_xid_of_relation_and_type_in_a_stream) {
    auto relation = fx::decode_as<relation_message>(fx::relation(fx::stream_xid), true);
    auto type = fx::decode_as<type_message>(fx::type(fx::stream_xid), true);
    ASSERT_TRUE(relation && type);
    EXPECT_EQ(relation->xid, fx::stream_xid);
    EXPECT_EQ(relation->name, "accounts");
    EXPECT_EQ(relation->columns.size(), 3u);
    EXPECT_EQ(type->xid, fx::stream_xid);
    EXPECT_EQ(type->name, "mood");
}

TEST(pgoutput_decoder, reads_the_leading_xid_of_a_message_in_a_stream) {
    auto m = fx::decode_as<logical_message>(fx::message(true, fx::stream_xid), true);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->xid, fx::stream_xid);
    EXPECT_EQ(m->prefix, "pghandoff");
}

TEST(pgoutput_decoder, reads_no_xid_for_transaction_framing_in_a_stream) {
    auto m = fx::decode_as<stream_commit_message>(fx::stream_commit(), true);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->xid, fx::stream_xid);
}

TEST(pgoutput_decoder, rejects_an_empty_payload) { EXPECT_EQ(fx::error_of("").what, "empty pgoutput message"); }

TEST(pgoutput_decoder, rejects_an_unknown_message_kind) {
    auto error = fx::error_of("Z\1\2");
    EXPECT_EQ(error.what, "unknown pgoutput message kind 'Z' (0x5a)");
    EXPECT_EQ(error.offset, 0u);
}

TEST(pgoutput_decoder, rejects_two_phase_messages) {
    for (char kind : std::string("bPKrp")) {
        EXPECT_EQ(fx::error_of(std::string(1, kind) + std::string(40, '\0')).what, "two-phase messages are not supported")
            << kind;
    }
}

}  // namespace
