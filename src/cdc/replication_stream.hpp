#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cdc/walsender_messages.hpp"
#include "pg/connection.hpp"

namespace pghandoff::cdc {

/// What START_REPLICATION asks for.
struct stream_options {
    std::string slot;
    std::vector<std::string> publications;
    pg::lsn start;  ///< 0/0: from the slot's confirmed position
    int server_version = 0;
    /// Ask for transactions larger than the source's logical_decoding_work_mem to be streamed
    /// in chunks before their commit (protocol v2+) rather than spilled to disk on the source.
    bool streaming = true;
};

/// The pgoutput protocol version a server speaks at most (1 up to 13, 2 on 14, 3 on 15, 4 on 16+).
int pgoutput_protocol_version(int server_version);
/// START_REPLICATION ... LOGICAL ... with the options this client understands.
std::string start_replication_sql(const stream_options& options);

/// One XLogData message, owning its buffer.
struct received_change {
    pg::buffer_ptr buffer;
    xlog_data data;  ///< its payload views into buffer
};

/// A logical replication stream on a replication connection: receives XLogData, answers
/// keepalives, and reports positions with standby status updates. The write/flush positions
/// only move forward; flush is what lets the server release WAL, so report only what is durable.
class replication_stream {
public:
    explicit replication_stream(pg::connection conn) : conn_(std::move(conn)) {}

    boost::asio::awaitable<void> start(stream_options options);
    /// The next XLogData; keepalives are handled on the way. nullopt when the server ended the stream.
    boost::asio::awaitable<std::optional<received_change>> next();
    /// True when a whole message is already buffered (next() will not wait on the socket).
    bool has_buffered();

    /// Records the positions reported with the next status update.
    void report(pg::lsn written, pg::lsn flushed);
    /// Everything received so far is durable and no transaction is half received: a
    /// keepalive's WAL end may then be reported as flushed at once. Without it an idle client
    /// would keep a stale position, and a source shutting down waits for its walsenders'
    /// clients to confirm everything.
    void set_idle(bool idle) { idle_ = idle; }
    boost::asio::awaitable<void> send_status(bool ask_for_reply = false);
    /// Sends a status update every `interval` until the stream ends; never waits for apply.
    boost::asio::awaitable<void> status_loop(std::chrono::milliseconds interval);

    /// Ends a running status_loop at once.
    void end_status_loop() {
        if (status_timer_) status_timer_->cancel();
        status_loop_ended_ = true;
    }

    /// The server's WAL end as last announced (by a keepalive or an XLogData).
    pg::lsn server_wal_end() const { return server_wal_end_; }
    bool ended() const { return ended_; }
    pg::connection& connection() { return conn_; }
    /// Ends the stream (CopyDone) and waits for the server to close it.
    boost::asio::awaitable<void> stop();

private:
    pg::connection conn_;
    pg::lsn written_;
    pg::lsn flushed_;
    pg::lsn server_wal_end_;
    bool ended_ = false;
    bool reply_due_ = false;
    bool idle_ = false;
    bool status_loop_ended_ = false;
    std::optional<received_change> pending_;
    boost::asio::steady_timer* status_timer_ = nullptr;  ///< the running status_loop's, to end it with the stream
};

}  // namespace pghandoff::cdc
