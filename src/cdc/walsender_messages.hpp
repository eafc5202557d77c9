#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>
#include <variant>

#include "cdc/messages.hpp"
#include "cdc/wire_reader.hpp"
#include "pg/lsn.hpp"

// The CopyBoth payloads of a START_REPLICATION stream: PostgreSQL documentation, "Streaming
// Replication Protocol", and protocol-notes.md section A.

namespace pghandoff::cdc {

/// 'w' XLogData: one pgoutput message and the WAL positions around it.
struct xlog_data {
    pg::lsn data_start;  ///< 0 for pieces that are not the last write of a change (Relation, Type)
    pg::lsn wal_end;
    pg_timestamp send_time = 0;
    std::string_view payload;  ///< the pgoutput message; a view into the CopyData buffer
    bool operator==(const xlog_data&) const = default;
};

/// 'k' primary keepalive.
struct primary_keepalive {
    pg::lsn wal_end;
    pg_timestamp send_time = 0;
    bool reply_requested = false;  ///< answer with a status update now or be dropped
    bool operator==(const primary_keepalive&) const = default;
};

/// A payload of a kind this client does not know (newer servers add some); safe to skip.
struct unknown_walsender_message {
    char kind = 0;
    bool operator==(const unknown_walsender_message&) const = default;
};

using walsender_message = std::variant<xlog_data, primary_keepalive, unknown_walsender_message>;

/// Decodes one CopyData payload received from a walsender. Bytes after a keepalive's last
/// field are ignored (nothing depends on them); a short 'w' or 'k' is a decode_error.
std::variant<walsender_message, decode_error> decode_walsender_message(std::string_view copy_data);

/// What a standby status update reports: LSNs just past the last byte written, flushed, applied.
struct standby_status {
    pg::lsn write;
    pg::lsn flush;  ///< the only position that moves the slot
    pg::lsn apply;
    pg_timestamp client_time = 0;
    bool reply_requested = false;  ///< ask the server for an immediate keepalive
};

inline constexpr std::size_t standby_status_update_size = 34;

/// The 'r' CopyData payload for `status`, ready for PQputCopyData.
std::array<char, standby_status_update_size> encode_standby_status_update(const standby_status& status);

/// Microseconds, on the system clock.
using unix_time = std::chrono::sys_time<std::chrono::microseconds>;

/// Seconds from the Unix epoch (1970-01-01) to PostgreSQL's (2000-01-01), both UTC.
inline constexpr std::int64_t pg_epoch_unix_seconds = 946'684'800;

/// PostgreSQL's form of a time; saturates at the ends of the range instead of overflowing.
pg_timestamp to_pg_timestamp(unix_time time);
/// The system-clock form of a PostgreSQL time; saturates like to_pg_timestamp.
unix_time from_pg_timestamp(pg_timestamp timestamp);
/// Now, as PostgreSQL's timestamp (for the client time of status updates).
pg_timestamp pg_timestamp_now();

}  // namespace pghandoff::cdc
