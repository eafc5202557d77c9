#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <nlohmann/json.hpp>

namespace pghandoff::cutover {

/// The control socket of a running `pghandoff migrate`: a Unix socket in the state directory.
/// Only the OS user who owns the state directory may use it: the directory is 0700, and every
/// connection's peer credentials (SO_PEERCRED) are checked against the directory's owner.
///
/// Protocol: the client sends one JSON object on one line (a request such as
/// {"command":"cutover"}); the server answers with JSON lines until it closes the connection.
std::filesystem::path control_socket_path(const std::filesystem::path& state_dir);

/// One accepted connection: the request and a way to answer it line by line.
class control_session {
public:
    explicit control_session(boost::asio::local::stream_protocol::socket socket) : socket_(std::move(socket)) {}
    /// Sends one JSON line; a client that went away is ignored (the operation goes on).
    boost::asio::awaitable<void> send(nlohmann::json line);
    bool connected() const { return connected_; }
    /// Waits until the client closes its end (or anything else it sends arrives).
    boost::asio::awaitable<void> wait_closed();
    /// The client's next request line as JSON; nullopt when it closed the connection or sent
    /// something that is not JSON.
    boost::asio::awaitable<std::optional<nlohmann::json>> read_json();

private:
    friend class control_server;
    boost::asio::local::stream_protocol::socket socket_;
    std::string pending_;  ///< received, not yet a whole line
    bool connected_ = true;
};

class control_server {
public:
    using handler = std::function<boost::asio::awaitable<void>(nlohmann::json, std::shared_ptr<control_session>)>;

    /// Binds the socket (replacing a stale one; refusing when another migrate answers on it).
    control_server(boost::asio::any_io_executor executor, std::filesystem::path state_dir, handler on_request);
    ~control_server();
    control_server(const control_server&) = delete;
    control_server& operator=(const control_server&) = delete;

    /// Accepts connections until close(); each request runs in its own coroutine.
    boost::asio::awaitable<void> serve();
    /// Stops accepting and removes the socket file.
    void close();

private:
    boost::asio::awaitable<void> handle(boost::asio::local::stream_protocol::socket socket);

    std::filesystem::path path_;
    uid_t owner_ = 0;
    handler on_request_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    bool closed_ = false;
};

/// A client connection kept open: requests and answers as JSON lines. Throws pghandoff::error
/// like control_request when nothing listens.
class control_client {
public:
    explicit control_client(const std::filesystem::path& state_dir);
    ~control_client();
    control_client(const control_client&) = delete;
    control_client& operator=(const control_client&) = delete;
    void send(const nlohmann::json& request);
    /// The next JSON line; nullopt when the server closed the connection.
    std::optional<nlohmann::json> read_line();

private:
    int fd_ = -1;
    std::string pending_;
};

/// Client side: sends `request` to the migrate running in `state_dir` and calls `on_line` for
/// every JSON line of its answer, until the server closes. Throws pghandoff::error when nothing
/// listens there (no migrate running) or the socket cannot be used.
void control_request(const std::filesystem::path& state_dir, const nlohmann::json& request,
                     const std::function<void(const nlohmann::json&)>& on_line);

/// Whether a migrate answers on the state directory's control socket.
bool control_listening(const std::filesystem::path& state_dir);

}  // namespace pghandoff::cutover
