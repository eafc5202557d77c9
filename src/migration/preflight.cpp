#include "migration/preflight.hpp"

#include <fmt/format.h>

#include <set>

#include "catalog/selection_dependencies.hpp"
#include "catalog/selection_names.hpp"
#include "catalog/tablespaces.hpp"
#include "migration/capture_preflight.hpp"
#include "pg/connection.hpp"
#include "pg/quote.hpp"
#include "util/error.hpp"

namespace pghandoff::migration {

namespace {

std::string major_name(int version_num) {
    return version_num >= 100000 ? std::to_string(version_num / 10000)
                                 : fmt::format("{}.{}", version_num / 10000, version_num / 100 % 100);
}

boost::asio::awaitable<std::optional<pg::connection>> try_connect(const pg::conninfo& info, const char* label,
                                                                  preflight_report& report) {
    try {
        co_return co_await pg::connection::connect(info.with("application_name", "pghandoff"), label);
    } catch (const error& e) {
        report.problems.push_back(e.one_line());
        co_return std::nullopt;
    }
}

boost::asio::awaitable<void> check_source(pg::connection& src, const migrate_options& options, preflight_report& r) {
    r.source_version = src.server_version();
    if (r.source_version < 110000)
        r.problems.push_back("the source runs PostgreSQL " + major_name(r.source_version) +
                             ": pghandoff needs PostgreSQL 11 or newer on the source");
    auto info = co_await src.exec(
        "SELECT current_database(), pg_catalog.pg_encoding_to_char(d.encoding), "
        "       current_setting('wal_level'), r.rolsuper OR r.rolreplication, "
        "       (SELECT count(*) FROM pg_catalog.pg_replication_slots) < current_setting('max_replication_slots')::int, "
        "       r.rolsuper, current_user "
        "FROM pg_catalog.pg_database d, pg_catalog.pg_roles r "
        "WHERE d.datname = current_database() AND r.rolname = current_user");
    r.source_database = info.text(0, 0);
    r.source_encoding = info.text(0, 1);
    const bool logical = info.get(0, 2) == "logical";
    const bool replication = info.boolean(0, 3);
    const bool free_slot = info.boolean(0, 4);
    r.slot_snapshot = logical && replication && free_slot;
    if (!options.follow && !r.slot_snapshot) {
        std::string why = !logical ? "wal_level is " + info.text(0, 2)
                          : !replication ? "role " + info.text(0, 6) + " lacks REPLICATION"
                                         : "no replication slot is free";
        r.warnings.push_back("the source cannot create a logical replication slot (" + why +
                             "): taking the snapshot with pg_export_snapshot() instead");
    }
    try {
        auto id = co_await src.exec("SELECT system_identifier::text FROM pg_catalog.pg_control_system()");
        r.source_system_id = id.text(0, 0);
    } catch (const error&) {
        r.source_system_id = src.literal(options.source.display());
    }
    if (!info.boolean(0, 5)) {
        auto unreadable = co_await src.exec(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'S', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') "
            "  AND n.nspname NOT LIKE 'pg\\_toast%' AND NOT pg_catalog.has_table_privilege(c.oid, 'SELECT') ORDER BY 1, 2");
        int shown = 0;
        for (int i = 0; i < unreadable.rows(); ++i) {
            catalog::qualified_name name{unreadable.text(i, 0), unreadable.text(i, 1)};
            if (!options.selection.covers_table(name)) continue;
            if (++shown > 5) continue;
            r.problems.push_back("the source role cannot read " + name.display() + ": GRANT SELECT ON " + name.sql() +
                                 " TO " + pg::quote_ident(info.get(0, 6)) + ", or exclude it with --exclude-table");
        }
        if (shown > 5) r.problems.push_back(fmt::format("... and {} more unreadable tables", shown - 5));
    }
    // An --include-schema that matches no schema would leave nothing to migrate; an
    // --exclude-schema or --exclude-table that matches nothing is likely a typo, and what it
    // meant would be migrated.
    if (!options.selection.schemas().empty() || !options.selection.excluded_schemas().empty()) {
        auto found = co_await src.exec("SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1");
        std::vector<std::string> schemas;
        for (int i = 0; i < found.rows(); ++i) schemas.push_back(found.text(i, 0));
        for (auto& p : catalog::unmatched_schema_problems(options.selection, schemas, info.text(0, 0)))
            r.problems.push_back(std::move(p));
        for (auto& w : catalog::unmatched_excluded_schema_warnings(options.selection, schemas)) r.warnings.push_back(std::move(w));
    }
    if (!options.selection.excluded().empty()) {
        auto found = co_await src.exec(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')");
        std::vector<catalog::qualified_name> relations;
        for (int i = 0; i < found.rows(); ++i) relations.push_back({found.text(i, 0), found.text(i, 1)});
        for (auto& w : catalog::unmatched_table_warnings(options.selection, relations)) r.warnings.push_back(std::move(w));
    }
    // Row-level security: pghandoff reads with row_security = off, as pg_dump does, so a table
    // whose policies would hide rows from this role stops the copy with an error instead of
    // copying a part of it. Found here, before the copy starts.
    {
        auto hidden = co_await src.exec(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND c.relrowsecurity "
            "  AND (c.relforcerowsecurity OR NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')) "
            "  AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user) "
            "  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') ORDER BY 1, 2");
        int shown = 0;
        for (int i = 0; i < hidden.rows(); ++i) {
            catalog::qualified_name name{hidden.text(i, 0), hidden.text(i, 1)};
            if (!options.selection.covers_table(name) || ++shown > 5) continue;
            r.problems.push_back("table " + name.display() + " has row-level security that would hide rows from role " +
                                 info.text(0, 6) + ": ALTER ROLE " + pg::quote_ident(info.get(0, 6)) +
                                 " BYPASSRLS (or connect as a superuser), or exclude it with --exclude-table " +
                                 catalog::command_line_name(name));
        }
        if (shown > 5) r.problems.push_back(fmt::format("... and {} more tables with row-level security", shown - 5));
    }
    try {
        r.dump = schema::find_dump_tool(r.source_version / 10000, options.pg_dump);
    } catch (const error& e) {
        r.problems.push_back(e.one_line());
    }
}

boost::asio::awaitable<void> check_target(pg::connection& dst, pg::connection* src, const migrate_options& options,
                                          preflight_report& r) {
    r.target_version = dst.server_version();
    if (r.source_version && r.target_version / 10000 < r.source_version / 10000)
        r.problems.push_back("the target runs PostgreSQL " + major_name(r.target_version) + ", older than the source's " +
                             major_name(r.source_version) + ": migrate to the same or a newer major version");
    auto can_create = co_await dst.exec(
        "SELECT pg_catalog.has_database_privilege(current_database(), 'CREATE'), current_user, current_database(), "
        "       pg_catalog.pg_encoding_to_char(d.encoding) "
        "FROM pg_catalog.pg_database d WHERE d.datname = current_database()");
    // Rows are converted from the source's encoding to the target's as they load: any encoding
    // converts to UTF8, other pairs fail on the first character the target cannot hold.
    const std::string target_encoding = can_create.text(0, 3);
    if (!r.source_encoding.empty() && target_encoding != r.source_encoding) {
        if (r.source_encoding == "SQL_ASCII")
            r.warnings.push_back("the source database is SQL_ASCII and the target " + target_encoding +
                                 ": text with bytes that are not valid " + target_encoding + " will stop the copy");
        else if (target_encoding != "UTF8")
            r.problems.push_back("the target database's encoding " + target_encoding + " cannot hold every character of the source's " +
                                 r.source_encoding + ": create the target database with ENCODING '" + r.source_encoding +
                                 "' or 'UTF8' (TEMPLATE template0)");
    }
    if (!can_create.boolean(0, 0))
        r.problems.push_back("the target role " + can_create.text(0, 1) + " cannot create schemas in database " +
                             can_create.text(0, 2) + ": GRANT CREATE ON DATABASE " + pg::quote_ident(can_create.get(0, 2)) +
                             " TO " + pg::quote_ident(can_create.get(0, 1)) + ", or connect as its owner");
    r.progress = co_await load_progress(dst);
    if (!src) co_return;

    // Extensions the source uses must be installable on the target.
    auto exts = co_await src->exec("SELECT extname FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql' ORDER BY 1");
    auto available = co_await dst.exec("SELECT name FROM pg_catalog.pg_available_extensions");
    std::set<std::string> avail;
    for (int i = 0; i < available.rows(); ++i) avail.insert(available.text(i, 0));
    for (int i = 0; i < exts.rows(); ++i)
        if (!avail.count(exts.text(i, 0)))
            r.problems.push_back("extension " + exts.text(i, 0) +
                                 " is used on the source but not available on the target: install its package on the target server");

    // Objects that would fail on the target because the selection leaves out what they need:
    // found now rather than after hours of copying.
    {
        auto dependencies = co_await catalog::load_relation_dependencies(*src);
        std::vector<catalog::qualified_name> left_out;
        for (const auto& d : dependencies)
            for (const auto* name : {&d.referenced, &d.dependent})
                if (!options.selection.covers_table(*name)) left_out.push_back(*name);
        auto present = co_await catalog::relations_on_target(dst, std::move(left_out));
        auto broken = catalog::broken_dependency_problems(dependencies, options.selection, present);
        for (std::size_t i = 0; i < broken.size() && i < 5; ++i) r.problems.push_back(broken[i]);
        if (broken.size() > 5) r.problems.push_back(fmt::format("... and {} more objects that need a left-out relation", broken.size() - 5));
    }

    if (!options.no_tablespaces) {
        auto uses = co_await catalog::load_tablespace_uses(*src);
        if (!uses.empty()) {
            auto on_target = co_await catalog::load_tablespace_names(dst);
            for (auto& p : catalog::missing_tablespace_problems(uses, options.selection, on_target)) r.problems.push_back(p);
        }
    }

    if (r.progress) {
        const auto& id = r.progress->identity;
        if (id.source_system_id != r.source_system_id || id.source_database != r.source_database ||
            id.scope != options.selection.fingerprint())
            r.problems.push_back("the target holds the progress of another migration (from database " + id.source_database +
                                 " with other options): rerun that migration, or pass --drop-if-exists to start over");
    } else if (!options.drop_if_exists) {
        auto schemas = co_await src->exec(
            "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') "
            "AND nspname NOT LIKE 'pg\\_%'");
        auto tables = co_await dst.exec(
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff') "
            "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2");
        std::set<std::string> source_schemas;
        for (int i = 0; i < schemas.rows(); ++i)
            if (options.selection.covers_schema(schemas.get(i, 0))) source_schemas.insert(schemas.text(i, 0));
        int clashes = 0;
        std::string first;
        for (int i = 0; i < tables.rows(); ++i)
            if (source_schemas.count(tables.text(i, 0)) && clashes++ == 0)
                first = tables.text(i, 0) + "." + tables.text(i, 1);
        if (clashes > 0)
            r.problems.push_back(fmt::format(
                "the target already holds {} table(s) in the migrated schemas (first: {}) and no pghandoff progress: "
                "migrate into an empty database, or pass --drop-if-exists to drop them first",
                clashes, first));
    }

    if (!(options.no_owner && options.no_acl)) {
        auto used = co_await catalog::load_roles_in_use(*src);
        auto present = co_await catalog::load_role_names(dst);
        for (auto& role : used)
            if (!present.count(role.name)) r.missing_roles.push_back(role);
        if (!r.missing_roles.empty() && !options.copy_roles) {
            std::string names;
            for (const auto& role : r.missing_roles) names += (names.empty() ? "" : ", ") + role.name;
            r.warnings.push_back("roles missing on the target: " + names +
                                 "; their ownerships and privileges are left out (pass --copy-roles to create them)");
        }
    }
    co_return;
}

// Room for the sessions a run opens: the server's free slots (what a non-superuser may use of
// them), the role's and the database's CONNECTION LIMIT. Our own preflight session is counted
// as free: it closes before the run starts.
boost::asio::awaitable<void> check_connection_room(pg::connection& conn, const std::string& side, int needed, int jobs,
                                                   preflight_report& r) {
    auto room = co_await conn.exec(
        "SELECT current_setting('max_connections')::int "
        "       - CASE WHEN r.rolsuper THEN 0 ELSE current_setting('superuser_reserved_connections')::int "
        "              + coalesce(current_setting('reserved_connections', true), '0')::int END "
        "       - (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend') + 1, "
        "       CASE WHEN r.rolsuper OR r.rolconnlimit < 0 THEN NULL ELSE r.rolconnlimit - (SELECT count(*) "
        "            FROM pg_catalog.pg_stat_activity WHERE usename = current_user AND backend_type = 'client backend') + 1 END, "
        "       CASE WHEN r.rolsuper OR d.datconnlimit < 0 THEN NULL ELSE d.datconnlimit - (SELECT count(*) "
        "            FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend') + 1 END, "
        "       current_setting('max_connections'), r.rolconnlimit, d.datconnlimit, current_user, current_database() "
        "FROM pg_catalog.pg_roles r, pg_catalog.pg_database d WHERE r.rolname = current_user AND d.datname = current_database()");
    if (room.rows() != 1) co_return;
    long long free = room.integer(0, 0);
    std::string why = "max_connections is " + room.text(0, 3);
    if (!room.is_null(0, 1) && room.integer(0, 1) < free) {
        free = room.integer(0, 1);
        why = "role " + room.text(0, 6) + " has CONNECTION LIMIT " + room.text(0, 4);
    }
    if (!room.is_null(0, 2) && room.integer(0, 2) < free) {
        free = room.integer(0, 2);
        why = "database " + room.text(0, 7) + " has CONNECTION LIMIT " + room.text(0, 5);
    }
    if (free >= needed) co_return;
    const long long fits = free - (needed - jobs);
    r.problems.push_back(fmt::format("the {} has room for {} more connection(s) ({}) and pghandoff needs {} with --jobs {}: {}",
                                     side, std::max(free, 0LL), why, needed, jobs,
                                     fits >= 1 ? fmt::format("pass --jobs {} or fewer, or free connections", fits)
                                               : std::string("free connections or raise the limit")));
}

}  // namespace

boost::asio::awaitable<preflight_report> run_preflight(const migrate_options& options) {
    preflight_report report;
    auto src = co_await try_connect(options.source, "source", report);
    auto dst = co_await try_connect(options.target, "target", report);
    try {
        if (src) co_await check_source(*src, options, report);
        if (dst) co_await check_target(*dst, src ? &*src : nullptr, options, report);
        if (src && options.follow) co_await check_capture(*src, dst ? &*dst : nullptr, options, report);
        // Source: a snapshot session per worker, the catalog session and pg_dump (the replication
        // connection uses a WAL sender slot). Target: a session per worker and the run's own,
        // plus the apply connections when following.
        if (src) co_await check_connection_room(*src, "source", options.jobs + 2, options.jobs, report);
        if (dst)
            co_await check_connection_room(*dst, "target", options.jobs + 1 + (options.follow ? options.apply_jobs : 0),
                                           options.jobs, report);
    } catch (const error& e) {
        report.problems.push_back(e.one_line());
    }
    co_return report;
}

}  // namespace pghandoff::migration
