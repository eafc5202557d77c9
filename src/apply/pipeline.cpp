#include "apply/pipeline.hpp"

#include <cstdlib>
#include <cstring>

#include "util/error.hpp"

namespace pghandoff::apply {

namespace asio = boost::asio;

namespace {

const std::string unnamed_statement = "a statement";

std::size_t parameter_bytes(const std::vector<const char*>& values) {
    std::size_t bytes = 0;
    for (const char* value : values)
        if (value) bytes += std::strlen(value);
    return bytes;
}

std::string describe(const statement_check& check) {
    std::string out = check.what ? *check.what : unnamed_statement;
    if (!check.change_lsn.is_zero()) out += " (source change at " + check.change_lsn.to_string() + ")";
    return out;
}

}  // namespace

pipeline::pipeline(pg::connection conn, std::size_t window, std::size_t flush_bytes)
    : conn_(std::move(conn)), window_(window < 2 ? 2 : window), flush_bytes_(flush_bytes) {
    if (PQenterPipelineMode(conn_.native()) != 1)
        throw error(conn_.label() + ": cannot enter pipeline mode: " + conn_.last_error());
}

void pipeline::expect(awaited_result awaited, std::size_t bytes) {
    awaited_.push_back(std::move(awaited));
    unsent_bytes_ += bytes;
    ++unsent_;
}

void pipeline::prepare(const std::string& name, const std::string& sql, const std::string* what) {
    if (PQsendPrepare(conn_.native(), name.c_str(), sql.c_str(), 0, nullptr) != 1)
        throw error(conn_.label() + ": cannot send a statement: " + conn_.last_error());
    expect({statement_check{what, {}, false}}, sql.size());
}

void pipeline::execute(const std::string& name, const std::vector<const char*>& values, statement_check check) {
    if (PQsendQueryPrepared(conn_.native(), name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                            nullptr, 0) != 1)
        throw error(conn_.label() + ": cannot send a statement: " + conn_.last_error());
    expect({check}, parameter_bytes(values));
}

void pipeline::execute_sql(const std::string& sql, const std::vector<const char*>& values, statement_check check) {
    if (PQsendQueryParams(conn_.native(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0) != 1)
        throw error(conn_.label() + ": cannot send a statement: " + conn_.last_error());
    expect({check}, sql.size() + parameter_bytes(values));
}

asio::awaitable<void> pipeline::pace() {
    if (awaited_.size() < window_) {
        constexpr std::size_t running_dry = 32;  // statements sent and not answered yet
        if (unsent_bytes_ >= flush_bytes_ || (unsent_ > 0 && awaited_.size() - unsent_ < running_dry))
            co_await send_all();
        co_return;
    }
    // The server sends results when its buffer fills, at a sync point, or when asked: ask, so
    // that the results of everything waiting arrive, then read until half the window is free.
    if (PQsendFlushRequest(conn_.native()) != 1)
        throw error(conn_.label() + ": cannot send a flush request: " + conn_.last_error());
    co_await read_until(window_ / 2);
    co_await fail_if_failed();
}

asio::awaitable<void> pipeline::sync() {
    if (PQpipelineSync(conn_.native()) != 1)
        throw error(conn_.label() + ": cannot send a sync point: " + conn_.last_error());
    expect({statement_check{}, true}, 0);
    co_await read_until(0);
    co_await fail_if_failed();
}

asio::awaitable<pg::result> pipeline::query(std::string sql, std::vector<std::string> params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p.c_str());
    execute_sql(sql, values, {});
    awaited_.back().keep = true;
    co_await sync();
    if (!kept_) throw error(conn_.label() + ": a query in the pipeline returned no result");
    pg::result rows = std::move(*kept_);
    kept_.reset();
    co_return rows;
}

asio::awaitable<void> pipeline::send_all() {
    co_await conn_.flush();
    unsent_bytes_ = 0;
    unsent_ = 0;
}

asio::awaitable<void> pipeline::read_until(std::size_t awaiting) {
    co_await send_all();
    while (awaited_.size() > awaiting) {
        if (PQisBusy(conn_.native()) || !take_result()) co_await conn_.receive();
    }
}

/// One step of PQgetResult. Per statement libpq gives its result (or PGRES_PIPELINE_ABORTED
/// after an earlier error), then NULL; per sync point one PGRES_PIPELINE_SYNC, with no NULL.
bool pipeline::take_result() {
    pg::result_ptr res(PQgetResult(conn_.native()));
    auto& front = awaited_.front();
    if (!res) {
        if (front.sync) return false;  // the sync point's answer has not arrived yet
        auto done = std::move(front);
        awaited_.pop_front();
        finish_statement(done);
        return true;
    }
    switch (PQresultStatus(res.get())) {
    case PGRES_PIPELINE_SYNC:
        if (!front.sync) throw error(conn_.label() + ": pipeline out of step: a sync point came before a result");
        awaited_.pop_front();
        return true;
    case PGRES_PIPELINE_ABORTED:
        return true;
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK: {
        const char* affected = PQcmdTuples(res.get());
        front.rows = *affected ? std::strtoll(affected, nullptr, 10) : 0;
        if (front.keep) kept_.emplace(std::move(res));
        return true;
    }
    default:  // PGRES_FATAL_ERROR, or anything a pipeline must not produce
        if (!failed_) {
            failed_ = front.check;
            failure_ = pg::result(std::move(res));
        }
        return true;
    }
}

void pipeline::finish_statement(const awaited_result& done) {
    if (failed_ || !done.check.one_row || done.rows == 1) return;
    failed_ = done.check;
    row_count_problem_ = done.rows == 0 ? "found no row on the target: the target no longer matches the source"
                                        : "affected " + std::to_string(done.rows) + " rows instead of one";
}

asio::awaitable<void> pipeline::fail_if_failed() {
    if (!failed_) co_return;
    // Back to a sync point first, so that the connection is idle when the error goes up.
    if (awaited_.empty() || !awaited_.back().sync) {
        if (PQpipelineSync(conn_.native()) == 1) {
            expect({statement_check{}, true}, 0);
            co_await read_until(0);
        }
    }
    raise_failure();
}

void pipeline::raise_failure() {
    const std::string statement = describe(*failed_);
    if (!row_count_problem_.empty()) throw error(conn_.label() + ": " + statement + " " + row_count_problem_);
    try {
        conn_.raise(failure_.native());
    } catch (const error& e) {
        throw error(std::string(e.what()) + " (in " + statement + ")", e.hint(), e.sqlstate());
    }
}

}  // namespace pghandoff::apply
