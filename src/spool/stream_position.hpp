#pragma once
#include <optional>
#include <set>

#include "cdc/messages.hpp"
#include "pg/lsn.hpp"

namespace pghandoff::spool {

/// What one message meant for the transactions of the stream.
struct stream_step {
    std::optional<pg::lsn> committed;        ///< Commit or Stream Commit: its end LSN
    std::optional<cdc::xid_t> streamed_xid;  ///< the message belongs to this streamed transaction
    bool stream_finished = false;            ///< ...and ends it (Stream Commit, or Stream Abort of the top level)
};

/// Follows the transaction structure of the message stream: inside Begin..Commit, inside a
/// Stream Start..Stop block, or at a boundary between transactions. Transactions are sent in
/// commit order, so commit end LSNs only grow; chunks of streamed transactions interleave.
class stream_position {
public:
    /// Starts at a boundary, after a commit that ended at `last_commit_end`.
    explicit stream_position(pg::lsn last_commit_end = {}) : last_commit_end_(last_commit_end) {}

    stream_step advance(const cdc::message& message);

    /// Outside Begin..Commit and outside Stream Start..Stop: the source sends everything after
    /// this point again when replication restarts from last_commit_end().
    bool at_boundary() const { return !in_transaction_ && !stream_block_; }
    /// The streamed transaction whose Stream Start..Stop block we are in.
    std::optional<cdc::xid_t> stream_block() const { return stream_block_; }
    /// End LSN of the last Commit or Stream Commit passed.
    pg::lsn last_commit_end() const { return last_commit_end_; }
    /// Streamed transactions started and neither committed nor aborted.
    const std::set<cdc::xid_t>& open_streams() const { return open_streams_; }

private:
    bool in_transaction_ = false;
    std::optional<cdc::xid_t> stream_block_;
    pg::lsn last_commit_end_;
    std::set<cdc::xid_t> open_streams_;
};

}  // namespace pghandoff::spool
