#include "pg/copy_relay.hpp"

#include <string>

#include "util/error.hpp"

namespace pghandoff::pg {

namespace {

/// Rows are gathered into one CopyData message of about this size: COPY FROM STDIN treats its
/// input as a byte stream, so message boundaries need not fall between rows. One message per
/// batch instead of one per row saves the target a message round of work per row and this
/// process a libpq call and a socket wake-up per row.
constexpr std::size_t batch_bytes = 128 * 1024;

/// Hands the batch to libpq once its output buffer is empty (libpq moves its unsent bytes to the
/// front of the buffer after each partial send, so a buffer kept large would be moved again and
/// again), then starts sending it without waiting for the socket.
boost::asio::awaitable<void> send_batch(connection& to, std::string& batch) {
    if (batch.empty()) co_return;
    co_await to.flush();
    for (;;) {
        int rc = PQputCopyData(to.native(), batch.data(), static_cast<int>(batch.size()));
        if (rc == 1) break;
        if (rc < 0) throw error(to.label() + ": COPY failed while sending: " + to.last_error());
        co_await to.flush();
    }
    batch.clear();
    if (PQflush(to.native()) < 0) throw error(to.label() + ": connection lost during COPY: " + to.last_error());
}

}  // namespace

boost::asio::awaitable<copy_totals> relay_copy(connection& from, connection& to, copy_counters& counters) {
    std::string batch;
    batch.reserve(batch_bytes + 8192);
    bool read_ahead = false;
    for (;;) {
        char* raw = nullptr;
        int size = PQgetCopyData(from.native(), &raw, 1);
        if (size > 0) {
            read_ahead = false;
            buffer_ptr message(raw);
            batch.append(message.get(), static_cast<std::size_t>(size));
            ++counters.messages;
            counters.bytes += static_cast<std::uint64_t>(size);
            if (batch.size() >= batch_bytes) co_await send_batch(to, batch);
            continue;
        }
        if (size == -1) break;  // COPY OUT done
        if (size == -2) throw error(from.label() + ": COPY failed while reading: " + from.last_error());
        // Nothing complete in libpq's input buffer (it reads at most 16 kB at a time). Read
        // once more without waiting first: while the source is ahead its bytes are already in
        // the socket, and a batch keeps growing without a wait in the event loop per read.
        if (!read_ahead) {
            if (!PQconsumeInput(from.native())) throw error(from.label() + ": connection lost: " + from.last_error());
            read_ahead = true;
            continue;
        }
        // Still nothing: the source is the slower side now. The target gets what has been
        // gathered so far, then wait for more.
        read_ahead = false;
        co_await send_batch(to, batch);
        co_await from.receive();
    }
    co_await send_batch(to, batch);

    copy_totals totals;
    totals.bytes = counters.bytes;
    auto source_done = co_await from.finish_command();
    totals.rows = source_done.affected();

    for (;;) {
        int rc = PQputCopyEnd(to.native(), nullptr);
        if (rc == 1) break;
        if (rc < 0) throw error(to.label() + ": COPY failed at its end: " + to.last_error());
        co_await to.flush();
    }
    co_await to.finish_command();
    co_return totals;
}

}  // namespace pghandoff::pg
