#include "migration/change_capture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cdc/pgoutput_decoder.hpp"
#include "util/error.hpp"

namespace pghandoff::migration {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

void change_capture::flush() {
    counters_.durable = writer_.flush();
    // Between transactions, everything the server sent before its WAL end is in the spool.
    pg::lsn flushed = counters_.durable;
    // writer_.flush() made every appended record durable; idle when no transaction is half in.
    const bool idle = !counters_.in_transaction && !in_stream_block_ && writer_.buffered_bytes() == 0;
    if (idle && stream_.server_wal_end() > flushed) flushed = stream_.server_wal_end();
    stream_.report(flushed, flushed);
    stream_.set_idle(idle);
}

asio::awaitable<void> change_capture::run() {
    auto executor = co_await asio::this_coro::executor;
    asio::co_spawn(executor, stream_.status_loop(options_.status_interval), asio::detached);
    asio::steady_timer pause(executor);
    auto last_flush = clock::now();
    while (!stopping_) {
        if (writer_.bytes_on_disk() >= options_.spool_limit_bytes) {
            // Back-pressure: leave the changes in the source's WAL until the applier catches up.
            counters_.throttled = true;
            pause.expires_after(std::chrono::milliseconds(200));
            boost::system::error_code ec;
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        counters_.throttled = false;
        auto change = co_await stream_.next();
        if (!change) break;
        const auto& data = change->data;
        auto decoded = cdc::decode_pgoutput(data.payload, in_stream_block_);
        if (auto* err = std::get_if<cdc::decode_error>(&decoded))
            throw error("cannot decode a change from the source at " + data.wal_end.to_string() + ": " + err->what);
        auto& message = std::get<cdc::message>(decoded);
        if (std::holds_alternative<cdc::stream_start_message>(message)) in_stream_block_ = true;
        if (std::holds_alternative<cdc::stream_stop_message>(message)) in_stream_block_ = false;
        const bool commit = std::holds_alternative<cdc::commit_message>(message) ||
                            std::holds_alternative<cdc::stream_commit_message>(message);
        if (commit) ++counters_.transactions;
        if (std::holds_alternative<cdc::begin_message>(message)) counters_.in_transaction = true;
        if (commit) counters_.in_transaction = false;
        if (const auto* logical = std::get_if<cdc::logical_message>(&message);
            logical && !logical->transactional && logical->prefix == "pghandoff")
            counters_.last_probe = logical->content;
        ++counters_.messages;
        counters_.payload_bytes += data.payload.size();
        counters_.server_wal_end = stream_.server_wal_end();
        stream_.set_idle(false);
        writer_.append({data.data_start.is_zero() ? data.wal_end : data.data_start, std::move(message)});
        // Only a commit moves the durable position: fsync after a commit when nothing more is
        // waiting in the socket (a group of transactions per fsync), or every flush_interval.
        if ((commit && !stream_.has_buffered()) || clock::now() - last_flush >= options_.flush_interval) {
            flush();
            last_flush = clock::now();
        }
    }
    flush();
}

}  // namespace pghandoff::migration
