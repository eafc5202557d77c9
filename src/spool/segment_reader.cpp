#include "spool/segment_reader.hpp"

#include <fcntl.h>

#include <string>

#include "spool/segment_name.hpp"

namespace pghandoff::spool {

error damaged_segment(const std::filesystem::path& path, std::uint64_t offset) {
    return error("spool segment " + path.string() + " is damaged at byte " + std::to_string(offset),
                 "the changes it held are lost: start the migration again from a new snapshot");
}

segment_reader::segment_reader(const std::filesystem::path& path, std::uint64_t offset)
    : file_(file_descriptor::open(path, O_RDONLY)), offset_(offset), frame_start_(offset), frame_end_(offset) {}

frame_status segment_reader::check_magic() {
    std::string magic(segment_magic.size(), '\0');
    auto n = file_.read_at(0, magic.data(), magic.size());
    if (n < magic.size()) return std::string_view(magic.data(), n) == segment_magic.substr(0, n)
                                     ? frame_status::incomplete
                                     : frame_status::damaged;
    if (magic != segment_magic) return frame_status::damaged;
    offset_ = frame_start_ = frame_end_ = magic.size();
    return frame_status::frame;
}

frame_status segment_reader::next_frame() {
    records_ = batch_cursor();
    if (offset_ == 0) {
        auto status = check_magic();
        if (status != frame_status::frame) return status;
    }
    frame_start_ = frame_end_ = offset_;
    char header_bytes[frame_header_bytes];
    auto n = file_.read_at(offset_, header_bytes, sizeof header_bytes);
    if (n == 0) return frame_status::end;
    if (n < sizeof header_bytes) return frame_status::incomplete;
    auto header = parse_frame_header(header_bytes);
    frame_end_ = offset_ + frame_header_bytes + header.compressed_size;
    if (!header.plausible()) {
        frame_end_ = offset_ + frame_header_bytes;
        return frame_status::damaged;
    }
    block_.resize(header.compressed_size);
    if (file_.read_at(offset_ + frame_header_bytes, block_.data(), block_.size()) < block_.size())
        return frame_status::incomplete;
    if (!open_frame(header, block_, batch_)) return frame_status::damaged;
    records_ = batch_cursor(batch_);
    offset_ = frame_end_;
    return frame_status::frame;
}

}  // namespace pghandoff::spool
