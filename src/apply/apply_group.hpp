#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "apply/applier.hpp"
#include "pg/connection.hpp"
#include "spool/reader.hpp"

namespace pghandoff::apply {

/// Several appliers, each on a connection and replication origin of its own, that share the
/// spooled stream by table: applier k makes the changes of the tables `assign` gives k, in
/// source commit order, and reads every transaction (its Begin, Commit and markers) so that
/// its origin's progress covers all of them. Tables linked by a foreign key or by partitioning
/// must go to the same applier (a TRUNCATE ... CASCADE reaches them together).
///
/// Each applier is exact on its own (its origin moves with its changes); between appliers the
/// target is consistent at points where all have applied the same transactions: a marker that
/// every applier has committed, or a hold (hold_at) that every one has reached.
class apply_group {
public:
    /// Applier k gets connection k and origin `base.origin` (k = 0) or `base.origin_k`.
    static boost::asio::awaitable<apply_group> open(std::vector<pg::connection> targets, apply_options base,
                                                    std::function<std::size_t(const std::string& schema,
                                                                              const std::string& name)> assign);

    /// Starts reading the spool in `dir` for every applier, each from its own progress.
    void read_from(const std::filesystem::path& dir);
    /// Applies what the spool holds, on every connection at once; returns the most source
    /// transactions any one applier committed. Rethrows the first applier's error.
    boost::asio::awaitable<std::size_t> apply_available();

    void hold_at(pg::lsn limit);
    /// Every applier stopped at the hold, or has applied every transaction up to `spooled_end`.
    bool holding_or_at(pg::lsn spooled_end) const;
    void copied_at(const std::string& schema, const std::string& name, pg::lsn consistent_point);

    /// The least progress of the appliers: every transaction at or below it is on the target.
    pg::lsn applied() const { return slowest().applied(); }
    const applied_position& progress() const { return slowest().progress(); }
    /// The least durable position (what the spool may release).
    boost::asio::awaitable<pg::lsn> durable_position();
    boost::asio::awaitable<pg::lsn> make_durable();
    /// The marker every applier has committed, when they agree on the last one.
    std::optional<applied_marker> last_marker() const;
    /// Summed over the appliers; source_transactions is the slowest one's.
    apply_counters counters() const;
    std::size_t size() const { return members_.size(); }
    const applier& member(std::size_t k) const { return members_[k]->applier_; }

private:
    struct member_state {
        explicit member_state(applier a) : applier_(std::move(a)) {}
        applier applier_;
        std::optional<spool::reader> reader;
        std::size_t committed = 0;
    };
    static boost::asio::awaitable<void> run_member(member_state* member, std::size_t* running, std::exception_ptr* failure,
                                                   boost::asio::steady_timer* done);
    const applier& slowest() const;

    std::vector<std::unique_ptr<member_state>> members_;
};

/// The replication origin of applier k of a group whose first origin is `base`.
std::string member_origin(const std::string& base, std::size_t k);

}  // namespace pghandoff::apply
