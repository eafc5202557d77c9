#include "cutover/control.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "util/error.hpp"

namespace pghandoff::cutover {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using local = asio::local::stream_protocol;

namespace {

/// An owned descriptor, closed when it goes.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~unique_fd() { reset(); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

constexpr std::size_t max_request_bytes = 64 * 1024;

/// A path a sockaddr_un can hold: the socket's own when short enough, else the same file
/// reached through /proc/self/fd/N of the directory, held open by `dir_fd` meanwhile.
std::string reachable_path(const fs::path& socket, unique_fd& dir_fd) {
    if (socket.native().size() < sizeof(sockaddr_un{}.sun_path) - 1) return socket.native();
    dir_fd = unique_fd(::open(socket.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd) throw error("cannot open the state directory " + socket.parent_path().string() + ": " + std::strerror(errno));
    return "/proc/self/fd/" + std::to_string(dir_fd.get()) + "/" + socket.filename().native();
}

uid_t owner_of(const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        throw error("cannot read the state directory " + dir.string() + ": " + std::strerror(errno));
    return st.st_uid;
}

}  // namespace

fs::path control_socket_path(const fs::path& state_dir) { return state_dir / "control.sock"; }

asio::awaitable<std::optional<nlohmann::json>> control_session::read_json() {
    char chunk[4096];
    for (;;) {
        if (const auto end = pending_.find('\n'); end != std::string::npos) {
            auto line = nlohmann::json::parse(pending_.substr(0, end), nullptr, false);
            pending_.erase(0, end + 1);
            if (line.is_discarded()) co_return std::nullopt;
            co_return line;
        }
        if (pending_.size() > max_request_bytes) co_return std::nullopt;
        boost::system::error_code ec;
        const std::size_t n =
            co_await socket_.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            connected_ = false;
            co_return std::nullopt;
        }
        pending_.append(chunk, n);
    }
}

asio::awaitable<void> control_session::wait_closed() {
    char byte[64];
    boost::system::error_code ec;
    co_await socket_.async_read_some(asio::buffer(byte), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) connected_ = false;
}

asio::awaitable<void> control_session::send(nlohmann::json line) {
    if (!connected_) co_return;
    auto text = std::make_shared<std::string>(line.dump() + "\n");
    boost::system::error_code ec;
    co_await asio::async_write(socket_, asio::buffer(*text), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) connected_ = false;
}

control_server::control_server(asio::any_io_executor executor, fs::path state_dir, handler on_request)
    : path_(control_socket_path(state_dir)), owner_(owner_of(state_dir)), on_request_(std::move(on_request)),
      acceptor_(executor) {
    if (control_listening(state_dir))
        throw error("another pghandoff migrate is running with the state directory " + state_dir.string(),
                    "stop it, or use another --state-dir");
    std::error_code ignored;
    fs::remove(path_, ignored);  // a socket left by a run that died
    unique_fd dir_fd;
    const std::string where = reachable_path(path_, dir_fd);
    boost::system::error_code ec;
    acceptor_.open(local(), ec);
    if (!ec) acceptor_.bind(local::endpoint(where), ec);
    if (!ec) acceptor_.listen(8, ec);
    if (ec) throw error("cannot listen on the control socket " + path_.string() + ": " + ec.message());
    ::chmod(path_.c_str(), 0600);
}

control_server::~control_server() { close(); }

void control_server::close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    std::error_code ignored;
    fs::remove(path_, ignored);
}

asio::awaitable<void> control_server::serve() {
    while (!closed_) {
        boost::system::error_code ec;
        auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (closed_ || ec == asio::error::operation_aborted) co_return;
            continue;
        }
        asio::co_spawn(acceptor_.get_executor(), handle(std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> control_server::handle(local::socket socket) {
    auto session = std::make_shared<control_session>(std::move(socket));
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(session->socket_.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 ||
        peer.uid != owner_) {
        nlohmann::json refusal{{"event", "error"},
                               {"error", "only the owner of the state directory may control this migration"}};
        co_await session->send(refusal);
        co_return;
    }
    auto read = co_await session->read_json();
    if (!read && !session->connected()) co_return;
    nlohmann::json request = read.value_or(nlohmann::json());
    if (!request.is_object() || !request.contains("command") || !request["command"].is_string()) {
        nlohmann::json refusal{{"event", "error"}, {"error", "the request is not a JSON object with a command"}};
        co_await session->send(refusal);
        co_return;
    }
    std::string failure;
    try {
        co_await on_request_(std::move(request), session);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        nlohmann::json reply{{"event", "error"}, {"error", failure}};
        co_await session->send(reply);
    }
}

namespace {

unique_fd connect_to(const fs::path& state_dir, bool quiet_when_absent, bool& absent) {
    absent = false;
    const fs::path path = control_socket_path(state_dir);
    unique_fd dir_fd;
    const std::string where = reachable_path(path, dir_fd);
    unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw error(std::string("cannot create a socket: ") + std::strerror(errno));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, where.c_str(), where.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int e = errno;
        if (e == ENOENT || e == ECONNREFUSED) {
            absent = true;
            if (quiet_when_absent) return {};
            throw error("no pghandoff migrate is running with the state directory " + state_dir.string(),
                        "start `pghandoff migrate` (online) with --state-dir " + state_dir.string() + " first");
        }
        if (e == EACCES)
            throw error("permission denied on " + path.string(), "run this as the OS user who owns the state directory");
        throw error("cannot connect to " + path.string() + ": " + std::strerror(e));
    }
    return fd;
}

}  // namespace

bool control_listening(const fs::path& state_dir) {
    bool absent = false;
    try {
        auto fd = connect_to(state_dir, true, absent);
        return !absent;
    } catch (const error&) {
        return true;  // something is there that we may not use
    }
}

control_client::control_client(const fs::path& state_dir) {
    bool absent = false;
    auto fd = connect_to(state_dir, false, absent);
    fd_ = fd.release();
}

control_client::~control_client() {
    if (fd_ >= 0) ::close(fd_);
}

void control_client::send(const nlohmann::json& request) {
    const std::string text = request.dump() + "\n";
    for (std::size_t sent = 0; sent < text.size();) {
        const ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw error(std::string("cannot send the request to the running migrate: ") + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(n);
    }
}

std::optional<nlohmann::json> control_client::read_line() {
    char chunk[4096];
    for (;;) {
        for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
            auto line = nlohmann::json::parse(pending_.substr(0, end), nullptr, false);
            pending_.erase(0, end + 1);
            if (!line.is_discarded()) return line;
        }
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw error(std::string("lost the connection to the running migrate: ") + std::strerror(errno));
        }
        if (n == 0) return std::nullopt;
        pending_.append(chunk, static_cast<std::size_t>(n));
    }
}

void control_request(const fs::path& state_dir, const nlohmann::json& request,
                     const std::function<void(const nlohmann::json&)>& on_line) {
    control_client client(state_dir);
    client.send(request);
    while (auto line = client.read_line()) on_line(*line);
}

}  // namespace pghandoff::cutover
