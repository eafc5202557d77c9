#include <fcntl.h>
#include <gtest/gtest.h>

#include <vector>

#include "spool/segment_name.hpp"
#include "spool_fixture.hpp"
#include "util/error.hpp"
#include "util/file_descriptor.hpp"

namespace {

using namespace pghandoff;
using namespace pghandoff::spool;
using namespace pghandoff::spool::fixture;

std::vector<entry> concat(std::vector<entry> a, const std::vector<entry>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::filesystem::path last_segment(const std::filesystem::path& dir) { return list_segments(dir).back().path; }

void flip_byte(const std::filesystem::path& path, std::uint64_t offset) {
    auto file = file_descriptor::open(path, O_RDWR);
    char byte = 0;
    file.read_at(offset, &byte, 1);
    file.write_at(offset, std::string(1, static_cast<char>(byte ^ 0x01)));
}

TEST(spool_recovery, reader_stops_at_a_torn_last_frame_and_writer_continues_after_the_whole_ones) {
    temp_dir pristine;
    std::vector<entry> kept{accounts_at(10)};
    kept = concat(kept, concat(transaction(0, 3), transaction(1, 3)));
    std::uint64_t torn_from = 0, torn_to = 0;
    {
        writer spool(pristine.spool());
        append_all(spool, kept);
        spool.flush();
        torn_from = std::filesystem::file_size(last_segment(pristine.spool()));
        append_all(spool, transaction(2, 3));
        spool.flush();
        torn_to = std::filesystem::file_size(last_segment(pristine.spool()));
    }
    ASSERT_LT(torn_from, torn_to);
    for (auto size = torn_from; size < torn_to; ++size) {
        SCOPED_TRACE("segment cut at byte " + std::to_string(size));
        temp_dir crashed;
        std::filesystem::copy(pristine.spool(), crashed.spool(), std::filesystem::copy_options::recursive);
        std::filesystem::resize_file(last_segment(crashed.spool()), size);
        EXPECT_TRUE(read_all(crashed.spool()) == kept);

        writer spool(crashed.spool());
        EXPECT_EQ(spool.durable_lsn(), end_of(1));
        append_all(spool, transaction(2, 3));
        spool.flush();
        EXPECT_TRUE(read_all(crashed.spool()) == concat(kept, transaction(2, 3)));
    }
}

TEST(spool_recovery, writer_drops_a_transaction_that_had_not_finished) {
    temp_dir dir;
    auto whole = concat({accounts_at(10)}, transaction(0, 3));
    auto unfinished = transaction(1, 3);
    unfinished.pop_back();
    {
        writer spool(dir.spool());
        append_all(spool, whole);
        append_all(spool, unfinished);  // shares a frame with the whole transaction
        spool.flush();
    }
    writer spool(dir.spool());
    EXPECT_EQ(spool.durable_lsn(), end_of(0));
    append_all(spool, transaction(1, 3));  // the source sends it again
    spool.flush();
    EXPECT_TRUE(read_all(dir.spool()) == concat(whole, transaction(1, 3)));
}

TEST(spool_recovery, writer_drops_an_unfinished_transaction_that_spans_segments) {
    temp_dir dir;
    auto whole = concat({accounts_at(10)}, transaction(0, 3));
    auto unfinished = transaction(1, 500);
    unfinished.pop_back();
    std::size_t segments_before = 0;
    {
        writer spool(dir.spool(), small_segments());
        append_all(spool, whole);
        spool.flush();
        segments_before = spool.segment_count();
        append_all(spool, unfinished);
        spool.flush();
        EXPECT_GT(spool.segment_count(), segments_before + 2);
    }
    writer spool(dir.spool(), small_segments());
    EXPECT_EQ(spool.segment_count(), segments_before);
    EXPECT_TRUE(read_all(dir.spool()) == whole);
}

TEST(spool_recovery, writer_aborts_streamed_transactions_left_open) {
    temp_dir dir;
    std::vector<entry> before{accounts_at(10),
                              {pg::lsn(20), cdc::stream_start_message{9000, true}},
                              {pg::lsn(21), cdc::insert_message{9000, 16384, account_row(1)}},
                              {pg::lsn(22), cdc::stream_stop_message{}}};
    before = concat(before, transaction(0, 2));
    {
        writer spool(dir.spool());
        append_all(spool, before);
        spool.append({pg::lsn(1500), cdc::stream_start_message{9000, false}});  // block never stopped
        spool.append({pg::lsn(1501), cdc::insert_message{9000, 16384, account_row(2)}});
        spool.flush();
    }
    writer spool(dir.spool());
    auto expected = before;
    expected.push_back({end_of(0), cdc::stream_abort_message{9000, 9000, std::nullopt, std::nullopt}});
    EXPECT_TRUE(read_all(dir.spool()) == expected);
    spool.append(transaction(1, 1).front());
    spool.append(transaction(1, 1).back());
    spool.flush();
    EXPECT_EQ(spool.release_through(end_of(1)), 0u);  // one segment: the open one stays
}

TEST(spool_recovery, a_changed_byte_in_a_frame_is_an_error_for_the_reader) {
    temp_dir dir;
    std::uint64_t second_frame = 0;
    {
        writer spool(dir.spool());
        append_all(spool, concat({accounts_at(10)}, transaction(0, 3)));
        spool.flush();
        second_frame = std::filesystem::file_size(last_segment(dir.spool()));
        append_all(spool, transaction(1, 3));
        spool.flush();
        append_all(spool, transaction(2, 3));
        spool.flush();
    }
    flip_byte(last_segment(dir.spool()), second_frame + 20);
    reader from(dir.spool(), pg::lsn());
    for (int i = 0; i < 1 + 5; ++i) EXPECT_TRUE(from.next());
    try {
        from.next();
        FAIL() << "a damaged frame was read";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(std::string(e.what()).find(last_segment(dir.spool()).filename().string()), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos);
    }
    EXPECT_THROW(writer(dir.spool()), pghandoff::error);
}

TEST(spool_recovery, a_damaged_segment_before_the_last_is_an_error_for_the_writer) {
    temp_dir dir;
    {
        writer spool(dir.spool(), small_segments());
        append_all(spool, concat({accounts_at(10)}, transaction(0, 300)));
        spool.flush();
    }
    ASSERT_GT(list_segments(dir.spool()).size(), 1u);
    auto first = list_segments(dir.spool()).front().path;
    flip_byte(first, std::filesystem::file_size(first) - 1);
    EXPECT_THROW(read_all(dir.spool()), pghandoff::error);
    EXPECT_THROW(writer(dir.spool(), small_segments()), pghandoff::error);
}

TEST(spool_recovery, writer_treats_damage_that_reaches_the_end_of_the_last_segment_as_torn) {
    temp_dir dir;
    auto kept = concat({accounts_at(10)}, transaction(0, 3));
    {
        writer spool(dir.spool());
        append_all(spool, kept);
        spool.flush();
        append_all(spool, transaction(1, 3));
        spool.flush();
    }
    auto path = last_segment(dir.spool());
    flip_byte(path, std::filesystem::file_size(path) - 1);
    EXPECT_THROW(read_all(dir.spool()), pghandoff::error);
    writer spool(dir.spool());
    EXPECT_EQ(spool.durable_lsn(), end_of(0));
    EXPECT_TRUE(read_all(dir.spool()) == kept);
}

}  // namespace
