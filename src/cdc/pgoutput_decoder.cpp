#include "cdc/pgoutput_decoder.hpp"

#include <algorithm>

#include <fmt/format.h>

// Layouts: PostgreSQL documentation, "Logical Replication Message Formats", and
// protocol-notes.md section B.

namespace pghandoff::cdc {

namespace {

/// 'Z' (0x5a) for a printable byte, 0x05 for another.
std::string describe_byte(char byte) {
    auto value = static_cast<unsigned char>(byte);
    if (value >= 0x20 && value < 0x7f) return fmt::format("'{}' (0x{:02x})", byte, value);
    return fmt::format("0x{:02x}", value);
}

std::optional<xid_t> stream_xid(wire_reader& in, bool in_stream) {
    if (!in_stream) return std::nullopt;
    return in.u32("xid");
}

pg::lsn read_lsn(wire_reader& in, std::string_view what) { return pg::lsn(in.u64(what)); }

column_value read_column(wire_reader& in) {
    auto at = in.offset();
    auto kind = in.u8("tuple column kind");
    switch (kind) {
        case 'n': return {column_kind::null, {}};
        case 'u': return {column_kind::unchanged_toast, {}};
        case 't':
        case 'b': {
            auto length_at = in.offset();
            auto length = in.i32("tuple column length");
            if (length < 0) in.fail(fmt::format("negative tuple column length {}", length), length_at);
            auto value = in.bytes(length < 0 ? 0 : static_cast<std::size_t>(length), "tuple column value");
            return {kind == 't' ? column_kind::text : column_kind::binary, std::string(value)};
        }
        default:
            if (!in.failed()) in.fail("unknown tuple column kind " + describe_byte(static_cast<char>(kind)), at);
            return {};
    }
}

tuple_data read_tuple(wire_reader& in) {
    auto count = in.u16("tuple column count");
    tuple_data tuple;
    tuple.reserve(std::min<std::size_t>(count, in.remaining()));  // each column takes a byte at least
    for (std::uint16_t i = 0; i < count && !in.failed(); ++i) tuple.push_back(read_column(in));
    return tuple;
}

/// Reads a tuple marker byte and checks it is one of `allowed`; returns 0 after a failure.
char read_marker(wire_reader& in, std::string_view allowed, std::string_view what) {
    auto at = in.offset();
    auto marker = static_cast<char>(in.u8(what));
    if (in.failed()) return 0;
    if (allowed.find(marker) == std::string_view::npos) {
        in.fail(fmt::format("{} is {}, expected one of '{}'", what, describe_byte(marker), allowed), at);
        return 0;
    }
    return marker;
}

begin_message read_begin(wire_reader& in) {
    begin_message m;
    m.final_lsn = read_lsn(in, "final LSN");
    m.commit_time = in.i64("commit time");
    m.xid = in.u32("xid");
    return m;
}

commit_message read_commit(wire_reader& in) {
    commit_message m;
    m.flags = in.u8("flags");
    m.commit_lsn = read_lsn(in, "commit LSN");
    m.end_lsn = read_lsn(in, "end LSN");
    m.commit_time = in.i64("commit time");
    return m;
}

origin_message read_origin(wire_reader& in) {
    origin_message m;
    m.origin_lsn = read_lsn(in, "origin LSN");
    m.name = in.cstring("origin name");
    return m;
}

relation_column read_relation_column(wire_reader& in) {
    relation_column c;
    c.key = (in.u8("column flags") & 1) != 0;
    c.name = in.cstring("column name");
    c.type_oid = in.u32("column type OID");
    c.type_modifier = in.i32("column type modifier");
    return c;
}

relation_message read_relation(wire_reader& in, bool in_stream) {
    relation_message m;
    m.xid = stream_xid(in, in_stream);
    m.relid = in.u32("relation OID");
    m.schema = in.cstring("namespace");
    m.name = in.cstring("relation name");
    m.replica_identity = static_cast<char>(in.u8("replica identity"));
    auto count = in.u16("column count");
    m.columns.reserve(std::min<std::size_t>(count, in.remaining() / 10));  // 10 bytes per column at least
    for (std::uint16_t i = 0; i < count && !in.failed(); ++i) m.columns.push_back(read_relation_column(in));
    return m;
}

type_message read_type(wire_reader& in, bool in_stream) {
    type_message m;
    m.xid = stream_xid(in, in_stream);
    m.type_oid = in.u32("type OID");
    m.schema = in.cstring("namespace");
    m.name = in.cstring("type name");
    return m;
}

insert_message read_insert(wire_reader& in, bool in_stream) {
    insert_message m;
    m.xid = stream_xid(in, in_stream);
    m.relid = in.u32("relation OID");
    read_marker(in, "N", "new tuple marker");
    m.new_tuple = read_tuple(in);
    return m;
}

update_message read_update(wire_reader& in, bool in_stream) {
    update_message m;
    m.xid = stream_xid(in, in_stream);
    m.relid = in.u32("relation OID");
    auto marker = read_marker(in, "KON", "tuple marker");
    if (marker == 'K' || marker == 'O') {
        m.old_kind = marker;
        m.old_tuple = read_tuple(in);
        read_marker(in, "N", "new tuple marker");
    }
    m.new_tuple = read_tuple(in);
    return m;
}

delete_message read_delete(wire_reader& in, bool in_stream) {
    delete_message m;
    m.xid = stream_xid(in, in_stream);
    m.relid = in.u32("relation OID");
    m.old_kind = read_marker(in, "KO", "old tuple marker");
    m.old_tuple = read_tuple(in);
    return m;
}

truncate_message read_truncate(wire_reader& in, bool in_stream) {
    truncate_message m;
    m.xid = stream_xid(in, in_stream);
    auto count = in.u32("relation count");
    auto options = in.u8("options");
    m.cascade = (options & 1) != 0;
    m.restart_identity = (options & 2) != 0;
    m.relids.reserve(std::min<std::size_t>(count, in.remaining() / 4));
    for (std::uint32_t i = 0; i < count && !in.failed(); ++i) m.relids.push_back(in.u32("relation OID"));
    return m;
}

logical_message read_logical_message(wire_reader& in, bool in_stream) {
    logical_message m;
    m.xid = stream_xid(in, in_stream);
    m.transactional = (in.u8("flags") & 1) != 0;
    m.lsn = read_lsn(in, "message LSN");
    m.prefix = in.cstring("prefix");
    auto length_at = in.offset();
    auto length = in.i32("content length");
    if (length < 0 && !in.failed()) in.fail(fmt::format("negative content length {}", length), length_at);
    m.content = in.bytes(length < 0 ? 0 : static_cast<std::size_t>(length), "content");
    return m;
}

stream_start_message read_stream_start(wire_reader& in) {
    stream_start_message m;
    m.xid = in.u32("xid");
    m.first_segment = in.u8("first segment flag") == 1;
    return m;
}

stream_commit_message read_stream_commit(wire_reader& in) {
    stream_commit_message m;
    m.xid = in.u32("xid");
    m.flags = in.u8("flags");
    m.commit_lsn = read_lsn(in, "commit LSN");
    m.end_lsn = read_lsn(in, "end LSN");
    m.commit_time = in.i64("commit time");
    return m;
}

stream_abort_message read_stream_abort(wire_reader& in) {
    stream_abort_message m;
    m.xid = in.u32("xid");
    m.subxid = in.u32("subtransaction xid");
    if (in.remaining() == 0) return m;  // without streaming=parallel: no abort LSN and time
    m.abort_lsn = read_lsn(in, "abort LSN");
    m.abort_time = in.i64("abort time");
    return m;
}

/// Decodes the body of a message of a known kind; nullopt for kinds this decoder does not know.
std::optional<message> read_body(char kind, wire_reader& in, bool in_stream) {
    switch (kind) {
        case 'B': return read_begin(in);
        case 'C': return read_commit(in);
        case 'O': return read_origin(in);
        case 'R': return read_relation(in, in_stream);
        case 'Y': return read_type(in, in_stream);
        case 'I': return read_insert(in, in_stream);
        case 'U': return read_update(in, in_stream);
        case 'D': return read_delete(in, in_stream);
        case 'T': return read_truncate(in, in_stream);
        case 'M': return read_logical_message(in, in_stream);
        case 'S': return read_stream_start(in);
        case 'E': return stream_stop_message{};
        case 'c': return read_stream_commit(in);
        case 'A': return read_stream_abort(in);
        default: return std::nullopt;
    }
}

std::string_view kind_name(char kind) {
    switch (kind) {
        case 'B': return "Begin";
        case 'C': return "Commit";
        case 'O': return "Origin";
        case 'R': return "Relation";
        case 'Y': return "Type";
        case 'I': return "Insert";
        case 'U': return "Update";
        case 'D': return "Delete";
        case 'T': return "Truncate";
        case 'M': return "Message";
        case 'S': return "Stream Start";
        case 'E': return "Stream Stop";
        case 'c': return "Stream Commit";
        case 'A': return "Stream Abort";
        default: return "unknown";
    }
}

bool is_two_phase_kind(char kind) { return std::string_view("bPKrp").find(kind) != std::string_view::npos; }

}  // namespace

std::variant<message, decode_error> decode_pgoutput(std::string_view payload, bool in_stream) {
    if (payload.empty()) return decode_error{"empty pgoutput message", 0};
    auto kind = payload.front();
    if (is_two_phase_kind(kind)) return decode_error{"two-phase messages are not supported", 0};

    wire_reader in(payload);
    in.u8("message kind");
    auto decoded = read_body(kind, in, in_stream);
    if (!decoded) return decode_error{"unknown pgoutput message kind " + describe_byte(kind), 0};
    in.expect_end("the message");
    if (in.failed()) {
        const auto& failure = *in.failure();
        return decode_error{fmt::format("{} message: {}", kind_name(kind), failure.what), failure.offset};
    }
    return std::move(*decoded);
}

}  // namespace pghandoff::cdc
