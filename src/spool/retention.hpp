#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <vector>

#include "spool/stream_position.hpp"

namespace pghandoff::spool {

/// Decides which segments an applier can no longer need.
///
/// An applier that has applied through LSN A resumes after the last commit whose end is <= A
/// (the cut). It needs every record after the cut, and before it the chunks of streamed
/// transactions still open at the cut. A record is therefore released by the first commit that
/// follows it, and a chunk of a streamed transaction also by that transaction's end (its Stream
/// Commit, or the first commit after its Stream Abort). A segment goes once all its records have
/// been released by commits at or below A, and so have all segments before it: the spool only
/// ever loses its oldest segments, so a reader sees every commit and stream end after the first
/// segment it finds. The records' own WAL positions cannot decide any of this: a transaction
/// that commits later may have begun, and so carry smaller positions, earlier.
class retention {
public:
    /// The segment records now go to; the previous one is closed.
    void open_segment(std::uint64_t sequence);
    /// One record written to the open segment, as stream_position::advance described it.
    void note(const stream_step& step);
    /// The oldest closed segments whose records are all released by commits at or below `applied`.
    std::vector<std::uint64_t> releasable(pg::lsn applied) const;
    void forget(std::uint64_t sequence);

private:
    struct segment {
        std::uint64_t sequence = 0;
        std::optional<pg::lsn> released_by;  ///< end of the first commit after the segment's last record
        bool tail_after_commit = false;      ///< records follow the last commit seen in it
        std::set<cdc::xid_t> open_streams;   ///< streamed transactions with records here, not yet ended
        pg::lsn streams_ended_by;            ///< the latest end among the others
    };

    void end_stream(cdc::xid_t xid, pg::lsn end);

    std::deque<segment> segments_;
    pg::lsn last_commit_end_;
    std::set<cdc::xid_t> aborted_;  ///< Stream Abort seen, ended by the next commit
};

}  // namespace pghandoff::spool
