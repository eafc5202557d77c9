#include "cdc/walsender_messages.hpp"

#include <limits>

namespace pghandoff::cdc {

namespace {

constexpr std::int64_t pg_epoch_unix_micros = pg_epoch_unix_seconds * 1'000'000;

xlog_data read_xlog_data(wire_reader& in) {
    xlog_data m;
    m.data_start = pg::lsn(in.u64("XLogData start LSN"));
    m.wal_end = pg::lsn(in.u64("XLogData WAL end"));
    m.send_time = in.i64("XLogData send time");
    m.payload = in.bytes(in.remaining(), "XLogData payload");
    return m;
}

primary_keepalive read_keepalive(wire_reader& in) {
    primary_keepalive m;
    m.wal_end = pg::lsn(in.u64("keepalive WAL end"));
    m.send_time = in.i64("keepalive send time");
    m.reply_requested = in.u8("keepalive reply-requested flag") != 0;
    return m;
}

/// Shifts by an offset, clamping to the int64 range instead of overflowing.
std::int64_t saturating_add(std::int64_t value, std::int64_t offset) {
    std::int64_t sum = 0;
    if (!__builtin_add_overflow(value, offset, &sum)) return sum;
    return offset > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

void store_be64(char* out, std::uint64_t value) {
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<char>(value & 0xff);
        value >>= 8;
    }
}

}  // namespace

std::variant<walsender_message, decode_error> decode_walsender_message(std::string_view copy_data) {
    if (copy_data.empty()) return decode_error{"empty walsender message", 0};
    wire_reader in(copy_data);
    auto kind = static_cast<char>(in.u8("message kind"));
    walsender_message decoded;
    switch (kind) {
        case 'w': decoded = read_xlog_data(in); break;
        case 'k': decoded = read_keepalive(in); break;
        default: return walsender_message{unknown_walsender_message{kind}};
    }
    if (in.failed()) return *in.failure();
    return decoded;
}

std::array<char, standby_status_update_size> encode_standby_status_update(const standby_status& status) {
    std::array<char, standby_status_update_size> out{};
    out[0] = 'r';
    store_be64(&out[1], status.write.value());
    store_be64(&out[9], status.flush.value());
    store_be64(&out[17], status.apply.value());
    store_be64(&out[25], static_cast<std::uint64_t>(status.client_time));
    out[33] = status.reply_requested ? 1 : 0;
    return out;
}

pg_timestamp to_pg_timestamp(unix_time time) {
    return saturating_add(time.time_since_epoch().count(), -pg_epoch_unix_micros);
}

unix_time from_pg_timestamp(pg_timestamp timestamp) {
    return unix_time(std::chrono::microseconds(saturating_add(timestamp, pg_epoch_unix_micros)));
}

pg_timestamp pg_timestamp_now() {
    return to_pg_timestamp(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

}  // namespace pghandoff::cdc
