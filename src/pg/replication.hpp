#pragma once
#include <string>

#include <boost/asio/awaitable.hpp>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pghandoff::pg {

/// What IDENTIFY_SYSTEM says about the server behind a replication connection.
struct system_identity {
    std::string system_id;
    int timeline = 0;
    lsn flush_position;
    std::string database;
};

/// A logical slot created over the replication protocol with an exported snapshot.
struct exported_slot {
    std::string slot_name;
    lsn consistent_point;
    std::string snapshot_name;
};

/// The conninfo of a logical replication connection to the same database.
conninfo replication_conninfo(const conninfo& info);

boost::asio::awaitable<system_identity> identify_system(connection& replication);

/// CREATE_REPLICATION_SLOT ... LOGICAL pgoutput, exporting its snapshot. The snapshot stays
/// importable until the next command on `replication` or its end: keep the connection idle.
boost::asio::awaitable<exported_slot> create_exported_slot(connection& replication, const std::string& slot_name,
                                                           bool temporary);

}  // namespace pghandoff::pg
