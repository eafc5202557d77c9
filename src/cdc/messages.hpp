#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pg/lsn.hpp"

namespace pghandoff::cdc {

/// A transaction id as pgoutput sends it.
using xid_t = std::uint32_t;
/// Microseconds since 2000-01-01 00:00 UTC (PostgreSQL's timestamp epoch).
using pg_timestamp = std::int64_t;

/// How one column of a tuple arrives (pgoutput TupleData).
enum class column_kind : std::uint8_t {
    null = 'n',
    unchanged_toast = 'u',  ///< keep the target's value: leave the column out of SET
    text = 't',
    binary = 'b',
};

struct column_value {
    column_kind kind = column_kind::null;
    std::string data;  ///< text or binary form; empty for null and unchanged_toast
    bool operator==(const column_value&) const = default;
};

using tuple_data = std::vector<column_value>;

struct relation_column {
    bool key = false;  ///< part of the replica identity
    std::string name;
    std::uint32_t type_oid = 0;
    std::int32_t type_modifier = -1;
    bool operator==(const relation_column&) const = default;
};

/// 'R': the shape of a table as the stream describes it now.
struct relation_message {
    std::optional<xid_t> xid;  ///< inside a streamed transaction (protocol v2+)
    std::uint32_t relid = 0;
    std::string schema;  ///< "" means pg_catalog
    std::string name;
    char replica_identity = 'd';  ///< d default, n nothing, f full, i index
    std::vector<relation_column> columns;
    bool operator==(const relation_message&) const = default;
};

/// 'Y': a user type referenced by a following relation.
struct type_message {
    std::optional<xid_t> xid;
    std::uint32_t type_oid = 0;
    std::string schema;
    std::string name;
    bool operator==(const type_message&) const = default;
};

/// 'B'
struct begin_message {
    pg::lsn final_lsn;  ///< LSN of the commit record
    pg_timestamp commit_time = 0;
    xid_t xid = 0;
    bool operator==(const begin_message&) const = default;
};

/// 'C'
struct commit_message {
    std::uint8_t flags = 0;
    pg::lsn commit_lsn;
    pg::lsn end_lsn;  ///< the position after the commit record: what the origin records
    pg_timestamp commit_time = 0;
    bool operator==(const commit_message&) const = default;
};

/// 'O': the transaction was applied by some replicator (it carries that origin).
struct origin_message {
    pg::lsn origin_lsn;
    std::string name;
    bool operator==(const origin_message&) const = default;
};

/// 'I'
struct insert_message {
    std::optional<xid_t> xid;
    std::uint32_t relid = 0;
    tuple_data new_tuple;
    bool operator==(const insert_message&) const = default;
};

/// 'U': old_kind is 'K' (key columns, others null), 'O' (whole old row, REPLICA IDENTITY FULL)
/// or 0 when no old tuple was sent (the key did not change).
struct update_message {
    std::optional<xid_t> xid;
    std::uint32_t relid = 0;
    char old_kind = 0;
    tuple_data old_tuple;
    tuple_data new_tuple;
    bool operator==(const update_message&) const = default;
};

/// 'D': old_kind is 'K' or 'O'.
struct delete_message {
    std::optional<xid_t> xid;
    std::uint32_t relid = 0;
    char old_kind = 'K';
    tuple_data old_tuple;
    bool operator==(const delete_message&) const = default;
};

/// 'T'
struct truncate_message {
    std::optional<xid_t> xid;
    bool cascade = false;
    bool restart_identity = false;
    std::vector<std::uint32_t> relids;
    bool operator==(const truncate_message&) const = default;
};

/// 'M': pg_logical_emit_message.
struct logical_message {
    std::optional<xid_t> xid;
    bool transactional = false;
    pg::lsn lsn;
    std::string prefix;
    std::string content;
    bool operator==(const logical_message&) const = default;
};

/// 'S'
struct stream_start_message {
    xid_t xid = 0;
    bool first_segment = false;
    bool operator==(const stream_start_message&) const = default;
};

/// 'E'
struct stream_stop_message {
    bool operator==(const stream_stop_message&) const = default;
};

/// 'c'
struct stream_commit_message {
    xid_t xid = 0;
    std::uint8_t flags = 0;
    pg::lsn commit_lsn;
    pg::lsn end_lsn;
    pg_timestamp commit_time = 0;
    bool operator==(const stream_commit_message&) const = default;
};

/// 'A': abort of a streamed (sub)transaction; xid != subxid drops only that subtransaction.
struct stream_abort_message {
    xid_t xid = 0;
    xid_t subxid = 0;
    std::optional<pg::lsn> abort_lsn;             ///< streaming=parallel (protocol v4) only
    std::optional<pg_timestamp> abort_time;
    bool operator==(const stream_abort_message&) const = default;
};

/// One decoded pgoutput message.
using message = std::variant<begin_message, commit_message, origin_message, relation_message, type_message,
                             insert_message, update_message, delete_message, truncate_message, logical_message,
                             stream_start_message, stream_stop_message, stream_commit_message, stream_abort_message>;

}  // namespace pghandoff::cdc
