#pragma once
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"

namespace pghandoff::cutover {

/// The write fence on the source database, and what undoes it: the database-level
/// default_transaction_read_only it had before (none when it had no such setting).
struct fence_record {
    std::string database;
    std::optional<std::string> prior;  ///< the database's own setting before the fence
};

/// The fence record kept in the state directory (fence.json) from before the fence is raised
/// until it is lowered, so that a run that dies in between, or `pghandoff cleanup`, can undo it.
void save_fence(const std::filesystem::path& state_dir, const fence_record& record);
std::optional<fence_record> load_fence(const std::filesystem::path& state_dir);
void forget_fence(const std::filesystem::path& state_dir);

/// The connected database and its current database-level default_transaction_read_only.
boost::asio::awaitable<fence_record> read_fence_state(pg::connection& source);

/// Raises the fence: new sessions of the database start read-only (ALTER DATABASE ... SET
/// default_transaction_read_only = on), then every other client session of the database is
/// ended. Returns how many were ended. Walsenders (the replication stream) are left alone.
boost::asio::awaitable<int> raise_fence(pg::connection& source, fence_record record);

/// Waits until no other session of the database holds a transaction ID (a write in progress),
/// ending sessions again meanwhile; throws pghandoff::error after `timeout`. Also throws when
/// prepared transactions of the database are pending: they could still commit.
boost::asio::awaitable<void> confirm_no_writers(pg::connection& source, std::chrono::milliseconds timeout);

/// Undoes raise_fence: the database's setting is put back as the record has it.
boost::asio::awaitable<void> lower_fence(pg::connection& source, fence_record record);

/// Lets this session write on a fenced source (the fence makes new sessions read-only by default).
boost::asio::awaitable<void> writable_session(pg::connection& source);

/// Refuses (pghandoff::error naming the fix) when prepared transactions of the connected
/// database are pending.
boost::asio::awaitable<void> require_no_prepared_transactions(pg::connection& source);

}  // namespace pghandoff::cutover
