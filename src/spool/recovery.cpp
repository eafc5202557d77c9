#include "spool/recovery.hpp"

#include <fcntl.h>

#include <algorithm>
#include <string>
#include <vector>

#include "spool/frame.hpp"
#include "spool/record_codec.hpp"
#include "spool/segment_name.hpp"
#include "spool/segment_reader.hpp"
#include "spool/segment_writer.hpp"
#include "spool/stream_position.hpp"

namespace pghandoff::spool {
namespace {

/// The point just after the last record that left the stream at a boundary.
struct boundary_spot {
    std::size_t segment = 0;
    std::uint64_t frame_start = segment_magic.size();
    std::uint64_t frame_end = segment_magic.size();
    std::size_t records_kept = 0;  ///< of the frame at frame_start
    bool whole_frame = true;       ///< the boundary is the frame's end
};

bool is_torn(frame_status status, const segment_reader& reader) {
    return status == frame_status::incomplete ||
           (status == frame_status::damaged && reader.frame_end() >= reader.file_size());
}

/// Reads every segment, checking that only the end of the last one is torn.
boundary_spot find_last_boundary(const std::vector<segment_id>& segments) {
    stream_position position(segments.front().after);
    boundary_spot boundary;
    record scratch;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        segment_reader reader(segments[i].path);
        for (;;) {
            auto status = reader.next_frame();
            if (status == frame_status::end) break;
            if (status != frame_status::frame) {
                if (i + 1 == segments.size() && is_torn(status, reader)) break;
                throw damaged_segment(reader.path(), reader.frame_start());
            }
            std::size_t index = 0;
            while (auto bytes = reader.next_record()) {
                auto change = parse_entry(*bytes, scratch);
                if (!change) throw damaged_segment(reader.path(), reader.frame_start());
                position.advance(change->message);
                ++index;
                if (position.at_boundary()) boundary = {i, reader.frame_start(), reader.frame_end(), index, false};
            }
            if (boundary.segment == i && boundary.frame_start == reader.frame_start() && boundary.records_kept == index)
                boundary.whole_frame = true;
        }
    }
    return boundary;
}

/// Replaces `path` by a copy that ends with the first records_kept records of the frame at
/// frame_start, through a renamed temporary file so that a crash leaves one or the other.
void rewrite_with_frame_prefix(const std::filesystem::path& path, const boundary_spot& boundary) {
    std::string batch;
    {
        segment_reader reader(path, boundary.frame_start);
        if (reader.next_frame() != frame_status::frame) throw damaged_segment(path, boundary.frame_start);
        for (std::size_t i = 0; i < boundary.records_kept; ++i) append_to_batch(*reader.next_record(), batch);
    }
    auto temporary = std::filesystem::path(path).concat(".tmp");
    std::filesystem::remove(temporary);
    {
        auto source = file_descriptor::open(path, O_RDONLY);
        auto copy = file_descriptor::open(temporary, O_WRONLY | O_CREAT | O_EXCL);
        std::string chunk(1 << 20, '\0');
        for (std::uint64_t offset = 0; offset < boundary.frame_start;) {
            auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), boundary.frame_start - offset));
            auto got = source.read_at(offset, chunk.data(), want);
            if (got < want) throw damaged_segment(path, offset + got);
            copy.write_at(offset, std::string_view(chunk.data(), got));
            offset += got;
        }
        std::string frame;
        append_frame(batch, frame);
        copy.write_at(boundary.frame_start, frame);
        copy.sync_data();
    }
    std::filesystem::rename(temporary, path);
}

}  // namespace

void cut_to_last_boundary(const std::filesystem::path& dir) {
    for (const auto& item : std::filesystem::directory_iterator(dir))
        if (item.path().extension() == ".tmp") std::filesystem::remove(item.path());  // a rewrite cut short
    auto segments = list_segments(dir);
    if (segments.empty()) return;
    auto boundary = find_last_boundary(segments);
    for (auto i = segments.size(); i-- > boundary.segment + 1;) std::filesystem::remove(segments[i].path);
    const auto& path = segments[boundary.segment].path;
    if (std::filesystem::file_size(path) < segment_magic.size())
        std::filesystem::remove(path);  // torn while being created: it holds nothing
    else if (boundary.whole_frame)
        segment_writer::open_at(path, boundary.frame_end, 0);
    else
        rewrite_with_frame_prefix(path, boundary);
    sync_directory(dir);
}

}  // namespace pghandoff::spool
