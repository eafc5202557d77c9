#pragma once
#include <compare>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "spool/segment_reader.hpp"

namespace pghandoff::spool {

/// Where a record lies in the spool.
struct record_place {
    std::uint64_t sequence = 0;     ///< of the segment
    std::uint64_t frame_start = 0;  ///< byte offset of the frame in the segment
    std::uint32_t index = 0;        ///< of the record in the frame, from 1
    auto operator<=>(const record_place&) const = default;
};

/// Walks the records of every segment in order, one frame in memory, following the writer: at
/// the end of what is written it reports nothing for now and continues from there next time.
class record_cursor {
public:
    explicit record_cursor(std::filesystem::path dir) : dir_(std::move(dir)) {}

    /// The next serialized record, valid until the next call; nullopt when caught up.
    /// Throws pghandoff::error for a damaged segment.
    std::optional<std::string_view> next();
    /// The place of the record last returned.
    record_place place() const;
    /// The segment of the record last returned.
    const std::filesystem::path& path() const { return segment_->path(); }

private:
    bool next_frame();
    bool open_segment_after(std::uint64_t sequence);

    std::filesystem::path dir_;
    std::optional<segment_reader> segment_;
    std::uint64_t sequence_ = 0;
    std::uint32_t index_ = 0;
};

}  // namespace pghandoff::spool
