#include "migration/snapshot.hpp"

#include "pg/replication.hpp"

namespace pghandoff::migration {

pg::conninfo streaming_conninfo(const pg::conninfo& source) {
    std::string options = source.get("options").value_or("");
    options += (options.empty() ? "" : " ") + std::string("-c datestyle=ISO -c intervalstyle=postgres -c extra_float_digits=3");
    return pg::replication_conninfo(source).with("options", options).with("application_name", "pghandoff");
}

boost::asio::awaitable<source_snapshot> take_slot_snapshot(pg::conninfo source, std::string slot_name, bool temporary) {
    auto conn = co_await pg::connection::connect(streaming_conninfo(source), "source (replication)");
    auto slot = co_await pg::create_exported_slot(conn, slot_name, temporary);
    source_snapshot s;
    s.name = slot.snapshot_name;
    s.slot_name = slot.slot_name;
    s.consistent_point = slot.consistent_point;
    s.holder.emplace(std::move(conn));
    co_return s;
}

boost::asio::awaitable<source_snapshot> take_exported_snapshot(const pg::conninfo& source) {
    auto conn = co_await pg::connection::connect(source.with("application_name", "pghandoff"), "source");
    auto res = co_await conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_catalog.pg_export_snapshot()");
    source_snapshot s;
    s.name = res.text(0, 0);
    s.holder.emplace(std::move(conn));
    co_return s;
}

}  // namespace pghandoff::migration
