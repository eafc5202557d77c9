#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pghandoff::migration {

/// How a job uses a table: shared users may run together; an exclusive user runs alone.
struct table_claim {
    std::string table;  ///< any stable key, e.g. the quoted qualified name
    bool exclusive = false;
};

/// A dependency graph of jobs with priorities and table claims; it decides which job runs next.
/// It runs nothing itself: workers take() a job, run it, and complete() it.
class job_graph {
public:
    using job_id = std::size_t;

    /// Adds a job; higher priority is taken first among ready jobs.
    job_id add(std::string name, int priority, std::vector<table_claim> claims = {});
    /// `job` may start only after `prerequisite` completed.
    void depend(job_id job, job_id prerequisite);
    /// The job's estimated cost, in any unit shared by all jobs (0 unless set).
    void set_cost(job_id job, double cost);
    /// Orders ready jobs by their critical path first: a job's rank is its cost plus the
    /// highest rank among its dependents, the work that must still follow it in sequence
    /// (list scheduling by "bottom level"). Priorities then break ties. Call once the graph
    /// is complete; without it, priorities alone decide.
    void rank_by_critical_path();
    /// The rank set by rank_by_critical_path (0 before).
    double rank(job_id job) const { return jobs_.at(job).rank; }

    /// Whether the other workers run out of work before `job` and what must follow it are
    /// done: the work left in every other unfinished job (those not started in full, running
    /// ones at half their cost), shared by `other_workers`, is less than `job`'s rank (its cost
    /// before rank_by_critical_path); true without other workers. Then `job` may take more of the server than its own
    /// worker, such as parallel index build workers, without slowing the rest down.
    bool others_run_out_first(job_id job, int other_workers) const;

    /// The next ready job whose claims do not conflict with running jobs, if any.
    std::optional<job_id> take();
    /// Marks a running job done, releasing its claims and its dependents.
    void complete(job_id job);
    /// Marks a job done without running it (finished in an earlier run).
    void skip(job_id job);

    bool finished() const { return done_count_ == jobs_.size(); }
    std::size_t size() const { return jobs_.size(); }
    std::size_t running() const { return running_count_; }
    const std::string& name(job_id job) const { return jobs_.at(job).name; }

private:
    enum class state : unsigned char { waiting, ready, running, done };
    struct node {
        std::string name;
        int priority = 0;
        double cost = 0;
        double rank = 0;
        std::vector<table_claim> claims;
        std::size_t pending = 0;
        std::vector<job_id> dependents;
        state st = state::waiting;
    };
    struct claim_count {
        int shared = 0;
        bool exclusive = false;
    };

    bool claims_free(const node& n) const;
    bool before(const node& a, const node& b) const;
    void finish(job_id job);

    std::vector<node> jobs_;
    std::unordered_map<std::string, claim_count> claims_;
    std::size_t done_count_ = 0;
    std::size_t running_count_ = 0;
};

}  // namespace pghandoff::migration
