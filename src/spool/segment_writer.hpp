#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/file_descriptor.hpp"

namespace pghandoff::spool {

/// Appends records to one segment file, batching them into frames of about `frame_bytes`.
/// Nothing is durable before sync().
class segment_writer {
public:
    /// Creates a new segment file holding just the magic, synced along with its directory.
    static segment_writer create(const std::filesystem::path& path, std::size_t frame_bytes);
    /// Opens an existing segment to append after its first `size` bytes, cutting off the rest.
    static segment_writer open_at(const std::filesystem::path& path, std::uint64_t size, std::size_t frame_bytes);

    /// Buffers one serialized record; writes the batch as a frame once it reaches frame_bytes,
    /// so at most frame_bytes stay buffered (one larger record goes out alone, at once).
    void append(std::string_view record);
    /// Writes the buffered batch as a frame, without syncing.
    void write_frame();
    /// Writes the buffered batch and fdatasyncs the file.
    void sync();

    /// Bytes written to the file, synced or not.
    std::uint64_t size() const { return size_; }
    /// Bytes buffered for the next frame.
    std::size_t buffered_bytes() const { return batch_.size(); }
    const std::filesystem::path& path() const { return file_.path(); }

private:
    segment_writer(file_descriptor file, std::uint64_t size, std::size_t frame_bytes)
        : file_(std::move(file)), size_(size), frame_bytes_(frame_bytes) {}

    file_descriptor file_;
    std::uint64_t size_ = 0;
    std::size_t frame_bytes_ = 0;
    bool unsynced_ = false;
    std::string batch_;
    std::string frame_;
};

}  // namespace pghandoff::spool
