#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "proto/spool.pb.h"
#include "spool/record_codec.hpp"
#include "spool/retention.hpp"
#include "spool/segment_writer.hpp"
#include "spool/stream_position.hpp"

namespace pghandoff::spool {

struct writer_options {
    std::size_t frame_bytes = 256 * 1024;       ///< records batched into one LZ4 frame (uncompressed)
    std::uint64_t segment_bytes = 64ull << 20;  ///< a segment file grows to about this, then the next begins
};

/// The receiving side of the spool: appends decoded changes to segment files in `dir`, makes them
/// durable, and deletes segments once applied. Not thread-safe: one caller at a time.
class writer {
public:
    /// Opens the spool in `dir` (created 0700 when missing). After a crash or a stop, cuts it back
    /// to its last transaction boundary: a torn frame and the records of a transaction that had
    /// not finished go, since the source sends that transaction again from last_commit_end(); a
    /// streamed transaction left open gets a Stream Abort, since the source streams it again
    /// from its start. Throws pghandoff::error when a segment is damaged before its end.
    explicit writer(std::filesystem::path dir, writer_options options = {});

    /// Buffers one change; writes a frame when the batch is full, without syncing.
    void append(const entry& change);
    /// Writes what is buffered and fdatasyncs it; returns durable_lsn().
    pg::lsn flush();

    /// End LSN of the last transaction whose every record is durable: the position the source
    /// may be told is flushed, and where replication restarts after a crash.
    pg::lsn durable_lsn() const { return durable_lsn_; }
    /// End LSN of the last transaction appended (durable or not).
    pg::lsn last_commit_end() const { return position_.last_commit_end(); }
    /// Deletes every segment that no applier resuming from `applied` or later can need;
    /// returns how many went. The segment being written stays.
    std::size_t release_through(pg::lsn applied);

    /// Size of the segment files: the receiver stops reading from the source above its limit.
    std::uint64_t bytes_on_disk() const { return closed_bytes_ + segment_->size(); }
    /// Bytes of records waiting for the next frame; never above frame_bytes after append().
    std::size_t buffered_bytes() const { return segment_->buffered_bytes(); }
    std::size_t segment_count() const { return segments_.size(); }
    const std::filesystem::path& dir() const { return dir_; }

private:
    void load();
    void open_segment(std::uint64_t sequence, pg::lsn after);
    void roll();
    void write(const entry& change, bool preamble);
    void remember_schema(const entry& change);

    std::filesystem::path dir_;
    writer_options options_;
    std::optional<segment_writer> segment_;
    std::uint64_t sequence_ = 0;
    struct segment_file {
        std::filesystem::path path;
        std::uint64_t bytes = 0;  ///< once closed
    };
    std::map<std::uint64_t, segment_file> segments_;  ///< by sequence, the open one last
    std::uint64_t closed_bytes_ = 0;
    std::uint64_t preamble_bytes_ = 0;  ///< of the open segment: its copies of tables and types
    stream_position position_;
    retention retention_;
    pg::lsn durable_lsn_;
    std::map<std::uint32_t, entry> relations_;  ///< latest Relation per relid, outside streamed blocks
    std::map<std::uint32_t, entry> types_;      ///< latest Type per OID, likewise
    record scratch_;
    std::string serialized_;
};

}  // namespace pghandoff::spool
