#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "apply/applier.hpp"
#include "catalog/scope.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"
#include "support/test_databases.hpp"

namespace pghandoff::integration {

/// Runs a coroutine on an io_context of its own until it ends; rethrows what it threw, and
/// throws when it does not end within `limit`.
void run_scenario(const std::function<boost::asio::awaitable<void>()>& scenario,
                  std::chrono::seconds limit = std::chrono::seconds(600));

/// A publication for `tables` and a logical slot on the source database, both named `name`.
/// Changes committed after this returns are what the slot delivers.
boost::asio::awaitable<void> publish(const test_databases& dbs, std::string name,
                                     std::vector<catalog::qualified_name> tables);

/// The source's current WAL position: every transaction committed before has ended below it.
boost::asio::awaitable<pg::lsn> source_wal_position(const test_databases& dbs);

/// Receives what the slot `name` has up to `until` into the spool in `spool_dir` (created or
/// continued), then ends the stream; the source hears it all flushed.
boost::asio::awaitable<void> capture_until(const test_databases& dbs, std::string name, std::filesystem::path spool_dir,
                                           pg::lsn until);

/// A connection to the target database, as the applier takes it.
boost::asio::awaitable<pg::connection> connect_target(const test_databases& dbs);

/// Opens an applier on the target and applies everything the spool holds after the origin's
/// progress; returns how many source transactions it committed.
boost::asio::awaitable<std::size_t> apply_spool(const test_databases& dbs, std::filesystem::path spool_dir,
                                                apply::apply_options options);

/// Sets the target's sequences to the source's values, as the cutover does: sequences are
/// not in the replication stream.
boost::asio::awaitable<void> copy_sequences(const test_databases& dbs);

/// A replication origin name no other test uses, dropped from the target server (origins are
/// per cluster, not per database) when this goes away.
class test_origin {
public:
    explicit test_origin(const test_databases& dbs);
    ~test_origin();
    test_origin(const test_origin&) = delete;
    test_origin& operator=(const test_origin&) = delete;

    const std::string& name() const { return name_; }
    /// apply_options for this origin, with the other settings at their defaults.
    apply::apply_options options() const;

private:
    std::string target_conninfo_;
    std::string name_;
};

}  // namespace pghandoff::integration
