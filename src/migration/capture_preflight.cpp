#include "migration/capture_preflight.hpp"

#include "catalog/replica_identity.hpp"
#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::migration {

namespace {

boost::asio::awaitable<void> check_source(pg::connection& source, const migrate_options& options, preflight_report& r) {
    auto info = co_await source.exec(
        "SELECT current_setting('wal_level'), current_user, r.rolsuper OR r.rolreplication OR EXISTS ("
        "         SELECT 1 FROM pg_catalog.pg_roles g WHERE g.rolname = 'rds_replication' "
        "         AND pg_catalog.pg_has_role(current_user, g.oid, 'MEMBER')), "
        "       current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_catalog.pg_replication_slots), "
        "       current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_catalog.pg_stat_activity "
        "                                                   WHERE backend_type = 'walsender'), "
        "       current_setting('max_slot_wal_keep_size') "
        "FROM pg_catalog.pg_roles r WHERE r.rolname = current_user");
    const std::string user = info.text(0, 1);
    if (info.get(0, 0) != "logical")
        r.problems.push_back("the source has wal_level=" + info.text(0, 0) +
                             ", and streaming changes needs logical: ALTER SYSTEM SET wal_level = logical and restart "
                             "the source (on managed services: enable logical replication), or use --no-follow");
    if (!info.boolean(0, 2))
        r.problems.push_back("the source role " + user + " may not stream changes: ALTER ROLE " + pg::quote_ident(user) +
                             " REPLICATION (on Amazon RDS: GRANT rds_replication TO " + pg::quote_ident(user) + ")");
    if (info.integer(0, 3) < 1)
        r.problems.push_back("the source has no free replication slot: raise max_replication_slots (restart needed) "
                             "or drop an unused slot");
    if (info.integer(0, 4) < 1)
        r.problems.push_back("the source has no free WAL sender: raise max_wal_senders (restart needed)");
    if (info.get(0, 5) != "-1")
        r.warnings.push_back("the source limits the WAL a slot may hold (max_slot_wal_keep_size = " + info.text(0, 5) +
                             "): if the copy outlasts it the slot is lost and the migration must restart; "
                             "raise it or set -1 for the migration");
    auto blocked = co_await catalog::load_blocked_tables(source, options.selection);
    for (const auto& t : blocked) {
        if (t.why == catalog::replication_blocker::no_identity && options.replica_identity_full) {
            r.warnings.push_back("table " + t.name.display() + " has no primary key: pghandoff sets REPLICA IDENTITY FULL "
                                 "on the source (--replica-identity-full)");
            r.identity_full_tables.push_back(t.name);
            continue;
        }
        r.problems.push_back(catalog::describe_blocker(t));
    }
}

boost::asio::awaitable<void> check_target(pg::connection& target, preflight_report& r) {
    // Try what the applier needs, in a transaction that is rolled back.
    bool allowed = true;
    try {
        co_await target.exec("BEGIN; SET LOCAL session_replication_role = replica");
    } catch (const error&) {
        allowed = false;
    }
    co_await target.exec("ROLLBACK");
    if (!allowed)
        r.problems.push_back("the target role may not set session_replication_role, which applying changes without "
                             "firing triggers and foreign keys needs: connect as a superuser (rds_superuser, "
                             "cloudsqlsuperuser, azure_pg_admin on managed services)");
    auto origin = co_await target.exec(
        "SELECT pg_catalog.has_function_privilege('pg_catalog.pg_replication_origin_session_setup(text)', 'EXECUTE')");
    if (!origin.boolean(0, 0))
        r.problems.push_back("the target role may not use replication origins, which exactly-once apply needs: "
                             "connect as a superuser or GRANT EXECUTE ON the pg_replication_origin_* functions");
}

}  // namespace

boost::asio::awaitable<void> check_capture(pg::connection& source, pg::connection* target, const migrate_options& options,
                                           preflight_report& report) {
    co_await check_source(source, options, report);
    if (target) co_await check_target(*target, report);
}

}  // namespace pghandoff::migration
