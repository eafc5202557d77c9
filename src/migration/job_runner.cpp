#include "migration/job_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "util/error.hpp"

namespace pghandoff::migration {

namespace asio = boost::asio;

job_graph::job_id job_runner::add(std::string name, int priority, std::vector<table_claim> claims, job_body body) {
    auto id = graph_.add(std::move(name), priority, std::move(claims));
    bodies_.push_back(std::move(body));
    return id;
}

void job_runner::fail(std::exception_ptr failure) {
    if (failure_) return;
    failure_ = failure;
    interrupt_workers();
}

void job_runner::interrupt_workers() {
    for (auto* w : workers_) {
        if (w->source) w->source->interrupt();
        if (w->target) w->target->interrupt();
    }
    wake_.cancel();
}

asio::awaitable<void> job_runner::worker_loop(int id, worker_setup setup) {
    worker w;
    w.id = id;
    workers_.push_back(&w);
    struct deregister {
        std::vector<worker*>& list;
        worker* self;
        ~deregister() { std::erase(list, self); }
    } guard{workers_, &w};
    co_await setup(w);
    for (;;) {
        if (failure_) co_return;
        auto job = graph_.take();
        if (!job) {
            if (graph_.finished()) {
                wake_.cancel();
                co_return;
            }
            // Setting the expiry cancels other waits: every sleeper looks again, harmlessly.
            wake_.expires_at(asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        w.job = *job;
        co_await bodies_[*job](w);
        graph_.complete(*job);
        wake_.cancel();
    }
}

asio::awaitable<void> job_runner::run(int workers, worker_setup setup) {
    auto executor = co_await asio::this_coro::executor;
    workers_running_ = std::max(1, workers);
    all_done_.expires_at(asio::steady_timer::time_point::max());
    for (int i = 0; i < workers_running_; ++i) {
        asio::co_spawn(executor, worker_loop(i + 1, setup), [this](std::exception_ptr e) {
            if (e) fail(e);
            if (--workers_running_ == 0) all_done_.cancel();
        });
    }
    boost::system::error_code ec;
    co_await all_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (failure_) std::rethrow_exception(failure_);
    if (!graph_.finished()) throw error("internal error: jobs left without a worker to run them");
}

}  // namespace pghandoff::migration
