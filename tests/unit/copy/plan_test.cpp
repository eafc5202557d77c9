#include "copy/plan.hpp"

#include <gtest/gtest.h>

#include "../catalog/column_types.hpp"

namespace {

using pghandoff::catalog::table_info;
using pghandoff::copy::copy_chunk;
using pghandoff::copy::copy_format;
using pghandoff::copy::copy_cost;
using pghandoff::copy::copy_in_sql;
using pghandoff::copy::copy_out_sql;
using pghandoff::copy::foreign_key_cost;
using pghandoff::copy::index_build_cost;
using pghandoff::copy::index_build_memory_kb;
using pghandoff::copy::max_index_build_memory_kb;
using pghandoff::copy::min_index_build_memory_kb;
using pghandoff::copy::plan_chunks;
using pghandoff::fixtures::built_ins_and_one_extension_type;
using pghandoff::fixtures::extension_type;

constexpr auto int4 = pghandoff::fixtures::int4_type;
constexpr auto text = pghandoff::fixtures::text_type;
constexpr std::uint64_t page = 8192;
constexpr std::uint64_t mb = 1 << 20;

table_info table(std::string name, std::uint64_t pages, std::uint64_t toast_bytes = 0) {
    table_info t;
    t.name = {"public", std::move(name)};
    t.pages = pages;
    t.heap_bytes = pages * page;
    t.toast_bytes = toast_bytes;
    t.columns = {{"id", int4, false}, {"body", text, false}};
    return t;
}

std::vector<copy_chunk> chunks_of(const std::vector<copy_chunk>& chunks, const std::string& name) {
    std::vector<copy_chunk> out;
    for (const auto& c : chunks)
        if (c.table.name == name) out.push_back(c);
    return out;
}

/// Checks that the chunks of one table cover its pages [0, pages) once, in order, and that the
/// first and last ranges stay open so rows at either end are never missed.
void expect_contiguous_cover(const std::vector<copy_chunk>& chunks, std::uint64_t pages) {
    ASSERT_GT(chunks.size(), 1u);
    EXPECT_FALSE(chunks.front().first_page);
    EXPECT_FALSE(chunks.back().end_page);
    std::uint64_t next = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const auto& c = chunks[i];
        EXPECT_EQ(c.chunk_no, static_cast<int>(i));
        EXPECT_EQ(c.chunk_count, static_cast<int>(chunks.size()));
        EXPECT_FALSE(c.whole_table());
        EXPECT_EQ(c.first_page.value_or(0), next) << "chunk " << i;
        if (i + 1 < chunks.size()) {
            ASSERT_TRUE(c.end_page) << "chunk " << i;
            EXPECT_GT(*c.end_page, next) << "chunk " << i << " is empty";
            next = *c.end_page;
        }
    }
    EXPECT_LT(next, pages) << "the last chunk starts past the table's end";
}

TEST(plan, copies_a_small_table_in_one_chunk_without_page_bounds) {
    auto chunks = plan_chunks({table("small", 10)}, built_ins_and_one_extension_type(), 256 * mb);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_TRUE(chunks[0].whole_table());
    EXPECT_EQ(chunks[0].chunk_no, 0);
    EXPECT_FALSE(chunks[0].first_page);
    EXPECT_FALSE(chunks[0].end_page);
    EXPECT_EQ(chunks[0].estimated_bytes, 10 * page);
    EXPECT_EQ(chunks[0].table.name, "small");
}

TEST(plan, cuts_a_big_table_by_its_size_into_contiguous_page_ranges) {
    // 1000 pages = 8192000 bytes, in chunks of 1000000 bytes: 9 chunks.
    auto chunks = plan_chunks({table("big", 1000)}, built_ins_and_one_extension_type(), 1000000);
    ASSERT_EQ(chunks.size(), 9u);
    expect_contiguous_cover(chunks, 1000);
    for (const auto& c : chunks) EXPECT_EQ(c.estimated_bytes, 1000 * page / 9);
}

TEST(plan, splits_a_toast_heavy_table_with_few_heap_pages) {
    auto chunks = plan_chunks({table("documents", 100, 1024 * mb)}, built_ins_and_one_extension_type(), 256 * mb);
    EXPECT_GE(chunks.size(), 4u);
    expect_contiguous_cover(chunks, 100);
}

TEST(plan, never_makes_more_chunks_than_pages) {
    auto chunks = plan_chunks({table("blobs", 3, 1024 * mb)}, built_ins_and_one_extension_type(), 1 * mb);
    ASSERT_EQ(chunks.size(), 3u);
    expect_contiguous_cover(chunks, 3);
    EXPECT_EQ(chunks[0].end_page, 1u);
    EXPECT_EQ(chunks[2].first_page, 2u);
}

TEST(plan, copies_a_one_page_table_whole_however_big_its_toast) {
    auto chunks = plan_chunks({table("one_page", 1, 1024 * mb)}, built_ins_and_one_extension_type(), 1 * mb);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_TRUE(chunks[0].whole_table());
}

TEST(plan, copies_an_empty_table_in_one_chunk) {
    auto chunks = plan_chunks({table("empty", 0)}, built_ins_and_one_extension_type(), 1 * mb);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_FALSE(chunks[0].first_page);
    EXPECT_FALSE(chunks[0].end_page);
}

TEST(plan, leaves_no_empty_trailing_chunk) {
    // 10 pages asked in 6 chunks: 2 pages per chunk fills only 5 chunks.
    auto t = table("uneven", 10);
    auto chunks = plan_chunks({t}, built_ins_and_one_extension_type(), t.total_bytes() / 6 + 1);
    ASSERT_EQ(chunks.size(), 5u);
    expect_contiguous_cover(chunks, 10);
    EXPECT_EQ(chunks.back().first_page, 8u);
}

TEST(plan, covers_every_page_for_many_table_and_chunk_sizes) {
    for (std::uint64_t pages : {2, 3, 7, 10, 99, 100, 101, 1000, 4097}) {
        for (std::uint64_t divisor : {2, 3, 4, 6, 7, 50, 5000}) {
            auto t = table("t", pages);
            auto chunks = plan_chunks({t}, built_ins_and_one_extension_type(), (t.total_bytes() + divisor - 1) / divisor);
            SCOPED_TRACE(testing::Message() << pages << " pages in " << divisor << " parts");
            EXPECT_LE(chunks.size(), pages);
            if (chunks.size() > 1) expect_contiguous_cover(chunks, pages);
        }
    }
}

TEST(plan, takes_the_largest_table_first_and_keeps_page_order_within_a_table) {
    std::vector<table_info> tables = {table("small", 5), table("large", 300), table("toasty", 10, 6 * mb),
                                      table("medium", 50)};
    auto chunks = plan_chunks(tables, built_ins_and_one_extension_type(), 1 * mb);
    std::vector<std::string> order;
    for (const auto& c : chunks)
        if (order.empty() || order.back() != c.table.name) order.push_back(c.table.name);
    EXPECT_EQ(order, (std::vector<std::string>{"toasty", "large", "medium", "small"}));
    for (const char* name : {"toasty", "large"}) {
        auto own = chunks_of(chunks, name);
        for (std::size_t i = 0; i < own.size(); ++i) EXPECT_EQ(own[i].chunk_no, static_cast<int>(i)) << name;
    }
}

TEST(plan, weighs_toast_bytes_at_half_the_cost_of_heap_bytes) {
    // Same bytes: the heap table's rows cost more to copy than the TOAST table's few big values.
    std::vector<table_info> tables = {table("toasty", 1, 4 * mb), table("rows", 512)};
    auto chunks = plan_chunks(tables, built_ins_and_one_extension_type(), 0);
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0].table.name, "rows");
    EXPECT_EQ(chunks[1].table.name, "toasty");
}

TEST(plan, does_not_split_when_the_chunk_size_is_zero) {
    auto chunks = plan_chunks({table("big", 100000, 1024 * mb)}, built_ins_and_one_extension_type(), 0);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_TRUE(chunks[0].whole_table());
    EXPECT_FALSE(chunks[0].first_page);
    EXPECT_FALSE(chunks[0].end_page);
}

TEST(plan, chooses_binary_only_when_every_copied_column_is_safe) {
    auto plain = table("plain", 1);
    auto with_extension_type = table("tagged", 1);
    with_extension_type.columns.push_back({"tags", extension_type, false});
    auto with_generated_extension_type = table("derived", 1);
    with_generated_extension_type.columns.push_back({"tags", extension_type, true});
    auto chunks = plan_chunks({plain, with_extension_type, with_generated_extension_type}, built_ins_and_one_extension_type(), 0);
    ASSERT_EQ(chunks.size(), 3u);
    EXPECT_EQ(chunks_of(chunks, "plain").at(0).format, copy_format::binary);
    EXPECT_EQ(chunks_of(chunks, "tagged").at(0).format, copy_format::text);
    EXPECT_EQ(chunks_of(chunks, "derived").at(0).format, copy_format::binary);
}

TEST(plan, gives_every_chunk_of_a_table_the_same_format) {
    auto t = table("tagged", 100);
    t.columns.push_back({"tags", extension_type, false});
    auto chunks = plan_chunks({t}, built_ins_and_one_extension_type(), 10 * page);
    ASSERT_GT(chunks.size(), 1u);
    for (const auto& c : chunks) EXPECT_EQ(c.format, copy_format::text);
}

TEST(plan, names_formats_as_stored_in_progress) {
    using pghandoff::copy::parse_copy_format;
    EXPECT_STREQ(to_string(copy_format::binary), "binary");
    EXPECT_STREQ(to_string(copy_format::text), "text");
    EXPECT_EQ(parse_copy_format("binary"), copy_format::binary);
    EXPECT_EQ(parse_copy_format("text"), copy_format::text);
}

copy_chunk whole(copy_format format = copy_format::text) {
    copy_chunk c;
    c.table = {"public", "t"};
    c.format = format;
    return c;
}

copy_chunk range(std::optional<std::uint64_t> first, std::optional<std::uint64_t> end,
                 copy_format format = copy_format::text) {
    copy_chunk c = whole(format);
    c.chunk_count = 3;
    c.first_page = first;
    c.end_page = end;
    return c;
}

table_info plain_table() {
    table_info t;
    t.name = {"public", "t"};
    t.columns = {{"id", int4, false}, {"body", text, false}};
    return t;
}

table_info table_with_generated_column() {
    table_info t = plain_table();
    t.columns.insert(t.columns.begin() + 1, {"body_length", int4, true});
    return t;
}

TEST(plan, copies_a_whole_table_out_without_a_column_list) {
    EXPECT_EQ(copy_out_sql(plain_table(), whole()), "COPY \"public\".\"t\" TO STDOUT");
}

TEST(plan, copies_a_whole_table_out_in_binary) {
    EXPECT_EQ(copy_out_sql(plain_table(), whole(copy_format::binary)),
              "COPY \"public\".\"t\" TO STDOUT WITH (FORMAT binary)");
}

TEST(plan, quotes_the_table_name_in_copy) {
    table_info t = plain_table();
    t.name = {"Sales", "Order \"Items\""};
    EXPECT_EQ(copy_out_sql(t, whole()), "COPY \"Sales\".\"Order \"\"Items\"\"\" TO STDOUT");
    EXPECT_EQ(copy_in_sql(t, whole(), false), "COPY \"Sales\".\"Order \"\"Items\"\"\" FROM STDIN");
}

TEST(plan, copies_a_middle_chunk_out_by_page_range) {
    EXPECT_EQ(copy_out_sql(plain_table(), range(112, 224)),
              "COPY (SELECT \"id\", \"body\" FROM ONLY \"public\".\"t\" "
              "WHERE ctid >= '(112,0)'::tid AND ctid < '(224,0)'::tid) TO STDOUT");
}

TEST(plan, leaves_the_outer_ends_of_the_first_and_last_chunks_open) {
    EXPECT_EQ(copy_out_sql(plain_table(), range(std::nullopt, 112)),
              "COPY (SELECT \"id\", \"body\" FROM ONLY \"public\".\"t\" WHERE ctid < '(112,0)'::tid) TO STDOUT");
    EXPECT_EQ(copy_out_sql(plain_table(), range(896, std::nullopt)),
              "COPY (SELECT \"id\", \"body\" FROM ONLY \"public\".\"t\" WHERE ctid >= '(896,0)'::tid) TO STDOUT");
}

TEST(plan, copies_a_chunk_out_in_binary) {
    EXPECT_EQ(copy_out_sql(plain_table(), range(1, 2, copy_format::binary)),
              "COPY (SELECT \"id\", \"body\" FROM ONLY \"public\".\"t\" "
              "WHERE ctid >= '(1,0)'::tid AND ctid < '(2,0)'::tid) TO STDOUT WITH (FORMAT binary)");
}

TEST(plan, copies_in_without_a_column_list) {
    EXPECT_EQ(copy_in_sql(plain_table(), whole(), false), "COPY \"public\".\"t\" FROM STDIN");
    EXPECT_EQ(copy_in_sql(plain_table(), range(1, 2), false), "COPY \"public\".\"t\" FROM STDIN");
}

TEST(plan, copies_in_with_freeze_and_binary) {
    EXPECT_EQ(copy_in_sql(plain_table(), whole(), true), "COPY \"public\".\"t\" FROM STDIN WITH (FREEZE)");
    EXPECT_EQ(copy_in_sql(plain_table(), whole(copy_format::binary), false),
              "COPY \"public\".\"t\" FROM STDIN WITH (FORMAT binary)");
    EXPECT_EQ(copy_in_sql(plain_table(), whole(copy_format::binary), true),
              "COPY \"public\".\"t\" FROM STDIN WITH (FORMAT binary, FREEZE)");
}

TEST(plan, leaves_generated_columns_out_of_both_sides) {
    auto t = table_with_generated_column();
    EXPECT_EQ(copy_out_sql(t, whole()), "COPY \"public\".\"t\" (\"id\", \"body\") TO STDOUT");
    EXPECT_EQ(copy_in_sql(t, whole(), false), "COPY \"public\".\"t\" (\"id\", \"body\") FROM STDIN");
    EXPECT_EQ(copy_out_sql(t, range(1, 2)),
              "COPY (SELECT \"id\", \"body\" FROM ONLY \"public\".\"t\" "
              "WHERE ctid >= '(1,0)'::tid AND ctid < '(2,0)'::tid) TO STDOUT");
    EXPECT_EQ(copy_in_sql(t, range(1, 2), true), "COPY \"public\".\"t\" (\"id\", \"body\") FROM STDIN WITH (FREEZE)");
}

TEST(job_costs, a_chunk_costs_its_share_of_heap_and_half_of_toast) {
    auto docs = table("docs", 10, 400 * mb);
    copy_chunk whole;
    whole.table = docs.name;
    EXPECT_DOUBLE_EQ(copy_cost(docs, whole), 10.0 * page + 200.0 * mb);
    copy_chunk quarter = whole;
    quarter.chunk_count = 4;
    EXPECT_DOUBLE_EQ(copy_cost(docs, quarter), (10.0 * page + 200.0 * mb) / 4);
}

TEST(job_costs, a_big_key_costs_about_a_third_of_its_tables_copy) {
    // The benchmark's narrow table: 600 MB of heap, one 257 MB primary key; its copy took
    // 7.5 s and the key 3.2 s.
    auto narrow = table("narrow", 600 * mb / page);
    narrow.index_bytes = 257 * mb;
    copy_chunk whole;
    whole.table = narrow.name;
    const double ratio = index_build_cost(narrow, 1) / copy_cost(narrow, whole);
    EXPECT_GT(ratio, 0.3);
    EXPECT_LT(ratio, 0.5);
    // Four indexes of a 355 MB, 500 000-row table: each a fraction of the key above.
    auto wide = table("wide", 355 * mb / page);
    wide.index_bytes = 51 * mb;
    EXPECT_LT(index_build_cost(wide, 4), index_build_cost(narrow, 1) / 3);
    EXPECT_DOUBLE_EQ(index_build_cost(wide, 0), index_build_cost(wide, 1));
}

TEST(job_costs, a_key_that_outgrows_the_sort_memory_costs_more_than_its_size_says) {
    // Three times the narrow table: 36 M rows, 1.8 GB of heap, a 770 MB key that the 1 GB of
    // sort memory cannot hold three times over: 12 s alone, against 2.9 s for 12 M rows.
    auto narrow = table("narrow", 600 * mb / page);
    narrow.index_bytes = 257 * mb;
    auto triple = table("triple", 1800 * mb / page);
    triple.index_bytes = 770 * mb;
    const double ratio = index_build_cost(triple, 1) / index_build_cost(narrow, 1);
    EXPECT_GT(ratio, 4.0);
    EXPECT_LT(ratio, 5.5);
    copy_chunk whole;
    whole.table = triple.name;
    EXPECT_GT(index_build_cost(triple, 1) / copy_cost(triple, whole), 0.5);
}

TEST(job_costs, a_foreign_key_costs_a_scan_of_the_referencing_table) {
    auto tag = table("tag", 256);
    EXPECT_DOUBLE_EQ(foreign_key_cost(tag), 256.0 * page / 8);
}

}  // namespace

TEST(plan, gives_an_index_build_three_times_its_size_in_memory_within_bounds) {
    EXPECT_EQ(index_build_memory_kb(0), min_index_build_memory_kb);
    EXPECT_EQ(index_build_memory_kb(10 * mb), min_index_build_memory_kb);
    EXPECT_EQ(index_build_memory_kb(100 * mb), 300u * 1024);
    EXPECT_EQ(index_build_memory_kb(257 * mb), 771u * 1024);
    EXPECT_EQ(index_build_memory_kb(50ull * 1024 * mb), max_index_build_memory_kb);
}
