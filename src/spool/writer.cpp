#include "spool/writer.hpp"

#include <set>

#include "spool/recovery.hpp"
#include "spool/segment_name.hpp"
#include "spool/segment_reader.hpp"
#include "util/file_descriptor.hpp"
#include "util/state_dir.hpp"

namespace pghandoff::spool {

writer::writer(std::filesystem::path dir, writer_options options) : dir_(std::move(dir)), options_(options) {
    ensure_state_dir(dir_);
    cut_to_last_boundary(dir_);
    load();
    for (auto xid : std::set(position_.open_streams()))
        append({position_.last_commit_end(), cdc::stream_abort_message{xid, xid, std::nullopt, std::nullopt}});
    flush();
}

/// Rebuilds the writer's state from segments that cut_to_last_boundary left clean.
void writer::load() {
    auto segments = list_segments(dir_);
    if (segments.empty()) {
        open_segment(1, pg::lsn());
        return;
    }
    position_ = stream_position(segments.front().after);
    for (const auto& id : segments) {
        retention_.open_segment(id.sequence);
        segment_reader reader(id.path);
        for (auto status = reader.next_frame(); status != frame_status::end; status = reader.next_frame()) {
            if (status != frame_status::frame) throw damaged_segment(reader.path(), reader.frame_start());
            while (auto bytes = reader.next_record()) {
                auto change = parse_entry(*bytes, scratch_);
                if (!change) throw damaged_segment(reader.path(), reader.frame_start());
                bool in_block = position_.stream_block().has_value();
                retention_.note(position_.advance(change->message));
                if (!in_block) remember_schema(*change);
            }
        }
        segments_[id.sequence] = {id.path, reader.offset()};
        closed_bytes_ += reader.offset();
    }
    const auto& last = segments.back();
    closed_bytes_ -= segments_[last.sequence].bytes;
    sequence_ = last.sequence;
    segment_.emplace(segment_writer::open_at(last.path, segments_[last.sequence].bytes, options_.frame_bytes));
}

void writer::append(const entry& change) {
    // Segments end outside Stream Start..Stop blocks, so a reader never starts inside one.
    auto filled = segment_->size() + segment_->buffered_bytes() - preamble_bytes_;
    if (filled >= options_.segment_bytes && !position_.stream_block()) roll();
    write(change, false);
}

pg::lsn writer::flush() {
    segment_->sync();
    durable_lsn_ = position_.last_commit_end();
    return durable_lsn_;
}

std::size_t writer::release_through(pg::lsn applied) {
    auto done = retention_.releasable(applied);
    for (auto sequence : done) {
        auto it = segments_.find(sequence);
        std::filesystem::remove(it->second.path);
        closed_bytes_ -= it->second.bytes;
        segments_.erase(it);
        retention_.forget(sequence);
    }
    if (!done.empty()) sync_directory(dir_);
    return done.size();
}

void writer::open_segment(std::uint64_t sequence, pg::lsn after) {
    auto path = segment_path(dir_, sequence, after);
    segment_.emplace(segment_writer::create(path, options_.frame_bytes));
    segments_[sequence] = {path, 0};
    sequence_ = sequence;
    retention_.open_segment(sequence);
}

/// Closes the segment, durably (only the last segment may ever be torn), and starts the next
/// one with a copy of every table and type description seen so far.
void writer::roll() {
    flush();
    segments_[sequence_].bytes = segment_->size();
    closed_bytes_ += segment_->size();
    open_segment(sequence_ + 1, position_.last_commit_end());
    for (const auto& [oid, type] : types_) write(type, true);
    for (const auto& [relid, relation] : relations_) write(relation, true);
    preamble_bytes_ = segment_->size() + segment_->buffered_bytes();
}

void writer::write(const entry& change, bool preamble) {
    encode_record(change, scratch_);
    scratch_.set_preamble(preamble);
    serialized_.clear();
    scratch_.SerializeToString(&serialized_);
    bool in_block = position_.stream_block().has_value();
    segment_->append(serialized_);
    retention_.note(position_.advance(change.message));
    if (!in_block && !preamble) remember_schema(change);
}

void writer::remember_schema(const entry& change) {
    if (const auto* relation = std::get_if<cdc::relation_message>(&change.message))
        relations_[relation->relid] = change;
    else if (const auto* type = std::get_if<cdc::type_message>(&change.message))
        types_[type->type_oid] = change;
}

}  // namespace pghandoff::spool
