#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pg/copy_relay.hpp"

namespace pghandoff::migration {

using clock = std::chrono::steady_clock;

/// Copy progress of one table, summed over its chunks.
struct table_progress {
    std::string name;
    std::string format;
    std::uint64_t estimated_bytes = 0;
    std::int64_t estimated_rows = 0;
    int chunks_total = 0;
    int chunks_done = 0;
    std::uint64_t bytes_done = 0;  ///< COPY bytes of finished chunks
    long long rows_done = 0;
    std::vector<const pg::copy_counters*> live;  ///< running chunks
    double copy_seconds = 0;                     ///< summed over chunks
    int post_data_total = 0;
    int post_data_done = 0;
    std::optional<clock::time_point> started;
    std::optional<clock::time_point> finished;

    std::uint64_t bytes_now() const;
    long long rows_now() const;
};

/// Live view of a migration: tables and phases, rendered for a terminal, a log line, or the
/// closing summary.
class progress_board {
public:
    table_progress& table(const std::string& name) { return tables_[name]; }
    const std::map<std::string, table_progress>& tables() const { return tables_; }
    void phase_started(const std::string& phase);
    void phase_finished(const std::string& phase);

    /// Lines for a terminal redraw (at most `max_rows` tables, busiest first).
    std::vector<std::string> terminal_lines(std::size_t max_rows) const;
    /// One log line with the totals.
    std::string log_line() const;
    /// The closing tables: per table and per phase.
    std::string summary() const;

private:
    struct phase_time {
        clock::time_point start;
        std::optional<clock::time_point> end;
    };
    std::map<std::string, table_progress> tables_;
    std::vector<std::pair<std::string, phase_time>> phases_;
    clock::time_point started_ = clock::now();
};

/// "1.5 GB", "12.0 MB", "512 B" (units of 1024)
std::string human_bytes(double bytes);
/// "1h02m", "3m05s", "12.3s"
std::string human_seconds(double seconds);

}  // namespace pghandoff::migration
