#pragma once
#include <optional>
#include <string_view>

#include "cdc/messages.hpp"
#include "pg/lsn.hpp"
#include "proto/spool.pb.h"

namespace pghandoff::spool {

/// One spooled change: a decoded message and the WAL position it arrived with.
struct entry {
    pg::lsn lsn;
    cdc::message message;
    bool operator==(const entry&) const = default;
};

/// Fills `out` (cleared first) with `in`; decode_record(out) gives `in` back exactly.
void encode_record(const entry& in, record& out);

/// The entry a record holds; nullopt when its body is missing or of an unknown kind.
std::optional<entry> decode_record(const record& in);

/// Parses a serialized record into `scratch` and decodes it; nullopt when either fails.
std::optional<entry> parse_entry(std::string_view bytes, record& scratch);

}  // namespace pghandoff::spool
