#pragma once
#include <string_view>
#include <variant>

#include "cdc/messages.hpp"
#include "cdc/wire_reader.hpp"

namespace pghandoff::cdc {

/// Decodes one pgoutput message (the payload of one XLogData), protocol versions 1 to 4.
///
/// `in_stream` is true between Stream Start and Stream Stop: there Relation, Type, Insert,
/// Update, Delete, Truncate and Message start with the (sub)transaction xid (protocol v2+).
///
/// Stream Abort carries the abort LSN and time only under streaming=parallel (v4). The decoder
/// tells the two forms apart by length (9 or 25 bytes): the payload is always one whole frame,
/// so this needs no option that could disagree with what was asked of the server.
///
/// Every malformed payload gives a decode_error: truncation (naming the field), unknown
/// message or column kinds, trailing bytes, and the two-phase kinds, which are not supported.
std::variant<message, decode_error> decode_pgoutput(std::string_view payload, bool in_stream);

}  // namespace pghandoff::cdc
