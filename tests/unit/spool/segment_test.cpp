#include <fcntl.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "spool/frame.hpp"
#include "spool/segment_name.hpp"
#include "spool/segment_reader.hpp"
#include "spool/segment_writer.hpp"
#include "spool_fixture.hpp"

namespace {

using namespace pghandoff::spool;
using pghandoff::pg::lsn;
using pghandoff::spool::fixture::temp_dir;

std::vector<std::string> numbered_records(int count) {
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) out.push_back("record " + std::to_string(i) + std::string(i % 50, 'x'));
    return out;
}

std::vector<std::string> read_segment(const std::filesystem::path& path, frame_status* last = nullptr) {
    std::vector<std::string> out;
    segment_reader reader(path);
    frame_status status;
    while ((status = reader.next_frame()) == frame_status::frame)
        while (auto bytes = reader.next_record()) out.emplace_back(*bytes);
    if (last) *last = status;
    return out;
}

TEST(segment_frame, round_trips_a_batch) {
    std::string batch, frame, back;
    append_to_batch("first", batch);
    append_to_batch("", batch);
    append_to_batch(std::string(1000, 'z'), batch);
    append_frame(batch, frame);
    auto header = parse_frame_header(frame.data());
    ASSERT_TRUE(open_frame(header, std::string_view(frame).substr(frame_header_bytes), back));
    batch_cursor records(back);
    EXPECT_EQ(records.next(), "first");
    EXPECT_EQ(records.next(), "");
    EXPECT_EQ(records.next(), std::string(1000, 'z'));
    EXPECT_FALSE(records.next());
}

TEST(segment_frame, detects_any_changed_byte) {
    std::string batch, frame, back;
    append_to_batch("some record bytes that compress: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", batch);
    append_frame(batch, frame);
    for (std::size_t i = 0; i < frame.size(); ++i) {
        auto damaged = frame;
        damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
        auto header = parse_frame_header(damaged.data());
        EXPECT_FALSE(open_frame(header, std::string_view(damaged).substr(frame_header_bytes), back)) << "byte " << i;
    }
}

TEST(segment_name, orders_by_sequence_and_ignores_other_files) {
    temp_dir dir;
    auto a = segment_path(dir.path(), 2, lsn(0x16B374D8));
    auto b = segment_path(dir.path(), 10, lsn(0x16B374D8));
    EXPECT_EQ(a.filename(), "0000000016B374D8-000002.seg");
    for (const auto& p : {a, b, dir.path() / "notes.txt", dir.path() / "0000000016B374D8-000003.seg.tmp"})
        std::ofstream(p) << "x";
    auto found = list_segments(dir.path());
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].sequence, 2u);
    EXPECT_EQ(found[1].sequence, 10u);
    EXPECT_EQ(found[1].after, lsn(0x16B374D8));
}

TEST(segment_writer, batches_records_into_frames_of_at_most_frame_bytes) {
    temp_dir dir;
    auto path = dir.path() / "s.seg";
    auto out = segment_writer::create(path, 1024);
    auto records = numbered_records(500);
    for (const auto& r : records) {
        out.append(r);
        EXPECT_LE(out.buffered_bytes(), 1024u);
    }
    out.sync();
    EXPECT_EQ(out.size(), std::filesystem::file_size(path));
    EXPECT_EQ(read_segment(path), records);
}

TEST(segment_writer, writes_a_record_larger_than_a_frame_alone_and_at_once) {
    temp_dir dir;
    auto path = dir.path() / "s.seg";
    auto out = segment_writer::create(path, 1024);
    out.append("small");
    out.append(std::string(5000, 'b'));
    EXPECT_EQ(out.buffered_bytes(), 0u);
    out.sync();
    EXPECT_EQ(read_segment(path), (std::vector<std::string>{"small", std::string(5000, 'b')}));
}

TEST(segment_reader, reports_a_frame_cut_short_as_incomplete_and_keeps_the_earlier_ones) {
    temp_dir dir;
    auto path = dir.path() / "s.seg";
    auto out = segment_writer::create(path, 1 << 20);
    out.append("kept");
    out.sync();
    auto whole = out.size();
    out.append("torn");
    out.sync();
    for (auto size = whole + 1; size < out.size(); ++size) {
        std::filesystem::resize_file(path, size);
        frame_status last{};
        EXPECT_EQ(read_segment(path, &last), std::vector<std::string>{"kept"}) << size;
        EXPECT_EQ(last, frame_status::incomplete) << size;
    }
}

TEST(segment_reader, reports_a_changed_byte_as_damage) {
    temp_dir dir;
    auto path = dir.path() / "s.seg";
    auto out = segment_writer::create(path, 1 << 20);
    out.append("first frame");
    out.sync();
    auto second = out.size();
    out.append("second frame");
    out.sync();
    out.append("third frame");
    out.sync();
    {
        auto file = pghandoff::file_descriptor::open(path, O_RDWR);
        file.write_at(second + frame_header_bytes + 2, "?");
    }
    frame_status last{};
    EXPECT_EQ(read_segment(path, &last), std::vector<std::string>{"first frame"});
    EXPECT_EQ(last, frame_status::damaged);
}

TEST(segment_reader, sees_frames_appended_after_it_reached_the_end) {
    temp_dir dir;
    auto path = dir.path() / "s.seg";
    auto out = segment_writer::create(path, 1 << 20);
    segment_reader reader(path);
    EXPECT_EQ(reader.next_frame(), frame_status::end);
    out.append("later");
    out.sync();
    ASSERT_EQ(reader.next_frame(), frame_status::frame);
    EXPECT_EQ(reader.next_record(), "later");
}

}  // namespace
