#pragma once
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pghandoff::migration {

/// The one consistent snapshot of a migration, and the connection that keeps it importable.
/// Taken through a logical replication slot (as online mode does): the slot's exported snapshot
/// and its consistent point. The holder must stay idle until every worker imported it.
struct source_snapshot {
    std::string name;
    std::string slot_name;             ///< empty when taken without a slot
    std::optional<pg::lsn> consistent_point;
    std::optional<pg::connection> holder;
};

/// A replication connection whose pgoutput text values read back the same on any target: ISO
/// dates, postgres intervals, exact floats (the walsender formats values with its session's
/// settings, which would otherwise be the source's configured defaults).
pg::conninfo streaming_conninfo(const pg::conninfo& source);

/// Creates a logical slot exporting its snapshot. Offline mode makes it TEMPORARY: the server
/// drops it when the connection ends, even when pghandoff is killed, so no slot is left behind.
/// Online mode keeps it: changes are streamed from its consistent point until the cutover.
boost::asio::awaitable<source_snapshot> take_slot_snapshot(pg::conninfo source, std::string slot_name, bool temporary);

/// Without logical decoding (wal_level below logical or no REPLICATION privilege), offline mode
/// takes the snapshot with pg_export_snapshot() in a REPEATABLE READ transaction.
boost::asio::awaitable<source_snapshot> take_exported_snapshot(const pg::conninfo& source);

}  // namespace pghandoff::migration
