#include "apply/apply_group.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace pghandoff::apply {

namespace asio = boost::asio;

std::string member_origin(const std::string& base, std::size_t k) {
    return k == 0 ? base : base + "_" + std::to_string(k);
}

asio::awaitable<apply_group> apply_group::open(
    std::vector<pg::connection> targets, apply_options base,
    std::function<std::size_t(const std::string& schema, const std::string& name)> assign) {
    apply_group group;
    const std::size_t count = targets.size();
    for (std::size_t k = 0; k < count; ++k) {
        apply_options options = base;
        options.origin = member_origin(base.origin, k);
        if (!base.spill_dir.empty() && count > 1) options.spill_dir = base.spill_dir / std::to_string(k);
        if (count > 1)
            options.owns = [assign, k](const std::string& schema, const std::string& name) {
                return assign(schema, name) == k;
            };
        auto opened = co_await applier::open(std::move(targets[k]), options);
        group.members_.push_back(std::make_unique<member_state>(std::move(opened)));
    }
    co_return group;
}

void apply_group::read_from(const std::filesystem::path& dir) {
    for (auto& m : members_) m->reader.emplace(dir, m->applier_.applied());
}

asio::awaitable<void> apply_group::run_member(member_state* member, std::size_t* running, std::exception_ptr* failure,
                                              asio::steady_timer* done) {
    try {
        member->committed = co_await member->applier_.apply_available(*member->reader);
    } catch (...) {
        if (!*failure) *failure = std::current_exception();
    }
    if (--*running == 0) done->cancel();
}

asio::awaitable<std::size_t> apply_group::apply_available() {
    if (members_.size() == 1) co_return co_await members_[0]->applier_.apply_available(*members_[0]->reader);
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer done(executor, asio::steady_timer::time_point::max());
    std::size_t running = members_.size();
    std::exception_ptr failure;
    for (auto& m : members_) asio::co_spawn(executor, run_member(m.get(), &running, &failure, &done), asio::detached);
    while (running > 0) {
        boost::system::error_code ec;
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (failure) std::rethrow_exception(failure);
    std::size_t most = 0;
    for (const auto& m : members_) most = std::max(most, m->committed);
    co_return most;
}

void apply_group::hold_at(pg::lsn limit) {
    for (auto& m : members_) m->applier_.hold_at(limit);
}

bool apply_group::holding_or_at(pg::lsn spooled_end) const {
    return std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
        return m->applier_.holding() || m->applier_.applied() >= spooled_end;
    });
}

void apply_group::copied_at(const std::string& schema, const std::string& name, pg::lsn consistent_point) {
    for (auto& m : members_) m->applier_.copied_at(schema, name, consistent_point);
}

const applier& apply_group::slowest() const {
    const applier* least = &members_.front()->applier_;
    for (const auto& m : members_)
        if (m->applier_.applied() < least->applied()) least = &m->applier_;
    return *least;
}

asio::awaitable<pg::lsn> apply_group::durable_position() {
    std::optional<pg::lsn> least;
    for (auto& m : members_) {
        const auto durable = co_await m->applier_.durable_position();
        if (!least || durable < *least) least = durable;
    }
    co_return least.value_or(pg::lsn{});
}

asio::awaitable<pg::lsn> apply_group::make_durable() {
    std::optional<pg::lsn> least;
    for (auto& m : members_) {
        const auto durable = co_await m->applier_.make_durable();
        if (!least || durable < *least) least = durable;
    }
    co_return least.value_or(pg::lsn{});
}

std::optional<applied_marker> apply_group::last_marker() const {
    std::optional<applied_marker> agreed;
    for (const auto& m : members_) {
        const auto& marker = m->applier_.last_marker();
        if (!marker) return std::nullopt;
        if (agreed && agreed->content != marker->content) return std::nullopt;
        if (!agreed || marker->position.end_lsn < agreed->position.end_lsn) agreed = marker;
    }
    return agreed;
}

apply_counters apply_group::counters() const {
    apply_counters sum;
    for (const auto& m : members_) {
        const auto& c = m->applier_.counters();
        sum.target_transactions += c.target_transactions;
        sum.inserts += c.inserts;
        sum.updates += c.updates;
        sum.deletes += c.deletes;
        sum.truncates += c.truncates;
        sum.streamed_transactions = std::max(sum.streamed_transactions, c.streamed_transactions);
    }
    sum.source_transactions = slowest().counters().source_transactions;
    return sum;
}

}  // namespace pghandoff::apply
