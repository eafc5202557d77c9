#include "migration/progress_store.hpp"

#include <gtest/gtest.h>

#include "../text_search.hpp"

namespace {

using pghandoff::copy::copy_chunk;
using pghandoff::copy::copy_format;
using pghandoff::migration::chunk_done_sql;
using pghandoff::migration::create_progress_sql;
using pghandoff::migration::drop_progress_sql;
using pghandoff::migration::migration_identity;
using pghandoff::migration::step_done_sql;
using pghandoff::test_support::contains;
using pghandoff::test_support::count_of;

copy_chunk chunk(std::string schema, std::string name, int no = 0, int count = 1) {
    copy_chunk c;
    c.table = {std::move(schema), std::move(name)};
    c.chunk_no = no;
    c.chunk_count = count;
    return c;
}

const migration_identity identity{"7301234567890123456", "app", "schema:sales;"};

TEST(progress_store, records_the_migration_identity) {
    auto sql = create_progress_sql(identity, {});
    EXPECT_TRUE(contains(sql, "CREATE SCHEMA pghandoff;"));
    EXPECT_TRUE(contains(sql, "VALUES ('7301234567890123456', 'app', 'schema:sales;', NULL, NULL);")) << sql;
    EXPECT_FALSE(contains(sql, "INSERT INTO pghandoff.chunk"));
}

TEST(progress_store, quotes_a_database_name_with_a_quote) {
    auto sql = create_progress_sql({"1", "o'hara", "s"}, {});
    EXPECT_TRUE(contains(sql, "'o''hara'")) << sql;
    EXPECT_FALSE(contains(sql, "'o'hara'")) << sql;
}

TEST(progress_store, records_each_chunk_with_its_page_range) {
    auto first = chunk("public", "t", 0, 2);
    first.end_page = 100;
    first.estimated_bytes = 819200;
    first.format = copy_format::binary;
    auto second = chunk("public", "t", 1, 2);
    second.first_page = 100;
    second.estimated_bytes = 819200;
    auto sql = create_progress_sql(identity, {first, second});
    EXPECT_TRUE(contains(sql, "(0, 'public', 't', 0, 2, NULL, 100, 'binary', 819200)")) << sql;
    EXPECT_TRUE(contains(sql, "(1, 'public', 't', 1, 2, 100, NULL, 'text', 819200)")) << sql;
}

TEST(progress_store, quotes_table_names_with_quotes_in_the_chunk_plan) {
    auto sql = create_progress_sql(identity, {chunk("o'brien", "o'hara"), chunk("Sales", "a\\b")});
    EXPECT_TRUE(contains(sql, "'o''brien', 'o''hara'")) << sql;
    EXPECT_TRUE(contains(sql, "'Sales', E'a\\\\b'")) << sql;
}

TEST(progress_store, records_a_large_plan_in_batches_keeping_every_chunk) {
    std::vector<copy_chunk> chunks;
    for (int i = 0; i < 1201; ++i) chunks.push_back(chunk("public", "big", i, 1201));
    auto sql = create_progress_sql(identity, chunks);
    EXPECT_EQ(count_of(sql, "INSERT INTO pghandoff.chunk"), 3u);
    EXPECT_EQ(count_of(sql, "'public', 'big'"), 1201u);
    EXPECT_TRUE(contains(sql, "(1200, 'public', 'big', 1200, 1201,"));
}

TEST(progress_store, marks_a_chunk_done_by_table_and_number) {
    auto c = chunk("public", "o'hara", 3, 8);
    auto sql = chunk_done_sql(c, 12345, 987654321, 1.23456);
    EXPECT_EQ(sql,
              "UPDATE pghandoff.chunk SET rows = 12345, bytes = 987654321, seconds = 1.235, done_at = now() "
              "WHERE table_schema = 'public' AND table_name = 'o''hara' AND chunk_no = 3 AND done_at IS NULL RETURNING chunk_no");
}

TEST(progress_store, records_a_step_by_its_quoted_key) {
    EXPECT_EQ(step_done_sql("post-data:INDEX|public|o'hara_idx|0"),
              "INSERT INTO pghandoff.step (key) VALUES ('post-data:INDEX|public|o''hara_idx|0')");
}

TEST(progress_store, removes_the_bookkeeping_schema) {
    EXPECT_EQ(drop_progress_sql(), "DROP SCHEMA IF EXISTS pghandoff CASCADE");
}

}  // namespace

namespace {
TEST(progress_store, records_the_slot_and_publication_of_an_online_migration) {
    pghandoff::migration::migration_identity online{"1", "app", "", "pghandoff_ab12", "pghandoff_ab12"};
    auto sql = pghandoff::migration::create_progress_sql(online, {});
    EXPECT_NE(sql.find("'pghandoff_ab12', 'pghandoff_ab12');"), std::string::npos) << sql;
}
}  // namespace
