#pragma once
#include <boost/asio/awaitable.hpp>

#include "migration/options.hpp"
#include "migration/preflight.hpp"
#include "pg/connection.hpp"

namespace pghandoff::migration {

/// The checks online mode adds on the source: wal_level=logical, the REPLICATION privilege (or
/// what managed services grant instead), a free slot and WAL sender, max_slot_wal_keep_size,
/// tables whose changes logical replication cannot carry (each named with the statement that
/// fixes it); and on the target: replication origins and session_replication_role.
boost::asio::awaitable<void> check_capture(pg::connection& source, pg::connection* target, const migrate_options& options,
                                           preflight_report& report);

}  // namespace pghandoff::migration
