#include "cdc/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include "pgoutput_fixtures.hpp"

// Payloads captured from PostgreSQL 15.x with pg_logical_slot_peek_binary_changes(...,
// 'proto_version', '3', 'publication_names', 'pub', 'messages', 'true'[, 'binary' | 'streaming']).
// Tables: accounts (id int PRIMARY KEY, name text, feeling mood, doc text, raw bytea) relid 16391,
// full_rows (id int, v text) REPLICA IDENTITY FULL relid 16398, parent 16404, child 16413 (FK),
// big (id int, v text) relid 16423; enum type mood 16385.

namespace {

using namespace pghandoff::cdc;
using pghandoff::test_support::from_hex;
namespace fx = pghandoff::test_support::pgoutput_fixtures;

column_value text(std::string value) { return {column_kind::text, std::move(value)}; }
column_value binary(std::string value) { return {column_kind::binary, std::move(value)}; }
const column_value null_value{column_kind::null, {}};
const column_value unchanged{column_kind::unchanged_toast, {}};

template <class T>
std::optional<T> captured(std::string_view hex, bool in_stream = false) {
    return fx::decode_as<T>(from_hex(hex), in_stream);
}

TEST(pgoutput_captured, decodes_messages_captured_from_postgres_15) {
    auto begin = captured<begin_message>("4200000000015577a8000303c86fd1d333000002de");
    auto type = captured<type_message>("59000040017075626c6963006d6f6f6400");
    auto relation = captured<relation_message>(
        "52000040077075626c6963006163636f756e7473006400050169640000000017ffffffff006e616d650000000019ffffffff00"
        "6665656c696e670000004001ffffffff00646f630000000019ffffffff007261770000000011ffffffff");
    auto commit = captured<commit_message>("430000000000015577a800000000015577d8000303c86fd1d333");
    ASSERT_TRUE(begin && type && relation && commit);

    EXPECT_EQ(begin->final_lsn.to_string(), "0/15577A8");
    EXPECT_EQ(begin->xid, 734u);
    EXPECT_EQ(begin->commit_time, commit->commit_time);
    EXPECT_EQ((type_message{std::nullopt, 16385, "public", "mood"}), *type);
    EXPECT_EQ(relation->relid, 16391u);
    EXPECT_EQ(relation->schema, "public");
    EXPECT_EQ(relation->replica_identity, 'd');
    std::vector<relation_column> columns = {{true, "id", 23, -1},      {false, "name", 25, -1},
                                            {false, "feeling", 16385, -1}, {false, "doc", 25, -1},
                                            {false, "raw", 17, -1}};
    EXPECT_EQ(relation->columns, columns);
    EXPECT_EQ(commit->commit_lsn, begin->final_lsn);
    EXPECT_EQ(commit->end_lsn.to_string(), "0/15577D8");
}

TEST(pgoutput_captured, leaves_an_unchanged_toasted_column_out_of_an_update) {
    // UPDATE accounts SET name = 'alice2' WHERE id = 1; doc is 5000 bytes stored out of line.
    auto update = captured<update_message>(
        "55000040074e00057400000001317400000006616c696365327400000005686170707975740000000a5c783030303130326666");
    ASSERT_TRUE(update);
    EXPECT_EQ(update->old_kind, 0);
    EXPECT_EQ(update->new_tuple, (tuple_data{text("1"), text("alice2"), text("happy"), unchanged, text("\\x000102ff")}));
}

TEST(pgoutput_captured, sends_the_old_key_when_an_update_changes_it) {
    // UPDATE accounts SET id = 2, name = NULL WHERE id = 1;
    auto update = captured<update_message>(
        "55000040074b00057400000001316e6e6e6e4e00057400000001326e7400000005686170707975740000000a5c783030303130326666");
    ASSERT_TRUE(update);
    EXPECT_EQ(update->old_kind, 'K');
    EXPECT_EQ(update->old_tuple, (tuple_data{text("1"), null_value, null_value, null_value, null_value}));
    EXPECT_EQ(update->new_tuple, (tuple_data{text("2"), null_value, text("happy"), unchanged, text("\\x000102ff")}));
}

TEST(pgoutput_captured, sends_whole_old_rows_under_replica_identity_full) {
    auto relation = captured<relation_message>(
        "520000400e7075626c69630066756c6c5f726f7773006600020169640000000017ffffffff01760000000019ffffffff");
    auto update = captured<update_message>("550000400e4f000274000000013174000000036f6e654e00027400000001317400000003756e6f");
    auto remove = captured<delete_message>("440000400e4f0002740000000132740000000374776f");
    ASSERT_TRUE(relation && update && remove);
    EXPECT_EQ(relation->replica_identity, 'f');
    EXPECT_TRUE(relation->columns[0].key && relation->columns[1].key) << "FULL flags every column as key";
    EXPECT_EQ(update->old_kind, 'O');
    EXPECT_EQ(update->old_tuple, (tuple_data{text("1"), text("one")}));
    EXPECT_EQ(update->new_tuple, (tuple_data{text("1"), text("uno")}));
    EXPECT_EQ(remove->old_kind, 'O');
    EXPECT_EQ(remove->old_tuple, (tuple_data{text("2"), text("two")}));
}

TEST(pgoutput_captured, deletes_by_key_with_other_columns_null) {
    auto remove = captured<delete_message>("44000040074b00057400000001326e6e6e6e");
    ASSERT_TRUE(remove);
    EXPECT_EQ(remove->old_kind, 'K');
    EXPECT_EQ(remove->old_tuple, (tuple_data{text("2"), null_value, null_value, null_value, null_value}));
}

TEST(pgoutput_captured, truncates_parent_and_child_with_cascade_and_restart_identity) {
    auto truncate = captured<truncate_message>("540000000203000040140000401d");
    ASSERT_TRUE(truncate);
    EXPECT_TRUE(truncate->cascade);
    EXPECT_TRUE(truncate->restart_identity);
    EXPECT_EQ(truncate->relids, (std::vector<std::uint32_t>{16404, 16413}));
}

TEST(pgoutput_captured, decodes_emitted_messages_in_and_outside_a_transaction) {
    auto inside = captured<logical_message>(
        "4d010000000001559940706768616e646f66660000000010696e2061207472616e73616374696f6e");
    auto outside = captured<logical_message>("4d0000000000015599b8706768616e646f666600000000076f757473696465");
    ASSERT_TRUE(inside && outside);
    EXPECT_EQ((logical_message{std::nullopt, true, pghandoff::pg::lsn(0x1559940), "pghandoff", "in a transaction"}),
              *inside);
    EXPECT_EQ((logical_message{std::nullopt, false, pghandoff::pg::lsn(0x15599B8), "pghandoff", "outside"}), *outside);
}

TEST(pgoutput_captured, decodes_the_origin_of_a_replicated_transaction) {
    // pg_replication_origin_xact_setup('0/ABCDEF', '2025-01-01 00:00:00+00') sets the commit time too.
    auto begin = captured<begin_message>("420000000001559a080002cd987ed48000000002e9");
    auto origin = captured<origin_message>("4f0000000000abcdef6e6f64655f6100");
    ASSERT_TRUE(begin && origin);
    EXPECT_EQ(begin->commit_time, 789'004'800'000'000);
    EXPECT_EQ(origin->origin_lsn.to_string(), "0/ABCDEF");
    EXPECT_EQ(origin->name, "node_a");
}

TEST(pgoutput_captured, decodes_binary_columns) {
    auto update = captured<update_message>(
        "55000040074e00056200000004000000016200000006616c6963653262000000056861707079756200000004000102ff");
    ASSERT_TRUE(update);
    EXPECT_EQ(update->new_tuple, (tuple_data{binary(std::string("\0\0\0\1", 4)), binary("alice2"), binary("happy"),
                                             unchanged, binary(std::string("\x00\x01\x02\xff", 4))}));
}

TEST(pgoutput_captured, decodes_a_streamed_transaction_with_an_aborted_subtransaction) {
    // logical_decoding_work_mem = 64kB, 'streaming' 'on'. Changes carry the subtransaction's xid.
    auto start = captured<stream_start_message>("53000002ea01");
    auto relation = captured<relation_message>(
        "52000002ea000040277075626c696300626967006400020069640000000017ffffffff00760000000019ffffffff", true);
    auto abort = captured<stream_abort_message>("41000002ea000002eb");
    auto insert = captured<insert_message>("49000002ec000040274e000274000000013074000000056166746572", true);
    auto stop = captured<stream_stop_message>("45");
    auto commit = captured<stream_commit_message>("63000002ea0000000000015f663000000000015f6668000303c87013d9f0");
    ASSERT_TRUE(start && relation && abort && insert && stop && commit);
    EXPECT_EQ(start->xid, 746u);
    EXPECT_TRUE(start->first_segment);
    EXPECT_EQ(relation->xid, 746u);
    EXPECT_EQ(relation->name, "big");
    EXPECT_EQ(abort->xid, 746u);
    EXPECT_EQ(abort->subxid, 747u);
    EXPECT_FALSE(abort->abort_lsn);
    EXPECT_EQ(insert->xid, 748u);
    EXPECT_EQ(insert->relid, 16423u);
    EXPECT_EQ(insert->new_tuple, (tuple_data{text("0"), text("after")}));
    EXPECT_EQ(commit->xid, 746u);
    EXPECT_EQ(commit->end_lsn.to_string(), "0/15F6668");
}

}  // namespace
