#include "migration/job_graph.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace pghandoff::migration {

job_graph::job_id job_graph::add(std::string name, int priority, std::vector<table_claim> claims) {
    node n;
    n.name = std::move(name);
    n.priority = priority;
    n.claims = std::move(claims);
    n.st = state::ready;
    jobs_.push_back(std::move(n));
    return jobs_.size() - 1;
}

void job_graph::depend(job_id job, job_id prerequisite) {
    if (job == prerequisite) return;
    auto& pre = jobs_.at(prerequisite);
    if (pre.st == state::done) return;
    pre.dependents.push_back(job);
    auto& j = jobs_.at(job);
    ++j.pending;
    if (j.st == state::ready) j.st = state::waiting;
}

void job_graph::set_cost(job_id job, double cost) { jobs_.at(job).cost = cost; }

void job_graph::rank_by_critical_path() {
    // Dependencies only point from earlier-added jobs to any job; visit in reverse
    // topological order with an explicit stack (graphs of many thousand chunks).
    enum class mark : unsigned char { none, open, ranked };
    std::vector<mark> marks(jobs_.size(), mark::none);
    for (job_id root = 0; root < jobs_.size(); ++root) {
        if (marks[root] != mark::none) continue;
        std::vector<std::pair<job_id, std::size_t>> stack{{root, 0}};
        marks[root] = mark::open;
        while (!stack.empty()) {
            auto& [job, next] = stack.back();
            auto& n = jobs_[job];
            if (next < n.dependents.size()) {
                const job_id d = n.dependents[next++];
                if (marks[d] == mark::none) {
                    marks[d] = mark::open;
                    stack.emplace_back(d, 0);
                } else if (marks[d] == mark::open) {
                    throw std::logic_error("job graph has a cycle through " + jobs_[d].name);
                }
                continue;
            }
            double after = 0;
            for (job_id d : n.dependents) after = std::max(after, jobs_[d].rank);
            n.rank = n.cost + after;
            marks[job] = mark::ranked;
            stack.pop_back();
        }
    }
}

bool job_graph::before(const node& a, const node& b) const {
    if (a.rank != b.rank) return a.rank > b.rank;
    return a.priority > b.priority;
}

bool job_graph::claims_free(const node& n) const {
    for (const auto& c : n.claims) {
        auto it = claims_.find(c.table);
        if (it == claims_.end()) continue;
        if (it->second.exclusive) return false;
        if (c.exclusive && it->second.shared > 0) return false;
    }
    return true;
}

bool job_graph::others_run_out_first(job_id job, int other_workers) const {
    const auto& me = jobs_.at(job);
    double left = 0;
    for (job_id i = 0; i < jobs_.size(); ++i) {
        if (i == job) continue;
        const auto& n = jobs_[i];
        if (n.st == state::done) continue;
        left += n.st == state::running ? n.cost / 2 : n.cost;
    }
    if (left == 0 || other_workers < 1) return true;
    return left / other_workers < std::max(me.rank, me.cost);
}

std::optional<job_graph::job_id> job_graph::take() {
    std::optional<job_id> best;
    for (job_id i = 0; i < jobs_.size(); ++i) {
        const auto& n = jobs_[i];
        if (n.st != state::ready || !claims_free(n)) continue;
        if (!best || before(n, jobs_[*best])) best = i;
    }
    if (!best) return std::nullopt;
    auto& n = jobs_[*best];
    n.st = state::running;
    ++running_count_;
    for (const auto& c : n.claims) {
        auto& cc = claims_[c.table];
        if (c.exclusive) cc.exclusive = true;
        else ++cc.shared;
    }
    return best;
}

void job_graph::complete(job_id job) {
    auto& n = jobs_.at(job);
    if (n.st != state::running) throw std::logic_error("completing a job that is not running: " + n.name);
    --running_count_;
    for (const auto& c : n.claims) {
        auto& cc = claims_[c.table];
        if (c.exclusive) cc.exclusive = false;
        else --cc.shared;
        if (!cc.exclusive && cc.shared == 0) claims_.erase(c.table);
    }
    finish(job);
}

void job_graph::skip(job_id job) {
    auto& n = jobs_.at(job);
    if (n.st == state::running || n.st == state::done) return;
    finish(job);
}

void job_graph::finish(job_id job) {
    auto& n = jobs_[job];
    n.st = state::done;
    ++done_count_;
    for (job_id d : n.dependents) {
        auto& dep = jobs_[d];
        if (dep.pending > 0 && --dep.pending == 0 && dep.st == state::waiting) dep.st = state::ready;
    }
}

}  // namespace pghandoff::migration
