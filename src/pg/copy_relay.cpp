#include "pg/copy_relay.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "util/error.hpp"

namespace pghandoff::pg {

namespace {

/// Rows are gathered into one CopyData message of about this size: COPY FROM STDIN treats its
/// input as a byte stream, so message boundaries need not fall between rows. One message per
/// batch instead of one per row saves the target a message round of work per row and this
/// process a libpq call and a socket wake-up per row.
constexpr std::size_t batch_bytes = 128 * 1024;

/// The target's side of a relay: rows gathered into CopyData messages of about batch_bytes,
/// one message filling while the one before it drains.
///
/// On a plain socket (no TLS, no GSSAPI encryption) a message is written straight from its own
/// buffer: libpq would copy it into its output buffer and move the unsent rest to the front
/// after every partial send, which cost more CPU than the rows' own copying. libpq's output
/// buffer is empty the whole time and only whole messages are written, so what libpq sends
/// next (CopyDone) follows a complete message (protocol: "COPY Operations", CopyData 'd').
class copy_in_stream {
public:
    explicit copy_in_stream(connection& to) : to_(to), direct_(to.plain_socket()) {
        filling_.reserve(batch_bytes + 8192);
        sending_.reserve(batch_bytes + 8192);
        start_message();
    }

    void append(const char* data, std::size_t size) { filling_.append(data, size); }
    std::size_t gathered() const { return filling_.size() - header_size(); }

    /// Waits until the previous message is out, then starts sending the gathered rows.
    boost::asio::awaitable<void> send_gathered() {
        if (gathered() == 0) co_return;
        co_await finish_sending();
        if (!direct_) {
            co_await put_through_libpq();
            co_return;
        }
        const auto length = static_cast<std::uint32_t>(filling_.size() - 1);
        filling_[0] = 'd';
        for (int i = 0; i < 4; ++i) filling_[1 + i] = static_cast<char>((length >> (24 - 8 * i)) & 0xff);
        std::swap(filling_, sending_);
        sent_ = 0;
        start_message();
        write_some();
    }

    /// Sends everything gathered and waits until the socket took it.
    boost::asio::awaitable<void> drain() {
        co_await send_gathered();
        co_await finish_sending();
    }

private:
    std::size_t header_size() const { return direct_ ? 5 : 0; }
    void start_message() { filling_.assign(header_size(), '\0'); }

    boost::asio::awaitable<void> finish_sending() {
        if (!direct_ || !libpq_flushed_) {
            co_await to_.flush();  // also makes sure nothing of libpq's precedes a direct write
            libpq_flushed_ = true;
        }
        if (direct_)
            while (!write_some()) co_await to_.wait_writable();
    }

    /// Writes what the socket takes now; true once the message is all out.
    bool write_some() {
        const int fd = PQsocket(to_.native());
        while (sent_ < sending_.size()) {
            const ssize_t n = ::send(fd, sending_.data() + sent_, sending_.size() - sent_, MSG_NOSIGNAL);
            if (n > 0) {
                sent_ += static_cast<std::size_t>(n);
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                return false;
            } else {
                throw error(to_.label() + ": connection lost during COPY: " + std::strerror(n < 0 ? errno : EPIPE));
            }
        }
        return true;
    }

    boost::asio::awaitable<void> put_through_libpq() {
        for (;;) {
            int rc = PQputCopyData(to_.native(), filling_.data(), static_cast<int>(filling_.size()));
            if (rc == 1) break;
            if (rc < 0) throw error(to_.label() + ": COPY failed while sending: " + to_.last_error());
            co_await to_.flush();
        }
        filling_.clear();
        if (PQflush(to_.native()) < 0) throw error(to_.label() + ": connection lost during COPY: " + to_.last_error());
    }

    connection& to_;
    const bool direct_;
    bool libpq_flushed_ = false;
    std::string filling_;
    std::string sending_;
    std::size_t sent_ = 0;
};

}  // namespace

boost::asio::awaitable<copy_totals> relay_copy(connection& from, connection& to, copy_counters& counters) {
    copy_in_stream target(to);
    bool read_ahead = false;
    for (;;) {
        char* raw = nullptr;
        int size = PQgetCopyData(from.native(), &raw, 1);
        if (size > 0) {
            read_ahead = false;
            buffer_ptr message(raw);
            target.append(message.get(), static_cast<std::size_t>(size));
            ++counters.messages;
            counters.bytes += static_cast<std::uint64_t>(size);
            if (target.gathered() >= batch_bytes) co_await target.send_gathered();
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
        co_await target.send_gathered();
        co_await from.receive();
    }
    co_await target.drain();

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
