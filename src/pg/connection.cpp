#include "pg/connection.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "util/error.hpp"

namespace pghandoff::pg {

namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

/// libpq's connection error, without the password and with the host-by-host noise folded into
/// the line that matters most.
std::string describe_connect_failure(PGconn* c) {
    std::string msg = trimmed(PQerrorMessage(c));
    // libpq prefixes each attempt with 'connection to server at "..." failed:'; keep it all on
    // one line so the user sees both where and why.
    for (auto& ch : msg)
        if (ch == '\n' || ch == '\t') ch = ' ';
    return mask_passwords(msg);
}

std::string connect_hint(const std::string& msg) {
    if (msg.find("password authentication failed") != std::string::npos ||
        msg.find("no password supplied") != std::string::npos)
        return "check the user and password (in the URI, PGPASSWORD or ~/.pgpass)";
    if (msg.find("does not exist") != std::string::npos && msg.find("database") != std::string::npos)
        return "create the database first, or fix the dbname in the URI";
    if (msg.find("Connection refused") != std::string::npos ||
        msg.find("could not translate host name") != std::string::npos ||
        msg.find("timeout") != std::string::npos)
        return "check that the server is running and that host and port are right";
    if (msg.find("pg_hba.conf") != std::string::npos)
        return "allow this client in the server's pg_hba.conf";
    return {};
}

}  // namespace

asio::awaitable<connection> connection::connect(const conninfo& info, std::string label,
                                                std::chrono::seconds timeout) {
    auto executor = co_await asio::this_coro::executor;
    std::vector<const char*> keywords, values;
    for (const auto& [k, v] : info.options()) {
        keywords.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);

    conn_ptr conn(PQconnectStartParams(keywords.data(), values.data(), 0));
    if (!conn) throw error("cannot connect to the " + label + ": out of memory");
    if (PQstatus(conn.get()) == CONNECTION_BAD) {
        auto msg = describe_connect_failure(conn.get());
        throw error("cannot connect to the " + label + ": " + msg, connect_hint(msg));
    }

    asio::posix::stream_descriptor socket(executor);
    asio::steady_timer deadline(executor, timeout);
    bool timed_out = false;
    deadline.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        timed_out = true;
        if (socket.is_open()) socket.cancel();
    });

    PostgresPollingStatusType state = PGRES_POLLING_WRITING;
    while (state != PGRES_POLLING_OK) {
        if (state == PGRES_POLLING_FAILED) {
            if (socket.is_open()) socket.release();
            deadline.cancel();
            auto msg = describe_connect_failure(conn.get());
            throw error("cannot connect to the " + label + ": " + msg, connect_hint(msg));
        }
        // libpq may open a new socket at any step (another host, SSL fallback): re-register.
        if (socket.is_open()) socket.release();
        socket.assign(PQsocket(conn.get()));
        boost::system::error_code ec;
        co_await socket.async_wait(state == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                                  : asio::posix::descriptor_base::wait_write,
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (timed_out) {
            socket.release();
            throw error("cannot connect to the " + label + " (" + info.display() + "): no answer within " +
                            std::to_string(timeout.count()) + " s",
                        "check that the host is reachable and the port is right");
        }
        state = PQconnectPoll(conn.get());
    }
    deadline.cancel();
    if (socket.is_open()) socket.release();
    socket.assign(PQsocket(conn.get()));
    PQsetNoticeProcessor(conn.get(), [](void*, const char* message) {
        std::string text(message);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        spdlog::debug("server notice: {}", text);
    }, nullptr);
    if (PQsetnonblocking(conn.get(), 1) != 0) {
        socket.release();
        throw error("cannot switch the " + label + " connection to non-blocking mode");
    }
    connection c(std::move(conn), std::move(socket), std::move(label));
    // pghandoff's sessions wait between jobs and hold transactions for as long as a copy takes:
    // a server that ends idle sessions (idle_session_timeout, 14+) or long transactions
    // (transaction_timeout, 17+) must not end them. A physical replication connection takes no SQL.
    const int version = c.server_version();
    const auto replication = info.get("replication");
    if (version >= 140000 && (!replication || *replication == "database"))
        co_await c.exec(version >= 170000 ? "SET idle_session_timeout = 0; SET transaction_timeout = 0"
                                          : "SET idle_session_timeout = 0");
    co_return c;
}

connection& connection::operator=(connection&& other) noexcept {
    if (this != &other) {
        release_socket();
        conn_ = std::move(other.conn_);
        socket_ = std::move(other.socket_);
        label_ = std::move(other.label_);
    }
    return *this;
}

connection::~connection() { release_socket(); }

void connection::close() noexcept {
    if (socket_.is_open()) {
        boost::system::error_code ignored;
        socket_.cancel(ignored);
    }
    release_socket();
    conn_.reset();
}

void connection::release_socket() noexcept {
    if (socket_.is_open()) socket_.release();
}

std::string connection::last_error() const { return mask_passwords(trimmed(PQerrorMessage(conn_.get()))); }

void connection::raise(const PGresult* res) const {
    auto field = [&](int code) {
        const char* v = res ? PQresultErrorField(res, code) : nullptr;
        return std::string(v ? v : "");
    };
    std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = res ? trimmed(PQresultErrorMessage(res)) : last_error();
    if (message.empty()) message = last_error();
    std::string detail = field(PG_DIAG_MESSAGE_DETAIL);
    if (!detail.empty()) message += " (" + detail + ")";
    throw error(label_ + ": " + message, field(PG_DIAG_MESSAGE_HINT), field(PG_DIAG_SQLSTATE));
}

std::string connection::literal(std::string_view value) const {
    buffer_ptr escaped(PQescapeLiteral(conn_.get(), value.data(), value.size()));
    if (!escaped) throw error(label_ + ": cannot quote a literal: " + last_error());
    return std::string(escaped.get());
}

asio::awaitable<void> connection::receive() {
    co_await socket_.async_wait(asio::posix::descriptor_base::wait_read, asio::use_awaitable);
    if (!PQconsumeInput(conn_.get())) throw error(label_ + ": connection lost: " + last_error());
}

asio::awaitable<void> connection::flush() {
    for (;;) {
        int rc = PQflush(conn_.get());
        if (rc == 0) co_return;
        if (rc < 0) throw error(label_ + ": connection lost while sending: " + last_error());
        co_await wait_writable();
    }
}

asio::awaitable<void> connection::wait_writable() {
    // Keep consuming input meanwhile so the server never blocks on us.
    co_await socket_.async_wait(asio::posix::descriptor_base::wait_write, asio::use_awaitable);
    if (!PQconsumeInput(conn_.get())) throw error(label_ + ": connection lost: " + last_error());
}

asio::awaitable<result> connection::finish_command() {
    co_await flush();
    result last;
    result_ptr failure;
    for (;;) {
        while (PQisBusy(conn_.get())) co_await receive();
        result_ptr r(PQgetResult(conn_.get()));
        if (!r) break;
        auto st = PQresultStatus(r.get());
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            if (failure) raise(failure.get());
            co_return result(std::move(r));
        }
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
            if (!failure) failure = std::move(r);
            continue;
        }
        last = result(std::move(r));
    }
    if (failure) raise(failure.get());
    co_return last;
}

asio::awaitable<result> connection::exec(std::string sql) {
    if (!PQsendQuery(conn_.get(), sql.c_str())) throw error(label_ + ": cannot send a query: " + last_error());
    co_return co_await finish_command();
}

asio::awaitable<result> connection::exec_params(std::string sql,
                                                std::vector<std::optional<std::string>> params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (!PQsendQueryParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0))
        throw error(label_ + ": cannot send a query: " + last_error());
    co_return co_await finish_command();
}

}  // namespace pghandoff::pg
