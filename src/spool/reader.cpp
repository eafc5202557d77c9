#include "spool/reader.hpp"

#include <variant>

#include "spool/segment_name.hpp"

namespace pghandoff::spool {
namespace {

bool is_schema(const cdc::message& message) {
    return std::holds_alternative<cdc::relation_message>(message) || std::holds_alternative<cdc::type_message>(message);
}

}  // namespace

reader::reader(std::filesystem::path dir, pg::lsn applied) : dir_(std::move(dir)), cursor_(dir_) { find_cut(applied); }

/// A first pass up to the first commit above `applied`: where the cut is, and which streamed
/// transactions ended before it. Commit end LSNs grow along the spool, so it stops there.
void reader::find_cut(pg::lsn applied) {
    auto segments = list_segments(dir_);
    if (!segments.empty() && segments.front().after > applied)
        throw error("the spool in " + dir_.string() + " starts after " + segments.front().after.to_string() +
                        " but the target has applied changes only through " + applied.to_string(),
                    "the changes in between are gone: start the migration again from a new snapshot");
    record_cursor cursor(dir_);
    stream_position position;
    std::set<cdc::xid_t> aborted_since_cut;
    while (auto bytes = cursor.next()) {
        auto change = parse_entry(*bytes, scratch_);
        if (!change) throw damaged_segment(cursor.path(), cursor.place().frame_start);
        auto step = position.advance(change->message);
        if (!step.committed) {
            if (step.stream_finished) aborted_since_cut.insert(*step.streamed_xid);
            continue;
        }
        if (*step.committed > applied) break;
        cut_ = cursor.place();
        if (step.stream_finished) streams_ended_.insert(*step.streamed_xid);
        streams_ended_.merge(aborted_since_cut);
        aborted_since_cut.clear();
    }
}

std::optional<entry> reader::next() {
    while (auto bytes = cursor_.next()) {
        auto change = parse_entry(*bytes, scratch_);
        if (!change) throw damaged_segment(cursor_.path(), cursor_.place().frame_start);
        bool in_block = position_.stream_block().has_value();
        auto step = position_.advance(change->message);
        bool before_cut = cut_ && cursor_.place() <= *cut_;
        if (before_cut && !wanted_before_cut(change->message, step)) continue;
        if (!in_block && is_schema(change->message) && already_known(change->message) &&
            (before_cut || scratch_.preamble()))
            continue;
        return change;
    }
    return std::nullopt;
}

bool reader::wanted_before_cut(const cdc::message& message, const stream_step& step) const {
    if (step.streamed_xid) return !streams_ended_.contains(*step.streamed_xid);
    return is_schema(message);
}

/// Whether the Relation or Type is what was delivered last for its table or type; remembers it.
bool reader::already_known(const cdc::message& message) {
    if (const auto* relation = std::get_if<cdc::relation_message>(&message)) {
        auto [it, added] = relations_.try_emplace(relation->relid, *relation);
        if (added || it->second == *relation) return !added;
        it->second = *relation;
        return false;
    }
    const auto& type = std::get<cdc::type_message>(message);
    auto [it, added] = types_.try_emplace(type.type_oid, type);
    if (added || it->second == type) return !added;
    it->second = type;
    return false;
}

}  // namespace pghandoff::spool
