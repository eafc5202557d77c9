#include "spool/stream_position.hpp"

#include <type_traits>
#include <variant>

namespace pghandoff::spool {

stream_step stream_position::advance(const cdc::message& message) {
    stream_step step;
    if (stream_block_) step.streamed_xid = stream_block_;
    std::visit(
        [&](const auto& m) {
            using kind = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<kind, cdc::begin_message>) {
                in_transaction_ = true;
            } else if constexpr (std::is_same_v<kind, cdc::commit_message>) {
                in_transaction_ = false;
                last_commit_end_ = m.end_lsn;
                step.committed = m.end_lsn;
            } else if constexpr (std::is_same_v<kind, cdc::stream_start_message>) {
                stream_block_ = m.xid;
                open_streams_.insert(m.xid);
                step.streamed_xid = m.xid;
            } else if constexpr (std::is_same_v<kind, cdc::stream_stop_message>) {
                stream_block_.reset();
            } else if constexpr (std::is_same_v<kind, cdc::stream_commit_message>) {
                open_streams_.erase(m.xid);
                last_commit_end_ = m.end_lsn;
                step.committed = m.end_lsn;
                step.streamed_xid = m.xid;
                step.stream_finished = true;
            } else if constexpr (std::is_same_v<kind, cdc::stream_abort_message>) {
                step.streamed_xid = m.xid;
                if (m.xid == m.subxid) {
                    open_streams_.erase(m.xid);
                    step.stream_finished = true;
                }
            } else if constexpr (std::is_same_v<kind, cdc::relation_message> || std::is_same_v<kind, cdc::type_message>) {
                // Schema descriptions may come between transactions.
            } else if constexpr (std::is_same_v<kind, cdc::logical_message>) {
                if (m.transactional && !stream_block_) in_transaction_ = true;
            } else if (!stream_block_) {
                // A change outside a block belongs to an ordinary transaction, even when its Begin
                // was in a segment that has since been released.
                in_transaction_ = true;
            }
        },
        message);
    return step;
}

}  // namespace pghandoff::spool
