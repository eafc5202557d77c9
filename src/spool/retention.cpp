#include "spool/retention.hpp"

#include <algorithm>

namespace pghandoff::spool {

void retention::open_segment(std::uint64_t sequence) {
    if (!segments_.empty()) {
        auto& closed = segments_.back();
        if (!closed.tail_after_commit) closed.released_by = last_commit_end_;
    }
    segments_.push_back({sequence, std::nullopt, false, {}, {}});
}

void retention::note(const stream_step& step) {
    auto& open = segments_.back();
    if (step.streamed_xid) open.open_streams.insert(*step.streamed_xid);
    if (!step.committed) {
        open.tail_after_commit = true;
        if (step.stream_finished) aborted_.insert(*step.streamed_xid);
        return;
    }
    auto end = *step.committed;
    last_commit_end_ = end;
    open.tail_after_commit = false;
    // Closed segments still waiting for a commit are the latest ones.
    for (auto it = std::next(segments_.rbegin()); it != segments_.rend() && !it->released_by; ++it)
        it->released_by = end;
    if (step.stream_finished) end_stream(*step.streamed_xid, end);
    for (auto xid : aborted_) end_stream(xid, end);
    aborted_.clear();
}

void retention::end_stream(cdc::xid_t xid, pg::lsn end) {
    for (auto& s : segments_) {
        if (s.open_streams.erase(xid) > 0) s.streams_ended_by = std::max(s.streams_ended_by, end);
    }
}

std::vector<std::uint64_t> retention::releasable(pg::lsn applied) const {
    std::vector<std::uint64_t> done;
    if (segments_.empty()) return done;
    for (auto it = segments_.begin(); it != std::prev(segments_.end()); ++it) {
        bool released = it->released_by && *it->released_by <= applied && it->open_streams.empty() &&
                        it->streams_ended_by <= applied;
        if (!released) break;
        done.push_back(it->sequence);
    }
    return done;
}

void retention::forget(std::uint64_t sequence) {
    std::erase_if(segments_, [sequence](const segment& s) { return s.sequence == sequence; });
}

}  // namespace pghandoff::spool
