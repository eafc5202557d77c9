#include "migration/progress_board.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace pghandoff::migration {

std::uint64_t table_progress::bytes_now() const {
    std::uint64_t b = bytes_done;
    for (const auto* c : live) b += c->bytes;
    return b;
}

long long table_progress::rows_now() const {
    long long r = rows_done;
    for (const auto* c : live) r += static_cast<long long>(c->messages);
    return r;
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, units[u]);
}

std::string human_seconds(double s) {
    if (s < 60) return fmt::format("{:.1f}s", s);
    auto total = static_cast<long long>(s);
    if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
    return fmt::format("{}h{:02}m", total / 3600, total % 3600 / 60);
}

void progress_board::phase_started(const std::string& phase) {
    for (auto& [name, t] : phases_)
        if (name == phase) return;
    phases_.push_back({phase, {clock::now(), std::nullopt}});
}

void progress_board::phase_finished(const std::string& phase) {
    for (auto& [name, t] : phases_)
        if (name == phase) t.end = clock::now();
}

namespace {
double seconds_between(clock::time_point a, clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}
}  // namespace

std::vector<std::string> progress_board::terminal_lines(std::size_t max_rows) const {
    auto now = clock::now();
    std::vector<const table_progress*> active;
    std::uint64_t bytes = 0, estimated = 0;
    int done = 0;
    for (const auto& [name, t] : tables_) {
        bytes += t.bytes_now();
        estimated += t.estimated_bytes;
        if (t.chunks_done == t.chunks_total) ++done;
        if (!t.live.empty()) active.push_back(&t);
    }
    std::sort(active.begin(), active.end(), [](auto* a, auto* b) { return a->estimated_bytes > b->estimated_bytes; });
    std::vector<std::string> lines;
    double elapsed = seconds_between(started_, now);
    lines.push_back(fmt::format("pghandoff  {}  tables {}/{}  copied {}  {}/s", human_seconds(elapsed), done,
                                tables_.size(), human_bytes(static_cast<double>(bytes)),
                                human_bytes(elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0)));
    lines.push_back(fmt::format("  {:<40} {:>10} {:>12} {:>10} {:>8} {:>8}", "table", "copied", "rows", "rate", "chunks", "ETA"));
    for (std::size_t i = 0; i < active.size() && i < max_rows; ++i) {
        const auto* t = active[i];
        double secs = t->started ? seconds_between(*t->started, now) : 0;
        double rate = secs > 0 ? static_cast<double>(t->bytes_now()) / secs : 0;
        double row_rate = secs > 0 ? static_cast<double>(t->rows_now()) / secs : 0;
        std::string eta = "-";
        if (row_rate > 0 && t->estimated_rows > t->rows_now())
            eta = human_seconds(static_cast<double>(t->estimated_rows - t->rows_now()) / row_rate);
        std::string name = t->name.size() > 40 ? t->name.substr(0, 39) + "~" : t->name;
        lines.push_back(fmt::format("  {:<40} {:>10} {:>12} {:>8}/s {:>4}/{:<3} {:>8}", name,
                                    human_bytes(static_cast<double>(t->bytes_now())), t->rows_now(),
                                    human_bytes(rate), t->chunks_done, t->chunks_total, eta));
    }
    for (const auto& [name, p] : phases_)
        if (!p.end) lines.push_back(fmt::format("  phase {} running for {}", name, human_seconds(seconds_between(p.start, now))));
    return lines;
}

std::string progress_board::log_line() const {
    std::uint64_t bytes = 0;
    long long rows = 0;
    int done = 0, running = 0;
    for (const auto& [name, t] : tables_) {
        bytes += t.bytes_now();
        rows += t.rows_now();
        if (t.chunks_done == t.chunks_total) ++done;
        if (!t.live.empty()) ++running;
    }
    double elapsed = seconds_between(started_, clock::now());
    return fmt::format("progress: tables {}/{} done, {} copying, {} rows, {} copied ({}/s)", done, tables_.size(),
                       running, rows, human_bytes(static_cast<double>(bytes)),
                       human_bytes(elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0));
}

std::string progress_board::summary() const {
    std::vector<const table_progress*> order;
    for (const auto& [name, t] : tables_) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->estimated_bytes > b->estimated_bytes; });
    std::string out = fmt::format("{:<44} {:>6} {:>12} {:>10} {:>7} {:>9} {:>10}\n", "table", "format", "rows",
                                  "COPY bytes", "chunks", "copy s", "rate");
    long long rows = 0;
    std::uint64_t bytes = 0;
    for (const auto* t : order) {
        std::string name = t->name.size() > 44 ? t->name.substr(0, 43) + "~" : t->name;
        double wall = t->started && t->finished ? seconds_between(*t->started, *t->finished) : 0;
        out += fmt::format("{:<44} {:>6} {:>12} {:>10} {:>7} {:>9.2f} {:>8}/s\n", name, t->format, t->rows_done,
                           human_bytes(static_cast<double>(t->bytes_done)), t->chunks_total, wall,
                           human_bytes(wall > 0 ? static_cast<double>(t->bytes_done) / wall : 0));
        rows += t->rows_done;
        bytes += t->bytes_done;
    }
    out += fmt::format("{:<44} {:>6} {:>12} {:>10}\n\n", "total", "", rows, human_bytes(static_cast<double>(bytes)));
    out += fmt::format("{:<28} {:>10} {:>10} {:>10}\n", "phase", "start s", "end s", "seconds");
    for (const auto& [name, p] : phases_) {
        double start = seconds_between(started_, p.start);
        double end = p.end ? seconds_between(started_, *p.end) : start;
        out += fmt::format("{:<28} {:>10.2f} {:>10.2f} {:>10.2f}\n", name, start, end, end - start);
    }
    out += fmt::format("{:<28} {:>10} {:>10} {:>10.2f}\n", "total", "", "", seconds_between(started_, clock::now()));
    return out;
}

}  // namespace pghandoff::migration
