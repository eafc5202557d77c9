#include "spool/record_codec.hpp"

#include <variant>

namespace pghandoff::spool {
namespace {

// Characters travel as their byte value so that any char, signed or not, comes back unchanged.
std::uint32_t byte_of(char c) { return static_cast<unsigned char>(c); }
char char_of(std::uint32_t byte) { return static_cast<char>(static_cast<unsigned char>(byte)); }

column_kind to_wire(cdc::column_kind kind) {
    switch (kind) {
        case cdc::column_kind::null: return COLUMN_NULL;
        case cdc::column_kind::unchanged_toast: return COLUMN_UNCHANGED_TOAST;
        case cdc::column_kind::text: return COLUMN_TEXT;
        case cdc::column_kind::binary: return COLUMN_BINARY;
    }
    return COLUMN_NULL;
}

cdc::column_kind from_wire(column_kind kind) {
    switch (kind) {
        case COLUMN_UNCHANGED_TOAST: return cdc::column_kind::unchanged_toast;
        case COLUMN_TEXT: return cdc::column_kind::text;
        case COLUMN_BINARY: return cdc::column_kind::binary;
        default: return cdc::column_kind::null;
    }
}

void put_tuple(const cdc::tuple_data& in, tuple& out) {
    out.mutable_columns()->Reserve(static_cast<int>(in.size()));
    for (const auto& value : in) {
        auto& column = *out.add_columns();
        column.set_kind(to_wire(value.kind));
        if (!value.data.empty()) column.set_data(value.data);
    }
}

cdc::tuple_data take_tuple(const tuple& in) {
    cdc::tuple_data out;
    out.reserve(static_cast<std::size_t>(in.columns_size()));
    for (const auto& column : in.columns()) out.push_back({from_wire(column.kind()), column.data()});
    return out;
}

template <typename Wire>
void put_xid(const std::optional<cdc::xid_t>& xid, Wire& out) {
    if (xid) out.set_xid(*xid);
}

template <typename Wire>
std::optional<cdc::xid_t> take_xid(const Wire& in) {
    return in.has_xid() ? std::optional<cdc::xid_t>(in.xid()) : std::nullopt;
}

void put(const cdc::begin_message& m, record& r) {
    auto& out = *r.mutable_begin();
    out.set_final_lsn(m.final_lsn.value());
    out.set_commit_time(m.commit_time);
    out.set_xid(m.xid);
}

void put(const cdc::commit_message& m, record& r) {
    auto& out = *r.mutable_commit();
    out.set_flags(m.flags);
    out.set_commit_lsn(m.commit_lsn.value());
    out.set_end_lsn(m.end_lsn.value());
    out.set_commit_time(m.commit_time);
}

void put(const cdc::origin_message& m, record& r) {
    auto& out = *r.mutable_origin();
    out.set_origin_lsn(m.origin_lsn.value());
    out.set_name(m.name);
}

void put(const cdc::relation_message& m, record& r) {
    auto& out = *r.mutable_relation();
    put_xid(m.xid, out);
    out.set_relid(m.relid);
    out.set_schema(m.schema);
    out.set_name(m.name);
    out.set_replica_identity(byte_of(m.replica_identity));
    for (const auto& c : m.columns) {
        auto& column = *out.add_columns();
        column.set_key(c.key);
        column.set_name(c.name);
        column.set_type_oid(c.type_oid);
        column.set_type_modifier(c.type_modifier);
    }
}

void put(const cdc::type_message& m, record& r) {
    auto& out = *r.mutable_type();
    put_xid(m.xid, out);
    out.set_type_oid(m.type_oid);
    out.set_schema(m.schema);
    out.set_name(m.name);
}

void put(const cdc::insert_message& m, record& r) {
    auto& out = *r.mutable_insert();
    put_xid(m.xid, out);
    out.set_relid(m.relid);
    put_tuple(m.new_tuple, *out.mutable_new_tuple());
}

void put(const cdc::update_message& m, record& r) {
    auto& out = *r.mutable_update();
    put_xid(m.xid, out);
    out.set_relid(m.relid);
    out.set_old_kind(byte_of(m.old_kind));
    if (!m.old_tuple.empty()) put_tuple(m.old_tuple, *out.mutable_old_tuple());
    put_tuple(m.new_tuple, *out.mutable_new_tuple());
}

void put(const cdc::delete_message& m, record& r) {
    auto& out = *r.mutable_delete_();
    put_xid(m.xid, out);
    out.set_relid(m.relid);
    out.set_old_kind(byte_of(m.old_kind));
    put_tuple(m.old_tuple, *out.mutable_old_tuple());
}

void put(const cdc::truncate_message& m, record& r) {
    auto& out = *r.mutable_truncate();
    put_xid(m.xid, out);
    out.set_cascade(m.cascade);
    out.set_restart_identity(m.restart_identity);
    for (auto relid : m.relids) out.add_relids(relid);
}

void put(const cdc::logical_message& m, record& r) {
    auto& out = *r.mutable_logical();
    put_xid(m.xid, out);
    out.set_transactional(m.transactional);
    out.set_lsn(m.lsn.value());
    out.set_prefix(m.prefix);
    out.set_content(m.content);
}

void put(const cdc::stream_start_message& m, record& r) {
    auto& out = *r.mutable_stream_start();
    out.set_xid(m.xid);
    out.set_first_segment(m.first_segment);
}

void put(const cdc::stream_stop_message&, record& r) { r.mutable_stream_stop(); }

void put(const cdc::stream_commit_message& m, record& r) {
    auto& out = *r.mutable_stream_commit();
    out.set_xid(m.xid);
    out.set_flags(m.flags);
    out.set_commit_lsn(m.commit_lsn.value());
    out.set_end_lsn(m.end_lsn.value());
    out.set_commit_time(m.commit_time);
}

void put(const cdc::stream_abort_message& m, record& r) {
    auto& out = *r.mutable_stream_abort();
    out.set_xid(m.xid);
    out.set_subxid(m.subxid);
    if (m.abort_lsn) out.set_abort_lsn(m.abort_lsn->value());
    if (m.abort_time) out.set_abort_time(*m.abort_time);
}

cdc::relation_message take(const relation_record& in) {
    cdc::relation_message m{take_xid(in), in.relid(), in.schema(), in.name(), char_of(in.replica_identity()), {}};
    m.columns.reserve(static_cast<std::size_t>(in.columns_size()));
    for (const auto& c : in.columns()) m.columns.push_back({c.key(), c.name(), c.type_oid(), c.type_modifier()});
    return m;
}

cdc::stream_abort_message take(const stream_abort_record& in) {
    cdc::stream_abort_message m{in.xid(), in.subxid(), std::nullopt, std::nullopt};
    if (in.has_abort_lsn()) m.abort_lsn = pg::lsn(in.abort_lsn());
    if (in.has_abort_time()) m.abort_time = in.abort_time();
    return m;
}

std::optional<cdc::message> take_body(const record& r) {
    switch (r.body_case()) {
        case record::kBegin: {
            const auto& in = r.begin();
            return cdc::begin_message{pg::lsn(in.final_lsn()), in.commit_time(), in.xid()};
        }
        case record::kCommit: {
            const auto& in = r.commit();
            return cdc::commit_message{static_cast<std::uint8_t>(in.flags()), pg::lsn(in.commit_lsn()),
                                       pg::lsn(in.end_lsn()), in.commit_time()};
        }
        case record::kOrigin: return cdc::origin_message{pg::lsn(r.origin().origin_lsn()), r.origin().name()};
        case record::kRelation: return take(r.relation());
        case record::kType: {
            const auto& in = r.type();
            return cdc::type_message{take_xid(in), in.type_oid(), in.schema(), in.name()};
        }
        case record::kInsert: {
            const auto& in = r.insert();
            return cdc::insert_message{take_xid(in), in.relid(), take_tuple(in.new_tuple())};
        }
        case record::kUpdate: {
            const auto& in = r.update();
            return cdc::update_message{take_xid(in), in.relid(), char_of(in.old_kind()), take_tuple(in.old_tuple()),
                                       take_tuple(in.new_tuple())};
        }
        case record::kDelete: {
            const auto& in = r.delete_();
            return cdc::delete_message{take_xid(in), in.relid(), char_of(in.old_kind()), take_tuple(in.old_tuple())};
        }
        case record::kTruncate: {
            const auto& in = r.truncate();
            return cdc::truncate_message{take_xid(in), in.cascade(), in.restart_identity(),
                                         {in.relids().begin(), in.relids().end()}};
        }
        case record::kLogical: {
            const auto& in = r.logical();
            return cdc::logical_message{take_xid(in), in.transactional(), pg::lsn(in.lsn()), in.prefix(), in.content()};
        }
        case record::kStreamStart: return cdc::stream_start_message{r.stream_start().xid(), r.stream_start().first_segment()};
        case record::kStreamStop: return cdc::stream_stop_message{};
        case record::kStreamCommit: {
            const auto& in = r.stream_commit();
            return cdc::stream_commit_message{in.xid(), static_cast<std::uint8_t>(in.flags()), pg::lsn(in.commit_lsn()),
                                              pg::lsn(in.end_lsn()), in.commit_time()};
        }
        case record::kStreamAbort: return take(r.stream_abort());
        case record::BODY_NOT_SET: break;
    }
    return std::nullopt;
}

}  // namespace

void encode_record(const entry& in, record& out) {
    out.Clear();
    out.set_lsn(in.lsn.value());
    std::visit([&out](const auto& message) { put(message, out); }, in.message);
}

std::optional<entry> decode_record(const record& in) {
    auto message = take_body(in);
    if (!message) return std::nullopt;
    return entry{pg::lsn(in.lsn()), std::move(*message)};
}

std::optional<entry> parse_entry(std::string_view bytes, record& scratch) {
    if (!scratch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
    return decode_record(scratch);
}

}  // namespace pghandoff::spool
