#include "cdc/replication_stream.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::cdc {

namespace asio = boost::asio;

int pgoutput_protocol_version(int server_version) {
    if (server_version >= 160000) return 4;
    if (server_version >= 150000) return 3;
    if (server_version >= 140000) return 2;
    return 1;
}

std::string start_replication_sql(const stream_options& options) {
    std::string names;
    for (const auto& p : options.publications) names += (names.empty() ? "" : ",") + pg::quote_ident(p);
    std::string sql = "START_REPLICATION SLOT " + pg::quote_ident(options.slot) + " LOGICAL " +
                      options.start.to_string() + " (proto_version '" +
                      std::to_string(pgoutput_protocol_version(options.server_version)) +
                      "', publication_names " + pg::quote_literal(names);
    if (options.server_version >= 140000) sql += ", messages 'true'";
    if (options.server_version >= 140000 && options.streaming) sql += ", streaming 'on'";
    return sql + ")";
}

asio::awaitable<void> replication_stream::start(stream_options options) {
    auto res = co_await conn_.exec(start_replication_sql(options));
    if (res.status() != PGRES_COPY_BOTH)
        throw error(conn_.label() + ": START_REPLICATION did not start a replication stream");
}

bool replication_stream::has_buffered() {
    if (pending_) return true;
    char* raw = nullptr;
    int size = PQgetCopyData(conn_.native(), &raw, 1);
    if (size <= 0) {
        if (size == -1) ended_ = true;
        return false;
    }
    pg::buffer_ptr buffer(raw);
    auto decoded = decode_walsender_message(std::string_view(raw, static_cast<std::size_t>(size)));
    if (auto* err = std::get_if<decode_error>(&decoded))
        throw error(conn_.label() + ": unreadable replication message: " + err->what);
    auto& message = std::get<walsender_message>(decoded);
    if (auto* keepalive = std::get_if<primary_keepalive>(&message)) {
        if (keepalive->wal_end > server_wal_end_) server_wal_end_ = keepalive->wal_end;
        if (idle_ && server_wal_end_ > flushed_) written_ = flushed_ = server_wal_end_;
        if (keepalive->reply_requested) reply_due_ = true;
        return has_buffered();
    }
    if (auto* data = std::get_if<xlog_data>(&message)) {
        if (data->wal_end > server_wal_end_) server_wal_end_ = data->wal_end;
        pending_ = received_change{std::move(buffer), *data};
        return true;
    }
    return has_buffered();  // a kind this client does not know: skip it
}

asio::awaitable<std::optional<received_change>> replication_stream::next() {
    for (;;) {
        const bool buffered = has_buffered();
        if (reply_due_) {  // the server drops us if a requested reply is late
            reply_due_ = false;
            co_await send_status();
        }
        if (buffered) {
            auto out = std::move(pending_);
            pending_.reset();
            co_return out;
        }
        if (ended_) {
            co_await conn_.finish_command();
            co_return std::nullopt;
        }
        co_await conn_.receive();
    }
}

void replication_stream::report(pg::lsn written, pg::lsn flushed) {
    if (written > written_) written_ = written;
    if (flushed > flushed_) flushed_ = flushed;
}

asio::awaitable<void> replication_stream::send_status(bool ask_for_reply) {
    standby_status status{written_, flushed_, flushed_, pg_timestamp_now(), ask_for_reply};
    auto bytes = encode_standby_status_update(status);
    for (;;) {
        int rc = PQputCopyData(conn_.native(), bytes.data(), static_cast<int>(bytes.size()));
        if (rc == 1) break;
        if (rc < 0) throw error(conn_.label() + ": cannot send a status update: " + conn_.last_error());
        co_await conn_.flush();
    }
    co_await conn_.flush();
}

asio::awaitable<void> replication_stream::status_loop(std::chrono::milliseconds interval) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    status_timer_ = &timer;
    struct forget {
        asio::steady_timer*& slot;
        ~forget() { slot = nullptr; }
    } guard{status_timer_};
    while (!ended_ && !status_loop_ended_) {
        timer.expires_after(interval);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ended_ || ec || status_loop_ended_) co_return;
        co_await send_status();
    }
}

asio::awaitable<void> replication_stream::stop() {
    if (status_timer_) status_timer_->cancel();
    if (ended_) co_return;
    for (;;) {
        int rc = PQputCopyEnd(conn_.native(), nullptr);
        if (rc == 1) break;
        if (rc < 0) throw error(conn_.label() + ": cannot end the replication stream: " + conn_.last_error());
        co_await conn_.flush();
    }
    co_await conn_.flush();
    // Drain what the server still sends until it confirms the end.
    while (!ended_) {
        if (!has_buffered()) {
            if (ended_) break;
            co_await conn_.receive();
        } else {
            pending_.reset();
        }
    }
    co_await conn_.finish_command();
}

}  // namespace pghandoff::cdc
