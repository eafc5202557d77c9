#include "spool/record_cursor.hpp"

#include "spool/segment_name.hpp"

namespace pghandoff::spool {

std::optional<std::string_view> record_cursor::next() {
    for (;;) {
        if (segment_) {
            if (auto bytes = segment_->next_record()) {
                ++index_;
                return bytes;
            }
        }
        if (!next_frame()) return std::nullopt;
    }
}

record_place record_cursor::place() const { return {sequence_, segment_ ? segment_->frame_start() : 0, index_}; }

/// Loads the next frame, moving on to the next segment when this one is finished. The writer
/// syncs a segment before it creates the next, so a segment with a successor is complete: it
/// must end exactly after a frame, and frames it gained since we last looked come first.
bool record_cursor::next_frame() {
    if (!segment_ && !open_segment_after(sequence_)) return false;
    for (;;) {
        auto status = segment_->next_frame();
        if (status == frame_status::damaged) throw damaged_segment(segment_->path(), segment_->frame_start());
        if (status == frame_status::frame) {
            index_ = 0;
            return true;
        }
        bool has_successor = false;
        for (const auto& id : list_segments(dir_)) has_successor = has_successor || id.sequence > sequence_;
        if (!has_successor) return false;
        status = segment_->next_frame();
        if (status == frame_status::frame) {
            index_ = 0;
            return true;
        }
        if (status != frame_status::end) throw damaged_segment(segment_->path(), segment_->frame_start());
        if (!open_segment_after(sequence_)) return false;
    }
}

/// Opens the first segment after `sequence` that still exists; false when there is none.
bool record_cursor::open_segment_after(std::uint64_t sequence) {
    for (const auto& id : list_segments(dir_)) {
        if (id.sequence <= sequence) continue;
        try {
            segment_.emplace(id.path);
        } catch (const error&) {
            std::error_code ec;
            if (!std::filesystem::exists(id.path, ec)) continue;  // released meanwhile
            throw;
        }
        sequence_ = id.sequence;
        return true;
    }
    return false;
}

}  // namespace pghandoff::spool
