#pragma once
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pghandoff::apply {

/// What one statement's result must show, and how to name the statement in an error.
struct statement_check {
    const std::string* what = nullptr;  ///< e.g. "UPDATE of public.items"; outlives the result
    pg::lsn change_lsn;                 ///< the change the statement applies, zero for none
    bool one_row = false;               ///< must affect exactly one row (UPDATE and DELETE)
};

/// Statements sent ahead of their results on one connection in libpq pipeline mode
/// (PostgreSQL docs, libpq "Pipeline Mode"). Results are read as they come back, so at most
/// `window` statements ever wait for theirs, and libpq's output buffer is sent whenever it
/// holds about `flush_bytes`: neither side's buffers grow with the size of a transaction.
///
/// The window also keeps the send path free of deadlocks: while we wait for the socket to take
/// more of our statements, the server may be blocked sending us results, and it is only
/// unblocked by our reads. A window of results (tens of bytes each) fits in the socket buffers,
/// so the server never blocks on them before we come back to read.
///
/// After any failure (an error result, or a statement that did not affect exactly one row
/// when it had to) the pipeline reads up to a sync point and throws pghandoff::error naming
/// the statement; the caller then gives the connection up, and its open transaction with it.
class pipeline {
public:
    /// Takes an idle connection and switches it to pipeline mode.
    pipeline(pg::connection conn, std::size_t window, std::size_t flush_bytes = 4u << 20);

    /// Queues PQsendPrepare; parameter types are inferred by the server.
    void prepare(const std::string& name, const std::string& sql, const std::string* what);
    /// Queues the execution of a prepared statement with text parameters (nullptr = NULL).
    void execute(const std::string& name, const std::vector<const char*>& values, statement_check check);
    /// Queues one unnamed statement with text parameters.
    void execute_sql(const std::string& sql, const std::vector<const char*>& values, statement_check check);

    /// Reads results whenever `window` statements wait for theirs, and sends what libpq holds
    /// once it is about `flush_bytes`, or at once while the server has little left to run
    /// (after a sync point it would otherwise sit idle until a buffer fills). Call after every
    /// queueing.
    boost::asio::awaitable<void> pace();
    /// A sync point: sends everything and reads every result up to it; throws the first failure.
    boost::asio::awaitable<void> sync();
    /// Runs one query after everything queued so far and returns its rows.
    boost::asio::awaitable<pg::result> query(std::string sql, std::vector<std::string> params);

    /// Statements sent whose results have not been read yet.
    std::size_t awaiting() const { return awaited_.size(); }

private:
    struct awaited_result {
        statement_check check;
        bool sync = false;
        bool keep = false;     ///< hand the result to query()
        long long rows = -1;   ///< rows affected, once its result came
    };

    void expect(awaited_result awaited, std::size_t bytes);
    bool take_result();
    void finish_statement(const awaited_result& done);
    boost::asio::awaitable<void> send_all();
    boost::asio::awaitable<void> read_until(std::size_t awaiting);
    boost::asio::awaitable<void> fail_if_failed();
    [[noreturn]] void raise_failure();

    pg::connection conn_;
    std::size_t window_;
    std::size_t flush_bytes_;
    std::size_t unsent_bytes_ = 0;  ///< queued since libpq's buffer was last sent, about
    std::size_t unsent_ = 0;        ///< statements queued since then
    std::deque<awaited_result> awaited_;
    std::optional<pg::result> kept_;
    pg::result failure_;                    ///< the first error result
    std::optional<statement_check> failed_; ///< the statement that failed (error or row count)
    std::string row_count_problem_;         ///< set when a statement affected other than one row
};

}  // namespace pghandoff::apply
