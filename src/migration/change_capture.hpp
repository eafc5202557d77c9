#pragma once
#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>

#include "cdc/replication_stream.hpp"
#include "spool/writer.hpp"

namespace pghandoff::migration {

struct capture_options {
    std::uint64_t spool_limit_bytes = 8ull << 30;           ///< above it, stop reading (the source keeps the WAL)
    std::chrono::milliseconds flush_interval{200};          ///< longest wait before received changes are fsynced
    std::chrono::milliseconds status_interval{10000};       ///< standby status updates, whatever else happens
};

/// Live figures of the capture, for progress and lag.
struct capture_counters {
    std::uint64_t messages = 0;
    std::uint64_t transactions = 0;
    std::uint64_t payload_bytes = 0;  ///< pgoutput bytes received
    pg::lsn durable;                  ///< everything up to here is fsynced in the spool (and reported flushed)
    pg::lsn server_wal_end;
    bool throttled = false;           ///< the spool is at its size limit
    bool in_transaction = false;      ///< between a Begin and its Commit
    /// Content of the last non-transactional logical message with the "pghandoff" prefix: a
    /// probe emitted on the source now arrives here once the stream has caught up with it.
    std::string last_probe;
};

/// Receives pgoutput changes and writes them to the spool. The source is told a position is
/// flushed only once everything up to it is fsynced in the spool; between transactions a
/// keepalive's WAL end is reported too, so an idle source can release its WAL.
class change_capture {
public:
    change_capture(cdc::replication_stream& stream, spool::writer& writer, capture_options options)
        : stream_(stream), writer_(writer), options_(options) {}

    /// Runs until the stream ends or stop() is called; throws on protocol or disk errors.
    boost::asio::awaitable<void> run();
    void stop() { stopping_ = true; }
    const capture_counters& counters() const { return counters_; }

private:
    void flush();

    cdc::replication_stream& stream_;
    spool::writer& writer_;
    capture_options options_;
    capture_counters counters_;
    bool stopping_ = false;
    bool in_stream_block_ = false;
};

}  // namespace pghandoff::migration
