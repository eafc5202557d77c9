#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "spool/segment_name.hpp"
#include "spool_fixture.hpp"
#include "util/error.hpp"

namespace {

using namespace pghandoff;
using namespace pghandoff::spool;
using namespace pghandoff::spool::fixture;

/// The relation, then `count` transactions of `rows` rows each.
std::vector<entry> stream_of(std::uint32_t count, std::size_t rows) {
    std::vector<entry> all{accounts_at(10)};
    for (std::uint32_t n = 0; n < count; ++n) {
        auto txn = transaction(n, rows);
        all.insert(all.end(), txn.begin(), txn.end());
    }
    return all;
}

TEST(spool, reads_back_what_was_written_across_several_segments) {
    temp_dir dir;
    auto written = stream_of(200, 5);
    writer spool(dir.spool(), small_segments());
    append_all(spool, written);
    EXPECT_EQ(spool.flush(), end_of(199));
    EXPECT_GT(spool.segment_count(), 5u);
    EXPECT_TRUE(read_all(dir.spool()) == written);
}

TEST(spool, flush_reports_the_end_of_the_last_whole_transaction) {
    temp_dir dir;
    writer spool(dir.spool());
    append_all(spool, stream_of(3, 2));
    auto next = transaction(3, 2);
    next.pop_back();
    append_all(spool, next);
    EXPECT_EQ(spool.flush(), end_of(2));
    EXPECT_EQ(spool.durable_lsn(), end_of(2));
}

TEST(spool, resumes_after_the_last_applied_transaction_with_the_tables_it_needs) {
    temp_dir dir;
    auto written = stream_of(100, 5);
    writer spool(dir.spool(), small_segments());
    append_all(spool, written);
    spool.flush();
    auto resumed = read_all(dir.spool(), end_of(59));
    std::vector<entry> expected{accounts_at(10)};
    for (std::uint32_t n = 60; n < 100; ++n) {
        auto txn = transaction(n, 5);
        expected.insert(expected.end(), txn.begin(), txn.end());
    }
    EXPECT_TRUE(resumed == expected);
}

TEST(spool, resumes_from_an_lsn_between_two_commits) {
    temp_dir dir;
    writer spool(dir.spool(), small_segments());
    append_all(spool, stream_of(10, 3));
    spool.flush();
    auto resumed = read_all(dir.spool(), pg::lsn(end_of(4).value() + 500));
    ASSERT_EQ(resumed.size(), 1 + 5 * 5u);
    EXPECT_TRUE(resumed[1] == transaction(5, 3).front());
}

TEST(spool, reader_follows_the_writer_into_new_segments) {
    temp_dir dir;
    writer spool(dir.spool(), small_segments());
    reader from(dir.spool(), pg::lsn());
    EXPECT_FALSE(from.next());
    auto written = stream_of(60, 4);
    std::vector<entry> seen;
    for (std::size_t i = 0; i < written.size(); ++i) {
        spool.append(written[i]);
        if (i % 7 == 0) spool.flush();
        while (auto change = from.next()) seen.push_back(*change);
    }
    spool.flush();
    while (auto change = from.next()) seen.push_back(*change);
    EXPECT_GT(spool.segment_count(), 3u);
    EXPECT_TRUE(seen == written);
}

TEST(spool, release_deletes_only_segments_that_are_wholly_applied) {
    temp_dir dir;
    writer spool(dir.spool(), small_segments());
    append_all(spool, stream_of(100, 5));
    spool.flush();
    auto before_bytes = spool.bytes_on_disk();
    auto resumed_before = read_all(dir.spool(), end_of(49));
    auto released = spool.release_through(end_of(49));
    EXPECT_GT(released, 0u);
    EXPECT_LT(spool.bytes_on_disk(), before_bytes);
    EXPECT_TRUE(read_all(dir.spool(), end_of(49)) == resumed_before);
    EXPECT_EQ(spool.release_through(end_of(49)), 0u);
    EXPECT_THROW(reader(dir.spool(), end_of(10)), pghandoff::error);  // what it needs is gone

    std::uint64_t on_disk = 0;
    for (const auto& id : list_segments(dir.spool())) on_disk += std::filesystem::file_size(id.path);
    EXPECT_EQ(spool.bytes_on_disk(), on_disk);
}

TEST(spool, release_keeps_a_transaction_that_began_in_an_applied_segment) {
    temp_dir dir;
    writer spool(dir.spool(), small_segments());
    append_all(spool, stream_of(5, 2));
    append_all(spool, transaction(5, 400));  // spans several segments
    append_all(spool, transaction(6, 2));
    spool.flush();
    spool.release_through(end_of(4));
    auto resumed = read_all(dir.spool(), end_of(4));
    ASSERT_EQ(resumed.size(), 1 + 402 + 4u);
    EXPECT_TRUE(resumed[1] == transaction(5, 400).front());
}

TEST(spool, release_keeps_the_chunks_of_a_streamed_transaction_still_open) {
    temp_dir dir;
    writer spool(dir.spool(), small_segments());
    spool.append(accounts_at(10));
    for (std::uint32_t n = 0; n < 50; ++n) append_all(spool, transaction(n, 5));
    std::vector<entry> chunk{{pg::lsn(50020), cdc::stream_start_message{9000, true}},
                             {pg::lsn(50021), cdc::insert_message{9000, 16384, account_row(1)}},
                             {pg::lsn(50022), cdc::stream_stop_message{}}};
    append_all(spool, chunk);
    for (std::uint32_t n = 50; n < 100; ++n) append_all(spool, transaction(n, 5));
    entry commit{pg::lsn(200000), cdc::stream_commit_message{9000, 0, pg::lsn(200000), pg::lsn(200100), 1}};
    spool.append(commit);
    spool.flush();

    // Segments before the chunk go; the chunk's segment and every later one stay.
    auto segments = spool.segment_count();
    EXPECT_GT(spool.release_through(end_of(99)), 0u);
    EXPECT_GT(spool.segment_count(), segments / 3);
    auto resumed = read_all(dir.spool(), end_of(99));
    std::vector<entry> expected{accounts_at(10)};  // from the copy that starts the chunk's segment
    expected.insert(expected.end(), chunk.begin(), chunk.end());
    expected.push_back(commit);
    EXPECT_TRUE(resumed == expected);

    spool.append(accounts_at(200200));
    spool.release_through(pg::lsn(200100));
    EXPECT_EQ(spool.segment_count(), 1u);
}

TEST(spool, bounds_memory_while_a_million_row_transaction_goes_through) {
    temp_dir dir;
    writer spool(dir.spool());
    spool.append(accounts_at(10));
    spool.append({pg::lsn(20), cdc::begin_message{pg::lsn(90000000), 1, 42}});
    std::size_t most_buffered = 0;
    std::uint64_t serialized = 0;
    record scratch;
    constexpr std::size_t rows = 1'000'000;
    for (std::size_t i = 0; i < rows; ++i) {
        entry change{pg::lsn(30 + i), cdc::insert_message{std::nullopt, 16384, account_row(i)}};
        spool.append(change);
        most_buffered = std::max(most_buffered, spool.buffered_bytes());
        if (i % 1000 == 0) {
            encode_record(change, scratch);
            serialized += scratch.ByteSizeLong();
        }
    }
    spool.append({pg::lsn(90000000), cdc::commit_message{0, pg::lsn(90000000), pg::lsn(90000040), 1}});
    EXPECT_EQ(spool.flush(), pg::lsn(90000040));
    EXPECT_LE(most_buffered, writer_options{}.frame_bytes);

    reader from(dir.spool(), pg::lsn());
    std::size_t inserts = 0;
    while (auto change = from.next()) {
        if (const auto* insert = std::get_if<cdc::insert_message>(&change->message)) {
            if (inserts % 99991 == 0) {
                EXPECT_TRUE(insert->new_tuple == account_row(inserts));
            }
            ++inserts;
        }
    }
    EXPECT_EQ(inserts, rows);
    double per_record = static_cast<double>(spool.bytes_on_disk()) / rows;
    std::printf("[ spool    ] %zu rows: %llu bytes in %zu segments, %.1f bytes per row on disk, "
                "%.1f serialized (LZ4 ratio %.2f)\n",
                rows, static_cast<unsigned long long>(spool.bytes_on_disk()), spool.segment_count(), per_record,
                serialized / 1000.0, serialized / 1000.0 / per_record);
}

}  // namespace
