#pragma once
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/scope.hpp"
#include "pg/connection.hpp"

namespace pghandoff::migration {

/// Online mode's objects on the source: a publication of the migrated tables (created before the
/// slot, so that every change after the slot's consistent point is published), after setting
/// REPLICA IDENTITY FULL on the keyless tables the user allowed (--replica-identity-full).
boost::asio::awaitable<void> create_publication_for(pg::connection& source, std::string publication,
                                                    std::vector<catalog::qualified_name> tables,
                                                    std::vector<catalog::qualified_name> identity_full);

/// Disables the target's ENABLE ALWAYS and ENABLE REPLICA triggers of these tables (they would
/// fire even with session_replication_role = replica) and records each in the progress store,
/// in the same transaction, so that the cutover can enable them again as they were.
boost::asio::awaitable<std::size_t> suspend_replica_triggers(pg::connection& target,
                                                             std::vector<catalog::qualified_name> tables,
                                                             std::set<std::string>* recorded = nullptr);

/// Drops the slot and the publication from the source (waiting briefly for the slot's last
/// walsender to let it go).
boost::asio::awaitable<void> drop_capture_objects(pg::conninfo source, std::string slot, std::string publication);

/// SQL enabling again, as they were (ENABLE ALWAYS / ENABLE REPLICA), the triggers that
/// suspend_replica_triggers recorded among these step keys; empty when there are none.
std::string restore_triggers_sql(const std::set<std::string>& step_keys);

/// SQL disabling again the triggers recorded among these step keys (after a cutover that
/// restored them failed or died); empty when there are none.
std::string suspend_again_sql(const std::set<std::string>& step_keys);

/// The step-key prefix of a suspended trigger: "trigger\x1f<schema>\x1f<table>\x1f<name>\x1f<A|R>".
inline constexpr const char* trigger_step_prefix = "trigger\x1f";

}  // namespace pghandoff::migration
