#include "pg/copy_relay.hpp"

#include "util/error.hpp"

namespace pghandoff::pg {

namespace {

/// Queues one CopyData message on the target; returns false when libpq asks us to wait.
bool put(connection& to, const char* data, int size) {
    int rc = PQputCopyData(to.native(), data, size);
    if (rc < 0) throw error(to.label() + ": COPY failed while sending: " + to.last_error());
    return rc == 1;
}

}  // namespace

boost::asio::awaitable<copy_totals> relay_copy(connection& from, connection& to, copy_counters& counters) {
    for (;;) {
        char* raw = nullptr;
        int size = PQgetCopyData(from.native(), &raw, 1);
        if (size > 0) {
            buffer_ptr message(raw);
            while (!put(to, message.get(), size)) co_await to.flush();
            ++counters.messages;
            counters.bytes += static_cast<std::uint64_t>(size);
            continue;
        }
        if (size == -1) break;  // COPY OUT done
        if (size == -2) throw error(from.label() + ": COPY failed while reading: " + from.last_error());
        // Nothing complete in the input buffer: push what the target has, then read more.
        int pending = PQflush(to.native());
        if (pending < 0) throw error(to.label() + ": connection lost during COPY: " + to.last_error());
        if (pending == 1) co_await to.flush();
        co_await from.receive();
    }

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
