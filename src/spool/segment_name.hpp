#pragma once
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "pg/lsn.hpp"

namespace pghandoff::spool {

/// Every segment file starts with these bytes (the format's version is in the last two).
constexpr std::string_view segment_magic = "PGHSPL01";

/// A segment file, `<after as 16 hex digits>-<sequence>.seg`. `after` is the end LSN of the last
/// transaction committed before the segment's first record: everything in the segment is still
/// needed by an applier that has applied no more than that. Sequence numbers order the segments.
struct segment_id {
    std::uint64_t sequence = 0;
    pg::lsn after;
    std::filesystem::path path;
};

std::filesystem::path segment_path(const std::filesystem::path& dir, std::uint64_t sequence, pg::lsn after);

/// The segments in `dir`, in sequence order; other files are ignored.
std::vector<segment_id> list_segments(const std::filesystem::path& dir);

}  // namespace pghandoff::spool
