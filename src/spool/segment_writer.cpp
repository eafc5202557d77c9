#include "spool/segment_writer.hpp"

#include <fcntl.h>

#include "spool/frame.hpp"
#include "spool/segment_name.hpp"

namespace pghandoff::spool {

segment_writer segment_writer::create(const std::filesystem::path& path, std::size_t frame_bytes) {
    auto file = file_descriptor::open(path, O_WRONLY | O_CREAT | O_EXCL);
    file.write_at(0, segment_magic);
    file.sync_data();
    sync_directory(path.parent_path());
    return segment_writer(std::move(file), segment_magic.size(), frame_bytes);
}

segment_writer segment_writer::open_at(const std::filesystem::path& path, std::uint64_t size, std::size_t frame_bytes) {
    auto file = file_descriptor::open(path, O_WRONLY);
    if (file.size() != size) {
        file.truncate(size);
        file.sync_data();
    }
    return segment_writer(std::move(file), size, frame_bytes);
}

void segment_writer::append(std::string_view record) {
    if (!batch_.empty() && batch_.size() + 4 + record.size() > frame_bytes_) write_frame();
    append_to_batch(record, batch_);
    if (batch_.size() >= frame_bytes_) write_frame();
}

void segment_writer::write_frame() {
    if (batch_.empty()) return;
    frame_.clear();
    append_frame(batch_, frame_);
    file_.write_at(size_, frame_);
    size_ += frame_.size();
    batch_.clear();
    unsynced_ = true;
    // One oversized record must not keep its buffers alive.
    if (batch_.capacity() > 2 * frame_bytes_) std::string().swap(batch_);
    if (frame_.capacity() > 2 * frame_bytes_) std::string().swap(frame_);
}

void segment_writer::sync() {
    write_frame();
    if (!unsynced_) return;
    file_.sync_data();
    unsynced_ = false;
}

}  // namespace pghandoff::spool
