#include "pg/replication.hpp"

#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::pg {

conninfo replication_conninfo(const conninfo& info) { return info.with("replication", "database"); }

boost::asio::awaitable<system_identity> identify_system(connection& replication) {
    auto res = co_await replication.exec("IDENTIFY_SYSTEM");
    if (res.rows() != 1 || res.columns() < 4) throw error(replication.label() + ": unexpected IDENTIFY_SYSTEM reply");
    system_identity id;
    id.system_id = res.text(0, 0);
    id.timeline = static_cast<int>(res.integer(0, 1));
    id.flush_position = lsn::parse(res.get(0, 2)).value_or(lsn{});
    id.database = res.text(0, 3);
    co_return id;
}

boost::asio::awaitable<exported_slot> create_exported_slot(connection& replication, const std::string& slot_name,
                                                           bool temporary) {
    std::string sql = "CREATE_REPLICATION_SLOT " + quote_ident(slot_name) + (temporary ? " TEMPORARY" : "") +
                      " LOGICAL pgoutput";
    sql += replication.server_version() >= 150000 ? " (SNAPSHOT 'export')" : " EXPORT_SNAPSHOT";
    auto res = co_await replication.exec(sql);
    if (res.rows() != 1 || res.columns() < 3 || res.is_null(0, 2))
        throw error(replication.label() + ": the server created slot " + slot_name + " without exporting a snapshot");
    exported_slot slot;
    slot.slot_name = res.text(0, 0);
    slot.consistent_point = lsn::parse(res.get(0, 1)).value_or(lsn{});
    slot.snapshot_name = res.text(0, 2);
    co_return slot;
}

}  // namespace pghandoff::pg
