#include "cli/cli.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/demo_command.hpp"
#include "migration/check.hpp"
#include "migration/offline_migration.hpp"
#include "migration/preflight.hpp"
#include "pg/conninfo.hpp"
#include "util/error.hpp"
#include "util/logging.hpp"
#include "util/size.hpp"
#include "util/time_text.hpp"
#include "cli/control_commands.hpp"
#include "util/state_dir.hpp"

namespace pghandoff::cli {

namespace {

void print_error(const std::string& line) { std::fprintf(stderr, "pghandoff: error: %s\n", line.c_str()); }

struct migrate_args {
    std::string source, target, state_dir = "pghandoff-state", chunk_size = "auto", progress = "auto", pg_dump;
    std::string maintenance_work_mem = "auto", log_level = "info";
    int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    bool no_follow = false, drop_if_exists = false, no_owner = false, no_acl = false, copy_roles = false,
         no_tablespaces = false;
    bool replica_identity_full = false;
    std::string spool_limit = "8GB";
    int apply_jobs = 1;
    std::vector<std::string> include_schemas, exclude_schemas, exclude_tables, exclude_table_data;
    std::string cutover = "manual", max_lag = "1s", catchup_timeout = "10m", fence = "read-only", on_cutover;
    std::string hook_timeout = "5m";
    bool unfence_source = false;
    bool verify = false;
    bool check = false;
};

void add_migrate_options(CLI::App& cmd, migrate_args& a) {
    cmd.add_option("--source", a.source, "source database: URI or key=value string, as psql accepts")->required();
    cmd.add_option("--target", a.target, "target database (must exist): URI or key=value string")->required();
    cmd.add_option("--jobs,-j", a.jobs, "parallel streams for copy and index builds (default: number of cores)")
        ->check(CLI::Range(1, 256));
    cmd.add_option("--state-dir", a.state_dir, "private directory for the schema archive and the log (0700)");
    cmd.add_flag("--no-follow", a.no_follow, "offline migration: copy the snapshot, do not stream changes");
    cmd.add_flag("--check", a.check,
                 "run the preflight checks and print what a run would migrate and how; change nothing (exit 1 on problems)");
    cmd.add_option("--include-schema", a.include_schemas, "migrate only the schemas matching this pg_dump -n pattern (repeatable)");
    cmd.add_option("--exclude-schema", a.exclude_schemas, "leave out the schemas matching this pg_dump -N pattern (repeatable)");
    cmd.add_option("--exclude-table", a.exclude_tables, "leave out the tables matching this pg_dump -T pattern, schema.table (repeatable)");
    cmd.add_option("--exclude-table-data", a.exclude_table_data, "create the tables matching this pg_dump pattern but leave their rows out (repeatable; online, their changes too)");
    cmd.add_flag("--drop-if-exists", a.drop_if_exists, "drop the target's objects that the migration creates, first");
    cmd.add_flag("--no-owner", a.no_owner, "do not set object owners (as pg_restore --no-owner)");
    cmd.add_flag("--no-acl", a.no_acl, "do not copy privileges (as pg_restore --no-acl)");
    cmd.add_flag("--no-tablespaces", a.no_tablespaces,
                 "create every table and index in the target's default tablespace (as pg_restore --no-tablespaces)");
    cmd.add_flag("--copy-roles", a.copy_roles, "create roles that own or are granted objects and are missing on the target");
    cmd.add_flag("--replica-identity-full", a.replica_identity_full,
                 "online: set REPLICA IDENTITY FULL on source tables without a primary key, so their changes replicate");
    cmd.add_option("--spool-limit", a.spool_limit,
                   "online: disk the change spool may use before pghandoff stops reading (the source keeps the WAL); default 8GB");
    cmd.add_option("--apply-jobs", a.apply_jobs,
                   "online: apply connections; tables linked by foreign keys or partitioning share one, each keeps "
                   "source commit order and its own replication origin (default 1; fixed by the first run)")
        ->check(CLI::Range(1, 64));
    cmd.add_option("--chunk-size", a.chunk_size, "cut tables bigger than this (heap+TOAST bytes) into chunks of that size (default auto: one job's share of the data, 256MB to 8GB)");
    cmd.add_option("--pg-dump", a.pg_dump, "path of the pg_dump to use (default: the newest found that fits the source)");
    cmd.add_option("--maintenance-work-mem", a.maintenance_work_mem, "maintenance_work_mem of the index builds on the target (default auto: about 3x each table's index size on the source, 64MB to 1GB)");
    cmd.add_option("--cutover", a.cutover,
                   "online: when to cut over: manual (on `pghandoff cutover`, default), auto (as soon as lag is under "
                   "--max-lag) or at=<RFC 3339 time>");
    cmd.add_option("--max-lag", a.max_lag, "online, --cutover auto: lag that triggers the cutover (default 1s)");
    cmd.add_option("--catchup-timeout", a.catchup_timeout,
                   "online: longest wait for the target to catch up when a cutover starts (default 10m)");
    cmd.add_option("--fence", a.fence,
                   "online: how writes stop on the source at the cutover: read-only (default: the database turns "
                   "read-only, its other sessions are ended) or none (the application is already stopped)")
        ->check(CLI::IsMember({"read-only", "none"}));
    cmd.add_option("--on-cutover", a.on_cutover,
                   "online: shell command that switches the application to the target; gets NEW_DATABASE_URL and "
                   "OLD_DATABASE_URL; a failure undoes the fence");
    cmd.add_option("--hook-timeout", a.hook_timeout, "online: longest run of the --on-cutover command (default 5m)");
    cmd.add_flag("--verify", a.verify,
                 "compare the target with the source at the end of an offline migration, or right after the cutover "
                 "(outside the downtime, as of the cutover); the result goes into report.json");
    cmd.add_flag("--unfence-source", a.unfence_source, "online: make the source writable again after the cutover");
    cmd.add_option("--progress", a.progress, "progress display: auto, tty, plain or none")
        ->check(CLI::IsMember({"auto", "tty", "plain", "none"}));
    cmd.add_option("--log-level", a.log_level, "debug, info, warn or error")->check(CLI::IsMember({"debug", "info", "warn", "error"}));
}

migration::migrate_options to_options(const migrate_args& a) {
    migration::migrate_options o;
    o.source = pg::conninfo::parse(a.source);
    o.target = pg::conninfo::parse(a.target);
    o.jobs = a.jobs;
    o.state_dir = a.state_dir;
    o.follow = !a.no_follow;
    for (const auto& s : a.include_schemas) o.selection.include_schema(catalog::scope::parse_schema_pattern(s));
    for (const auto& s : a.exclude_schemas) o.selection.exclude_schema(catalog::scope::parse_schema_pattern(s));
    for (const auto& t : a.exclude_tables) o.selection.exclude_table(catalog::scope::parse_table_pattern(t));
    for (const auto& t : a.exclude_table_data) o.selection.exclude_table_data(catalog::scope::parse_table_pattern(t));
    o.drop_if_exists = a.drop_if_exists;
    o.no_owner = a.no_owner;
    o.no_acl = a.no_acl;
    o.no_tablespaces = a.no_tablespaces;
    o.copy_roles = a.copy_roles;
    o.replica_identity_full = a.replica_identity_full;
    o.spool_limit_bytes = parse_size(a.spool_limit);
    o.apply_jobs = a.apply_jobs;
    if (!a.pg_dump.empty()) o.pg_dump = a.pg_dump;
    o.chunk_bytes = a.chunk_size == "auto" ? 0 : parse_size(a.chunk_size);
    o.maintenance_work_mem = a.maintenance_work_mem;
    o.progress = a.progress == "tty" ? migration::progress_mode::terminal
                 : a.progress == "plain" ? migration::progress_mode::plain
                 : a.progress == "none" ? migration::progress_mode::none
                                        : migration::progress_mode::automatic;
    if (a.cutover == "manual") {
        o.cutover = migration::cutover_mode::manual;
    } else if (a.cutover == "auto") {
        o.cutover = migration::cutover_mode::automatic;
    } else if (a.cutover.starts_with("at=")) {
        o.cutover = migration::cutover_mode::scheduled;
        o.cutover_at = parse_rfc3339(a.cutover.substr(3));
    } else {
        throw error("invalid --cutover '" + a.cutover + "'", "use manual, auto or at=2026-11-21T18:00:00Z");
    }
    o.max_lag = parse_duration(a.max_lag);
    o.catchup_timeout = parse_duration(a.catchup_timeout);
    o.fence_read_only = a.fence != "none";
    o.on_cutover = a.on_cutover;
    o.hook_timeout = parse_duration(a.hook_timeout);
    o.unfence_source = a.unfence_source;
    o.verify = a.verify;
    if (!o.follow && (a.cutover != "manual" || !a.on_cutover.empty()))
        throw error("--cutover and --on-cutover apply to an online migration", "leave out --no-follow");
    return o;
}

int run_check(const migration::migrate_options& options) {
    setup_logging(spdlog::level::warn, std::nullopt);
    auto check = migration::check_migration(options);
    for (const auto& w : check.preflight.warnings) std::fprintf(stderr, "pghandoff: warning: %s\n", w.c_str());
    if (!check.preflight.problems.empty()) throw migration::preflight_failed(check.preflight.problems);
    for (const auto& line : migration::describe_check(check, options)) std::printf("%s\n", line.c_str());
    std::printf("check passed: nothing was changed on either server\n");
    return 0;
}

int run_migrate(const migrate_args& a) {
    auto options = to_options(a);
    if (a.check) return run_check(options);
    ensure_state_dir(options.state_dir);
    const state_dir_lock lock(options.state_dir, "this migrate");
    const bool tty = options.progress == migration::progress_mode::terminal ||
                     (options.progress == migration::progress_mode::automatic && isatty(STDERR_FILENO));
    auto level = spdlog::level::from_str(a.log_level);
    setup_logging(tty ? std::max(level, spdlog::level::warn) : level, options.state_dir / "pghandoff.log");
    spdlog::info("migrating {} -> {} with {} jobs", options.source.display(), options.target.display(), options.jobs);
    migration::run_offline_migration(options);
    if (!options.follow) spdlog::info("migration complete: the target holds the source's snapshot");
    return 0;
}

}  // namespace

int run(int argc, char** argv) {
    CLI::App app{"pghandoff: move a live PostgreSQL database to another server"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("pghandoff ") + PGHANDOFF_VERSION);

    migrate_args margs;
    auto* migrate = app.add_subcommand("migrate", "copy a database from a source server to a target server");
    add_migrate_options(*migrate, margs);

    demo_args dargs;
    auto* demo = app.add_subcommand("demo", "start two throwaway local servers with sample data and migrate between them");
    add_demo_options(*demo, dargs);

    cutover_args cargs;
    auto* cutover = app.add_subcommand("cutover", "tell the running online migrate to cut over now, and follow it");
    add_cutover_options(*cutover, cargs);
    status_args sargs;
    auto* status = app.add_subcommand("status", "show the phase, copy progress and lag of a migration");
    add_status_options(*status, sargs);
    verify_args vargs;
    auto* verify = app.add_subcommand("verify", "compare the target with the source: rows, sequences, large objects, schema objects");
    add_verify_options(*verify, vargs);
    cleanup_args clargs;
    auto* cleanup = app.add_subcommand("cleanup", "remove what pghandoff left on the servers after an abandoned migration");
    add_cleanup_options(*cleanup, clargs);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        print_error(e.what() + std::string(" (see pghandoff --help)"));
        return 2;
    }

    try {
        if (*migrate) return run_migrate(margs);
        if (*demo) return run_demo(dargs);
        if (*cutover) return run_cutover(cargs);
        if (*status) return run_status(sargs);
        if (*cleanup) return run_cleanup(clargs);
        if (*verify) return run_verify_command(vargs);
    } catch (const migration::preflight_failed& e) {
        for (const auto& p : e.problems()) print_error(p);
        return 1;
    } catch (const error& e) {
        print_error(e.one_line());
        return 1;
    } catch (const std::exception& e) {
        print_error(pg::mask_passwords(e.what()));
        return 1;
    }
    return 2;
}

}  // namespace pghandoff::cli
