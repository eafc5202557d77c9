#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "pg/conninfo.hpp"
#include "pg/handles.hpp"
#include "pg/result.hpp"

namespace pghandoff::pg {

namespace asio = boost::asio;

/// One non-blocking libpq connection driven by the Asio event loop. libpq owns the socket; the
/// stream_descriptor only waits on it and is released (never closed) before PQfinish.
class connection {
public:
    /// Connects asynchronously; throws pghandoff::error (password-free) on failure or timeout.
    static asio::awaitable<connection> connect(const conninfo& info, std::string label,
                                               std::chrono::seconds timeout = std::chrono::seconds(30));

    connection(connection&&) noexcept = default;
    connection& operator=(connection&& other) noexcept;
    ~connection();

    /// Runs SQL (one or several statements, simple protocol). Returns the last result, or the
    /// COPY_IN/COPY_OUT result when the statement starts a COPY. Throws on error after draining.
    asio::awaitable<result> exec(std::string sql);
    /// Runs one statement with text parameters (extended protocol).
    asio::awaitable<result> exec_params(std::string sql,
                                        std::vector<std::optional<std::string>> params);

    /// Waits until the socket is readable, then consumes the input.
    asio::awaitable<void> receive();
    /// Sends everything libpq has buffered, waiting for the socket to drain.
    asio::awaitable<void> flush();
    /// Waits until the socket can take more bytes, consuming any input meanwhile.
    asio::awaitable<void> wait_writable();
    /// True when the bytes on the socket are the protocol itself: no TLS, no GSSAPI encryption.
    bool plain_socket() const { return PQsslInUse(conn_.get()) == 0 && PQgssEncInUse(conn_.get()) == 0; }
    /// Collects results until the connection is idle; returns the last one; throws on error.
    asio::awaitable<result> finish_command();

    /// Cancels any wait on this connection's socket (the waiting operation throws).
    void interrupt() noexcept {
        boost::system::error_code ec;
        if (socket_.is_open()) socket_.cancel(ec);
    }

    /// PQescapeLiteral: a quoted SQL literal.
    std::string literal(std::string_view value) const;
    /// Closes the connection now (pending waits on its socket are cancelled first); the object
    /// stays, unusable, for whoever still holds a reference.
    void close() noexcept;

    int server_version() const { return PQserverVersion(conn_.get()); }
    const std::string& label() const { return label_; }
    PGconn* native() const { return conn_.get(); }
    /// The server's last connection-level error, trimmed.
    std::string last_error() const;
    /// Throws the error carried by a failed result (SQLSTATE, message, detail, hint).
    [[noreturn]] void raise(const PGresult* res) const;

private:
    connection(conn_ptr conn, asio::posix::stream_descriptor socket, std::string label)
        : conn_(std::move(conn)), socket_(std::move(socket)), label_(std::move(label)) {}
    void release_socket() noexcept;

    conn_ptr conn_;
    asio::posix::stream_descriptor socket_;
    std::string label_;
};

}  // namespace pghandoff::pg
