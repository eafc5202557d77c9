#include "migration/progress_board.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::migration::human_bytes;
using pghandoff::migration::human_seconds;
using pghandoff::migration::progress_board;

TEST(progress_board, shows_small_sizes_in_whole_bytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(512), "512 B");
    EXPECT_EQ(human_bytes(1023), "1023 B");
}

TEST(progress_board, shows_larger_sizes_in_units_of_1024_with_one_decimal) {
    EXPECT_EQ(human_bytes(1024), "1.0 kB");
    EXPECT_EQ(human_bytes(1536), "1.5 kB");
    EXPECT_EQ(human_bytes(12.0 * 1024 * 1024), "12.0 MB");
    EXPECT_EQ(human_bytes(1.5 * 1024 * 1024 * 1024), "1.5 GB");
    EXPECT_EQ(human_bytes(3.0 * 1024 * 1024 * 1024 * 1024), "3.0 TB");
}

TEST(progress_board, keeps_terabytes_as_the_largest_unit) {
    EXPECT_EQ(human_bytes(2048.0 * 1024 * 1024 * 1024 * 1024), "2048.0 TB");
}

TEST(progress_board, shows_short_durations_in_tenths_of_seconds) {
    EXPECT_EQ(human_seconds(0), "0.0s");
    EXPECT_EQ(human_seconds(12.34), "12.3s");
    EXPECT_EQ(human_seconds(59.9), "59.9s");
}

TEST(progress_board, shows_minutes_with_padded_seconds) {
    EXPECT_EQ(human_seconds(60), "1m00s");
    EXPECT_EQ(human_seconds(185), "3m05s");
    EXPECT_EQ(human_seconds(3599.9), "59m59s");
}

TEST(progress_board, shows_hours_with_padded_minutes) {
    EXPECT_EQ(human_seconds(3600), "1h00m");
    EXPECT_EQ(human_seconds(3720), "1h02m");
    EXPECT_EQ(human_seconds(26 * 3600 + 5 * 60 + 59), "26h05m");
}

TEST(progress_board, counts_finished_and_running_chunks_in_the_log_line) {
    progress_board board;
    auto& t = board.table("public.t");
    t.chunks_total = 2;
    t.chunks_done = 1;
    t.rows_done = 1000;
    t.bytes_done = 2048;
    pghandoff::pg::copy_counters live{.messages = 500, .bytes = 1024};
    t.live.push_back(&live);
    auto& u = board.table("public.u");
    u.chunks_total = 1;
    u.chunks_done = 1;
    u.rows_done = 10;
    auto line = board.log_line();
    EXPECT_NE(line.find("tables 1/2 done, 1 copying, 1510 rows, 3.0 kB copied"), std::string::npos) << line;
}

TEST(progress_board, lists_running_tables_on_the_terminal) {
    progress_board board;
    auto& t = board.table("public.orders");
    t.name = "public.orders";
    t.chunks_total = 4;
    t.chunks_done = 1;
    pghandoff::pg::copy_counters live{.messages = 10, .bytes = 100};
    t.live.push_back(&live);
    board.table("public.idle").chunks_total = 1;
    board.phase_started("copy");
    auto lines = board.terminal_lines(10);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_NE(lines[0].find("tables 0/2"), std::string::npos) << lines[0];
    EXPECT_NE(lines[2].find("public.orders"), std::string::npos) << lines[2];
    EXPECT_NE(lines[2].find("1/4"), std::string::npos) << lines[2];
    EXPECT_NE(lines[3].find("phase copy running"), std::string::npos) << lines[3];
    board.phase_finished("copy");
    EXPECT_EQ(board.terminal_lines(0).size(), 2u);
}

}  // namespace
