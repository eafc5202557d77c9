#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "spool/frame.hpp"
#include "util/error.hpp"
#include "util/file_descriptor.hpp"

namespace pghandoff::spool {

/// What reading at a segment's current offset found.
enum class frame_status : std::uint8_t {
    frame,       ///< a whole, checksum-valid frame: its records are ready
    end,         ///< the file ends exactly here
    incomplete,  ///< the file ends inside the magic or a frame: a write in progress, or torn by a crash
    damaged,     ///< the bytes are all there but wrong: checksum, compression or record sizes
};

/// Reads one segment file frame by frame, holding one frame in memory.
class segment_reader {
public:
    /// Opens `path` to read the frame at `offset` (0: check the magic, then the first frame).
    explicit segment_reader(const std::filesystem::path& path, std::uint64_t offset = 0);
    segment_reader(segment_reader&&) = delete;  // the record cursor points into the frame's buffer

    /// Reads the frame at offset(). On `frame` the offset moves past it; otherwise it stays, so
    /// that calling again later sees what a writer appended meanwhile.
    frame_status next_frame();
    /// The next record of the frame last read.
    std::optional<std::string_view> next_record() { return records_.next(); }

    /// Where the next frame starts.
    std::uint64_t offset() const { return offset_; }
    /// Where the frame last read (or found damaged) starts and ends.
    std::uint64_t frame_start() const { return frame_start_; }
    std::uint64_t frame_end() const { return frame_end_; }
    std::uint64_t file_size() const { return file_.size(); }
    const std::filesystem::path& path() const { return file_.path(); }

private:
    frame_status check_magic();

    file_descriptor file_;
    std::uint64_t offset_ = 0;
    std::uint64_t frame_start_ = 0;
    std::uint64_t frame_end_ = 0;
    std::string block_;
    std::string batch_;
    batch_cursor records_;
};

/// The error for a segment whose bytes at `offset` are wrong.
error damaged_segment(const std::filesystem::path& path, std::uint64_t offset);

}  // namespace pghandoff::spool
