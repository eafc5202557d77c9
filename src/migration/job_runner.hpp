#pragma once
#include <exception>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "migration/job_graph.hpp"
#include "pg/connection.hpp"

namespace pghandoff::migration {

/// The two sessions a worker holds: the source inside the snapshot, and the target.
struct worker {
    int id = 0;
    job_graph::job_id job = 0;  ///< the job it runs now
    std::optional<pg::connection> source;
    std::optional<pg::connection> target;
};

using job_body = std::function<boost::asio::awaitable<void>(worker&)>;
/// Opens a worker's sessions before it takes its first job.
using worker_setup = std::function<boost::asio::awaitable<void>(worker&)>;

/// Runs a job graph on N workers, all on the one event loop: each worker takes the next job
/// the graph allows, runs it, and wakes the others when it completes. The first failure
/// interrupts every worker's waits so that all stop soon, and is rethrown by run().
class job_runner {
public:
    explicit job_runner(boost::asio::io_context& io) : wake_(io), all_done_(io) {}

    job_graph::job_id add(std::string name, int priority, std::vector<table_claim> claims, job_body body);
    job_graph& graph() { return graph_; }
    bool failed() const { return failure_ != nullptr; }

    boost::asio::awaitable<void> run(int workers, worker_setup setup);
    /// Fails the run from outside a job (e.g. the change capture running beside it).
    void fail(std::exception_ptr failure);

private:
    boost::asio::awaitable<void> worker_loop(int id, worker_setup setup);
    void interrupt_workers();

    job_graph graph_;
    std::vector<job_body> bodies_;
    boost::asio::steady_timer wake_;
    boost::asio::steady_timer all_done_;
    std::vector<worker*> workers_;
    int workers_running_ = 0;
    std::exception_ptr failure_;
};

}  // namespace pghandoff::migration
