// The offline migration (`migrate --no-follow`) run as a user runs it: the real binary
// against real servers, judged by comparing the target with the source.

#include "support/conninfo.hpp"
#include "support/db_compare.hpp"
#include "support/fixtures.hpp"
#include "support/pghandoff_cli.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace pghandoff::integration {
namespace {

constexpr const char* small_chunks = "65536";

/// Rows of a table big enough that copying it takes the tool a few seconds.
constexpr long long bulk_rows = 2000000;

std::string bulk_table_sql() {
    return "CREATE SCHEMA bulk; "
           "CREATE TABLE bulk.readings (id bigint NOT NULL, sensor integer NOT NULL, "
           "taken_at timestamptz NOT NULL, value double precision, note text); "
           "INSERT INTO bulk.readings SELECT i, i % 1000, timestamptz '2024-01-01 00:00+00' + i * interval '1 second', "
           "(i % 9973) / 7.0, md5(i::text) FROM generate_series(1, " +
           std::to_string(bulk_rows) +
           ") AS i; "
           "ALTER TABLE bulk.readings ADD PRIMARY KEY (id)";
}

class migrate_offline : public server_test {
protected:
    /// Fresh databases on source and target (or on target_other), the hard schema in the source.
    void prepare(const std::string& label, const std::optional<std::string>& target_server = std::nullopt) {
        databases_.emplace(servers_.source, target_server.value_or(servers_.target), label);
        auto source = databases_->connect_source();
        load_hard_schema(source);
    }

    void create_roles_on_target() {
        auto target = databases_->connect_target();
        create_fixture_roles(target);
    }

    std::vector<std::string> migrate_arguments(const std::vector<std::string>& extra = {}) const {
        return offline_migrate_arguments(databases_->source_uri(), databases_->target_uri(), state_.path(),
                                         extra);
    }

    /// The run was refused before it changed anything, with one error line holding `line`.
    void expect_refused(const command_result& run, const std::string& line) const {
        EXPECT_GT(run.exit_code, 0) << describe(run);
        EXPECT_EQ(error_lines(run.stderr_text).size(), 1u) << describe(run);
        EXPECT_TRUE(mentions(run.stderr_text, line)) << describe(run);
        EXPECT_EQ(replication_slots_on_source(), "0");
    }

    std::vector<std::string> differences(const compare_options& options = {}) const {
        return compare_databases(databases_->source_conninfo(), databases_->target_conninfo(), options);
    }

    std::string replication_slots_on_source() const {
        auto source = databases_->connect_source();
        return source.scalar("SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")
            .value();
    }

    temporary_directory state_;
    temporary_directory logs_;
    std::optional<test_databases> databases_;
};

TEST_F(migrate_offline, migrates_hard_schema_exactly) {
    prepare("hard_schema");
    create_roles_on_target();

    const auto run = run_pghandoff(migrate_arguments({"--chunk-size", small_chunks}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
    EXPECT_EQ(replication_slots_on_source(), "0");
}

TEST_F(migrate_offline, analyzes_every_table_expression_indexes_and_extended_statistics_included) {
    prepare("hard_schema_stats");
    create_roles_on_target();

    // Default chunking: most tables are copied whole and analyzed in their copy's transaction;
    // "Sales"."Orders" (an expression index) and "Sales"."Customers" (CREATE STATISTICS) only
    // once their post-data is in.
    const auto run = run_pghandoff(migrate_arguments());

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto target = databases_->connect_target();
    EXPECT_EQ(target
                  .scalar("SELECT coalesce(string_agg(c.oid::regclass::text, ', '), '') FROM pg_class c "
                          "JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                          "AND n.nspname NOT LIKE 'pg_toast%' AND pg_relation_size(c.oid) > 0 AND c.relnatts > 0 "
                          "AND NOT EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid)")
                  .value(),
              "")
        << "tables holding rows without statistics on the target\n" << describe(run);
    EXPECT_NE(target.scalar("SELECT count(*) FROM pg_statistic WHERE starelid = '\"Sales\".\"Orders by lower code\"'::regclass")
                  .value(),
              "0")
        << "no statistics of the expression index";
    EXPECT_EQ(target
                  .scalar("SELECT count(*) FROM pg_statistic_ext e JOIN pg_statistic_ext_data d ON d.stxoid = e.oid "
                          "WHERE e.stxname = 'customers_mood_created' AND d.stxddependencies IS NOT NULL "
                          "AND d.stxdndistinct IS NOT NULL")
                  .value(),
              "1")
        << "the extended statistics were not computed";
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, migrates_hard_schema_to_other_major_version) {
    if (!servers_.target_other) GTEST_SKIP() << "PGHANDOFF_TEST_TARGET_OTHER is not set";
    prepare("other_major", servers_.target_other);

    const auto run = run_pghandoff(migrate_arguments({"--chunk-size", small_chunks, "--copy-roles"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
    EXPECT_EQ(replication_slots_on_source(), "0");
}

TEST_F(migrate_offline, migrates_hard_schema_over_tls) {
    // Over TLS the rows go through libpq's own sends; on a plain socket pghandoff writes its
    // CopyData messages itself (every other test). Both must give the same target.
    prepare("over_tls");
    create_roles_on_target();
    ASSERT_EQ(databases_->connect_target().scalar("SHOW ssl").value(), "on")
        << "the test target must have TLS on (tools/pg-cluster start --ssl)";
    auto target = parse_conninfo(databases_->target_uri());
    target["sslmode"] = "require";

    const auto run = run_pghandoff(offline_migrate_arguments(databases_->source_uri(), to_uri(target), state_.path(),
                                                             {"--chunk-size", small_chunks}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

/// True once the target shows the bulk table being copied: a COPY into it running, or rows in it.
bool bulk_copy_started(pg_session& target) {
    return target.scalar(
               "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
               "AND pid <> pg_backend_pid() AND query ILIKE '%copy%readings%') "
               "OR coalesce((SELECT sum(n_tup_ins) FROM pg_stat_user_tables WHERE schemaname = 'bulk'), 0) > 0") ==
           "t";
}

TEST_F(migrate_offline, resumes_after_kill_during_copy) {
    prepare("resume");
    create_roles_on_target();
    databases_->connect_source().exec(bulk_table_sql());
    const auto arguments =
        migrate_arguments({"--jobs", "2", "--chunk-size", std::to_string(8 * 1024 * 1024)});

    {
        background_command first_run{pghandoff_command(arguments), {}, logs_.path()};
        auto target = databases_->connect_target();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
        while (first_run.running() && !bulk_copy_started(target) &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        ASSERT_TRUE(first_run.running()) << "the migration ended before it could be killed during the copy: "
                                         << describe(first_run.wait());
        first_run.kill(SIGKILL);
        const auto killed = first_run.wait(std::chrono::seconds(30));
        ASSERT_EQ(killed.signal, SIGKILL) << describe(killed);
        const bool bulk_exists = target.scalar("SELECT to_regclass('bulk.readings') IS NOT NULL") == "t";
        const auto copied =
            bulk_exists ? std::stoll(target.scalar("SELECT count(*) FROM bulk.readings").value()) : 0;
        ASSERT_LT(copied, bulk_rows) << "the kill came after the bulk table was copied";
    }

    const auto second_run = run_pghandoff(arguments);

    ASSERT_EQ(second_run.exit_code, 0) << describe(second_run);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
    EXPECT_EQ(replication_slots_on_source(), "0");
}

TEST_F(migrate_offline, fails_in_one_line_when_the_target_connection_dies_during_a_copy_then_resumes) {
    // pghandoff writes CopyData to the target's socket itself on plain connections: a target
    // backend that goes away mid-COPY must end the run with one error line, not a hang.
    prepare("target_lost");
    create_roles_on_target();
    databases_->connect_source().exec(bulk_table_sql());
    const auto arguments = migrate_arguments({"--jobs", "2"});

    {
        background_command first_run{pghandoff_command(arguments), {}, logs_.path()};
        auto target = databases_->connect_target();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
        std::string ended = "0";
        while (first_run.running() && ended == "0" && std::chrono::steady_clock::now() < deadline) {
            ended = target
                        .scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                                "AND query ILIKE '%copy%readings%from%'")
                        .value();
            if (ended == "0") std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ASSERT_NE(ended, "0") << "no COPY into the bulk table was seen: " << describe(first_run.wait());
        const auto failed = first_run.wait(std::chrono::seconds(60));
        EXPECT_NE(failed.exit_code, 0) << describe(failed);
        const auto errors = error_lines(failed.stderr_text);
        ASSERT_EQ(errors.size(), 1u) << describe(failed);
        EXPECT_TRUE(mentions(errors.front(), "target")) << describe(failed);
        EXPECT_EQ(replication_slots_on_source(), "0");
    }

    const auto second_run = run_pghandoff(arguments);

    ASSERT_EQ(second_run.exit_code, 0) << describe(second_run);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
    EXPECT_EQ(replication_slots_on_source(), "0");
}

TEST_F(migrate_offline, refuses_nonempty_target_without_drop_if_exists) {
    prepare("nonempty_target");
    create_roles_on_target();
    auto target = databases_->connect_target();
    target.exec(
        "CREATE SCHEMA app; CREATE TABLE app.big_values (id integer); "
        "INSERT INTO app.big_values VALUES (42)");

    const auto refused = run_pghandoff(migrate_arguments());

    EXPECT_NE(refused.exit_code, 0) << describe(refused);
    EXPECT_FALSE(refused.signal.has_value()) << describe(refused);
    const auto errors = error_lines(refused.stderr_text);
    ASSERT_FALSE(errors.empty()) << describe(refused);
    EXPECT_TRUE(mentions(refused.stderr_text, "--drop-if-exists")) << describe(refused);
    EXPECT_EQ(target.scalar("SELECT string_agg(id::text, ',') FROM app.big_values"), "42")
        << "the refused run must leave the existing table alone";

    const auto replaced = run_pghandoff(migrate_arguments({"--drop-if-exists"}));

    ASSERT_EQ(replaced.exit_code, 0) << describe(replaced);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, keeps_its_sessions_through_the_target_idle_session_and_transaction_timeouts) {
    // While one worker copies the big table, the other has nothing to do for seconds, and the
    // copy's transaction lasts as long: a server that ends idle sessions (14+) or long
    // transactions (17+) must not end pghandoff's.
    const auto target_server = servers_.target_other.value_or(servers_.target);
    databases_.emplace(servers_.source, target_server, "timeouts");
    auto source = databases_->connect_source();
    // Two index builds wait for the big copy, so both workers' sessions are used after it.
    source.exec(bulk_table_sql() + "; CREATE INDEX ON bulk.readings (sensor); CREATE INDEX ON bulk.readings (taken_at); "
                                   "CREATE TABLE small (id int PRIMARY KEY); INSERT INTO small VALUES (1)");
    {
        auto target = databases_->connect_target();
        const auto name = target.quote_identifier(databases_->target_name());
        target.exec("ALTER DATABASE " + name + " SET idle_session_timeout = '1s'");
        if (std::stoi(target.scalar("SHOW server_version_num").value()) >= 170000)
            target.exec("ALTER DATABASE " + name + " SET transaction_timeout = '1s'");
    }

    const auto run = run_pghandoff(migrate_arguments({"--jobs", "2"}));

    // The comparison's own sessions are not pghandoff's: give them the default back.
    {
        auto target = databases_->connect_target();
        target.exec("ALTER DATABASE " + target.quote_identifier(databases_->target_name()) + " RESET ALL");
    }
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, check_reports_the_plan_and_changes_nothing_then_the_run_matches_it) {
    databases_.emplace(servers_.source, servers_.target, "check_plan");
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE big (id bigint PRIMARY KEY, body text); "
                "INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g; "
                "CREATE TABLE small (id int PRIMARY KEY, big_id bigint REFERENCES big); INSERT INTO small VALUES (1, 1); "
                "CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE moods (m mood[]); INSERT INTO moods VALUES ('{ok}'); "
                "CREATE SEQUENCE tickets; SELECT nextval('tickets'); SELECT lo_from_bytea(0, 'x')");

    const auto bad = run_pghandoff(migrate_arguments({"--check", "--include-schema", "nowhere"}));
    EXPECT_EQ(bad.exit_code, 1) << describe(bad);
    EXPECT_EQ(error_lines(bad.stderr_text).size(), 1u) << describe(bad);

    const auto check = run_pghandoff(migrate_arguments({"--check", "--jobs", "2"}));

    ASSERT_EQ(check.exit_code, 0) << describe(check);
    for (const char* expected :
         {"mode: offline (--no-follow)", "tables: 3 (", "in 3 chunks with --jobs 2: 2 binary, 1 text",
          "  public.big: ", "1 chunk(s), binary", "sequences: 1; large objects: 1",
          "check passed: nothing was changed on either server"})
        EXPECT_TRUE(mentions(check.stdout_text, expected)) << expected << "\n" << describe(check);
    // Nothing was created: no slot, nothing on the target, nothing in the state directory.
    EXPECT_EQ(replication_slots_on_source(), "0");
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"),
              "0");
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'pghandoff'"), "0");
    EXPECT_TRUE(std::filesystem::is_empty(state_.path())) << state_.path();

    const auto run = run_pghandoff(migrate_arguments({"--jobs", "2"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_TRUE(mentions(run.stderr_text, "copied public.moods chunk 1/1: 1 rows")) << run.stderr_text;
    EXPECT_TRUE(mentions(run.stderr_text, "(text, analyzed)")) << run.stderr_text;
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, migrates_only_the_included_schema) {
    prepare("include_schema");
    create_roles_on_target();

    const auto run = run_pghandoff(migrate_arguments({"--include-schema", "ünïcødé"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT count(*) FROM \"ünïcødé\".\"Ταβλε ünïcødé\""), "303");
    EXPECT_EQ(target.scalar("SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace "
                            "WHERE nspname IN ('app', 'Sales', 'ünïcødé')"),
              "ünïcødé");
    compare_options options;
    options.schemas = {"ünïcødé"};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, leaves_out_excluded_tables) {
    prepare("exclude_table");
    create_roles_on_target();

    const auto run = run_pghandoff(
        migrate_arguments({"--exclude-table", "app.big_values", "--exclude-table", "app.keyless_log"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar(
                  "SELECT to_regclass('app.big_values') IS NULL AND to_regclass('app.keyless_log') IS NULL"),
              "t");
    EXPECT_EQ(target.scalar("SELECT count(*) FROM app.employees"), "500");
    compare_options options;
    options.excluded_tables = {{"app", "big_values"}, {"app", "keyless_log"}};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, selects_schemas_and_tables_by_pg_dump_patterns) {
    databases_.emplace(servers_.source, servers_.target, "name_patterns");
    auto source = databases_->connect_source();
    source.exec("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA \"Tenant_C\"; CREATE SCHEMA shared; "
                "CREATE TABLE tenant_a.orders (id int PRIMARY KEY, v text); "
                "INSERT INTO tenant_a.orders SELECT g, 'a' || g FROM generate_series(1, 100) g; "
                "CREATE TABLE tenant_a.audit_2023 (id int, v text); INSERT INTO tenant_a.audit_2023 VALUES (1, 'x'); "
                "CREATE TABLE tenant_a.audit_2024 (id int); INSERT INTO tenant_a.audit_2024 VALUES (2); "
                "CREATE VIEW tenant_a.audit_all AS SELECT id FROM tenant_a.audit_2023 UNION ALL SELECT id FROM tenant_a.audit_2024; "
                "CREATE TABLE tenant_b.orders (id int PRIMARY KEY); INSERT INTO tenant_b.orders SELECT generate_series(1, 30); "
                "CREATE TABLE tenant_b.audit_x (id int); INSERT INTO tenant_b.audit_x VALUES (3); "
                "CREATE TABLE tenant_b.\"Audit_Keep\" (id int); INSERT INTO tenant_b.\"Audit_Keep\" VALUES (4), (5); "
                "CREATE TABLE \"Tenant_C\".orders (id int); CREATE TABLE shared.orders (id int); CREATE TABLE public.t (id int)");

    // Unquoted patterns fold to lower case, as pg_dump's -n and -T do: tenant_* leaves out
    // "Tenant_C", and audit_* (a view among its matches) keeps "Audit_Keep".
    const auto run = run_pghandoff(migrate_arguments(
        {"--include-schema", "tenant_*", "--exclude-table", "*.audit_*", "--exclude-table", "tenant_?.nothing_*"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_TRUE(mentions(run.stderr_text,
                         "--exclude-table tenant_?.nothing_* matches no table on the source: nothing is left out for it"))
        << run.stderr_text;
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname || '.' || c.relname COLLATE \"C\") FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'v') "
                            "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pghandoff')"),
              "tenant_a.orders,tenant_b.Audit_Keep,tenant_b.orders");
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_namespace WHERE nspname IN ('Tenant_C', 'shared')"), "0");
    compare_options options;
    options.schemas = {"tenant_a", "tenant_b"};
    options.excluded_tables = {{"tenant_a", "audit_2023"}, {"tenant_a", "audit_2024"}, {"tenant_a", "audit_all"},
                               {"tenant_b", "audit_x"}};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, leaves_out_excluded_schemas_and_names_the_view_that_needs_one) {
    databases_.emplace(servers_.source, servers_.target, "exclude_schema");
    auto source = databases_->connect_source();
    source.exec("CREATE SCHEMA archive_2023; CREATE SCHEMA archive_2024; CREATE SCHEMA \"Archive_Keep\"; "
                "CREATE TABLE archive_2023.orders (id int PRIMARY KEY); INSERT INTO archive_2023.orders VALUES (1), (2); "
                "CREATE TABLE archive_2024.orders (id int PRIMARY KEY); "
                "CREATE TABLE \"Archive_Keep\".notes (id int PRIMARY KEY); INSERT INTO \"Archive_Keep\".notes VALUES (7); "
                "CREATE TABLE orders (id int PRIMARY KEY, v text); "
                "INSERT INTO orders SELECT g, 'o' || g FROM generate_series(1, 50) g; "
                "CREATE VIEW old_orders AS SELECT id FROM archive_2023.orders; "
                "SELECT lo_from_bytea(424242, 'a large object belongs to no schema')");

    const auto refused = run_pghandoff(migrate_arguments({"--exclude-schema", "archive_*"}));

    expect_refused(refused, "view public.old_orders reads archive_2023.orders, which is not migrated and not on the "
                            "target: exclude the view too (--exclude-table public.old_orders) or stop excluding schema "
                            "archive_2023");

    const auto run = run_pghandoff(
        migrate_arguments({"--exclude-schema", "archive_*", "--exclude-table", "old_orders", "--exclude-schema", "nothing_*"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_TRUE(mentions(run.stderr_text, "--exclude-schema nothing_* matches no schema on the source: nothing is left out for it"))
        << run.stderr_text;
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT string_agg(nspname, ',' ORDER BY nspname COLLATE \"C\") FROM pg_namespace "
                            "WHERE nspname ILIKE 'archive%'"),
              "Archive_Keep");
    // Unlike --include-schema, --exclude-schema keeps the large objects, as pg_dump -N does.
    EXPECT_EQ(target.scalar("SELECT convert_from(lo_get(424242), 'UTF8')"), "a large object belongs to no schema");
    compare_options options;
    options.schemas = {"public", "Archive_Keep"};
    options.excluded_tables = {{"public", "old_orders"}};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, creates_tables_whose_data_is_excluded_empty_and_refuses_a_key_that_needs_their_rows) {
    databases_.emplace(servers_.source, servers_.target, "exclude_data");
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE customers (id int PRIMARY KEY, name text); "
                "INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 100) g; "
                "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers); "
                "INSERT INTO orders SELECT g, g % 100 + 1 FROM generate_series(1, 300) g; "
                "CREATE TABLE audit_log (id bigserial PRIMARY KEY, what text, order_id int REFERENCES orders); "
                "CREATE INDEX audit_log_what ON audit_log (what); "
                "INSERT INTO audit_log (what, order_id) SELECT 'a' || g, g FROM generate_series(1, 250) g; "
                "GRANT SELECT ON audit_log TO PUBLIC");

    const auto refused = run_pghandoff(migrate_arguments({"--exclude-table-data", "customers"}));

    expect_refused(refused, "foreign key orders_customer_id_fkey of public.orders references public.customers, whose "
                            "rows --exclude-table-data leaves out: it could not be validated on the target; leave out the "
                            "rows of public.orders too (--exclude-table-data public.orders) or copy those of "
                            "public.customers");

    const auto check = run_pghandoff(migrate_arguments({"--check", "--exclude-table-data", "audit_*"}));
    ASSERT_EQ(check.exit_code, 0) << describe(check);
    EXPECT_TRUE(mentions(check.stdout_text, "tables: 3 (")) << check.stdout_text;
    EXPECT_TRUE(mentions(check.stdout_text, "in 2 chunks")) << check.stdout_text;
    EXPECT_TRUE(mentions(check.stdout_text, "created without their rows (--exclude-table-data): public.audit_log"))
        << check.stdout_text;

    const auto run = run_pghandoff(migrate_arguments({"--exclude-table-data", "audit_*"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT count(*) FROM audit_log"), "0");
    EXPECT_EQ(target.scalar("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = "
                            "'audit_log'"),
              "audit_log_pkey,audit_log_what");
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'audit_log_order_id_fkey'"), "1");
    EXPECT_EQ(target.scalar("SELECT has_table_privilege('public', 'audit_log', 'SELECT')"), "t");
    // Its sequence still gets the source's value, as pg_dump --exclude-table-data keeps it.
    EXPECT_EQ(target.scalar("SELECT last_value FROM audit_log_id_seq"), "250");
    compare_options options;
    options.excluded_tables = {{"public", "audit_log"}};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);

    // verify compares everything but those rows; without the option it names them.
    const std::vector<std::string> verify{"verify", "--source", databases_->source_uri(), "--target",
                                          databases_->target_uri()};
    auto all = verify;
    all.insert(all.end(), {"--exclude-table-data", "audit_*"});
    const auto equal = run_pghandoff(all);
    EXPECT_EQ(equal.exit_code, 0) << describe(equal);
    const auto different = run_pghandoff(verify);
    EXPECT_EQ(different.exit_code, 1) << describe(different);
    EXPECT_TRUE(mentions(different.stdout_text, "audit_log")) << different.stdout_text;
}

TEST_F(migrate_offline, leaves_out_the_identity_sequence_of_an_excluded_table_and_keeps_a_serial_one) {
    databases_.emplace(servers_.source, servers_.target, "excluded_sequences");
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text); "
                "INSERT INTO audit (what) SELECT 'x' FROM generate_series(1, 7); "
                "CREATE TABLE legacy (id bigserial PRIMARY KEY, what text); "
                "INSERT INTO legacy (what) SELECT 'y' FROM generate_series(1, 5); "
                "CREATE TABLE kept (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY); "
                "INSERT INTO kept DEFAULT VALUES; INSERT INTO kept DEFAULT VALUES");

    const auto run = run_pghandoff(migrate_arguments({"--exclude-table", "public.audit", "--exclude-table", "public.legacy"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT to_regclass('public.audit_id_seq') IS NULL AND to_regclass('public.audit') IS NULL "
                            "AND to_regclass('public.legacy') IS NULL"),
              "t");
    // pg_dump keeps a serial's sequence when its table is left out; its value comes along.
    EXPECT_EQ(target.scalar("SELECT last_value || ' ' || is_called FROM legacy_id_seq"), "5 true");
    EXPECT_EQ(target.scalar("SELECT last_value FROM kept_id_seq"), "2");
    // Everything else equal; the two sequences (asserted above) differ by design: one is gone,
    // the other is owned by no column on the target.
    compare_options options;
    options.excluded_tables = {{"public", "audit"}, {"public", "legacy"}, {"public", "audit_id_seq"}, {"public", "legacy_id_seq"}};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

/// A source where public.accounts is needed by a foreign key, a view and (through that view) a
/// second view, and public.report reads ledger.entries from another schema.
void create_dependent_objects(pg_session& source) {
    source.exec(
        "CREATE TABLE accounts (id int PRIMARY KEY, name text); "
        "INSERT INTO accounts SELECT i, 'a' || i FROM generate_series(1, 10) AS i; "
        "CREATE TABLE payments (id int PRIMARY KEY, account_id int REFERENCES accounts (id), amount numeric); "
        "INSERT INTO payments SELECT i, 1 + i % 10, i FROM generate_series(1, 100) AS i; "
        "CREATE VIEW named_accounts AS SELECT id, name FROM accounts WHERE name IS NOT NULL; "
        "CREATE VIEW \"Account Names\" AS SELECT name FROM named_accounts; "
        "CREATE SCHEMA ledger; "
        "CREATE TABLE ledger.entries (id int PRIMARY KEY, amount numeric); "
        "CREATE VIEW report AS SELECT sum(amount) AS total FROM ledger.entries");
}

TEST_F(migrate_offline, refuses_a_selection_that_leaves_out_what_migrated_objects_need_before_copying) {
    databases_.emplace(servers_.source, servers_.target, "left_out_dependency");
    auto source = databases_->connect_source();
    create_dependent_objects(source);

    const auto run = run_pghandoff(migrate_arguments({"--include-schema", "public", "--exclude-table", "public.accounts"}));

    EXPECT_GT(run.exit_code, 0) << describe(run);
    const auto errors = error_lines(run.stderr_text);
    ASSERT_EQ(errors.size(), 4u) << describe(run);
    const std::string all = run.stderr_text;
    EXPECT_TRUE(mentions(all, "foreign key payments_account_id_fkey of public.payments references public.accounts, which is "
                              "not migrated and not on the target: exclude public.payments too (--exclude-table "
                              "public.payments) or stop excluding public.accounts"))
        << all;
    EXPECT_TRUE(mentions(all, "view public.named_accounts reads public.accounts")) << all;
    EXPECT_TRUE(mentions(all, "view public.Account Names reads public.named_accounts, which cannot be created either: "
                              "exclude the view too (--exclude-table 'public.\"Account Names\"')"))
        << all;
    EXPECT_TRUE(mentions(all, "view public.report reads ledger.entries, which is not migrated and not on the target: "
                              "exclude the view too (--exclude-table public.report) or add --include-schema ledger"))
        << all;
    // Refused in preflight: nothing was created on either side.
    EXPECT_EQ(replication_slots_on_source(), "0");
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname IN ('public', 'pghandoff')"),
              "0");
}

TEST_F(migrate_offline, refuses_leaving_out_a_partition_parent_or_a_partition_a_foreign_key_needs) {
    databases_.emplace(servers_.source, servers_.target, "left_out_partition");
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE m (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at); "
                "CREATE TABLE m_2023 PARTITION OF m FOR VALUES FROM ('2023-01-01') TO ('2024-01-01') PARTITION BY RANGE (at); "
                "CREATE TABLE m_2023_h1 PARTITION OF m_2023 FOR VALUES FROM ('2023-01-01') TO ('2023-07-01'); "
                "CREATE TABLE m_2023_h2 PARTITION OF m_2023 FOR VALUES FROM ('2023-07-01') TO ('2024-01-01'); "
                "INSERT INTO m SELECT i, date '2023-01-01' + i FROM generate_series(0, 300) AS i; "
                "CREATE TABLE ref (id int PRIMARY KEY, m_id int, m_at date, FOREIGN KEY (m_id, m_at) REFERENCES m); "
                "INSERT INTO ref VALUES (1, 1, date '2023-01-02')");

    const auto parent = run_pghandoff(migrate_arguments({"--exclude-table", "public.m_2023"}));

    EXPECT_GT(parent.exit_code, 0) << describe(parent);
    EXPECT_EQ(error_lines(parent.stderr_text).size(), 3u) << describe(parent);
    EXPECT_TRUE(mentions(parent.stderr_text, "foreign key ref_m_id_m_at_fkey of public.ref references public.m, whose "
                                             "partition public.m_2023 is not migrated"))
        << parent.stderr_text;
    EXPECT_TRUE(mentions(parent.stderr_text, "table public.m_2023_h1 is a partition of public.m_2023, which is not migrated "
                                             "and not on the target: exclude it too (--exclude-table public.m_2023_h1) or "
                                             "stop excluding public.m_2023"))
        << parent.stderr_text;
    EXPECT_TRUE(mentions(parent.stderr_text, "table public.m_2023_h2 is a partition of public.m_2023")) << parent.stderr_text;

    const auto leaf = run_pghandoff(migrate_arguments({"--exclude-table", "public.m_2023_h1"}));

    EXPECT_GT(leaf.exit_code, 0) << describe(leaf);
    ASSERT_EQ(error_lines(leaf.stderr_text).size(), 1u) << describe(leaf);
    EXPECT_TRUE(mentions(leaf.stderr_text, "foreign key ref_m_id_m_at_fkey of public.ref references public.m, whose "
                                           "partition public.m_2023_h1 is not migrated: exclude public.ref too"))
        << leaf.stderr_text;
    EXPECT_EQ(replication_slots_on_source(), "0");

    const auto run = run_pghandoff(migrate_arguments({"--exclude-table", "public.m_2023_h1", "--exclude-table", "public.ref"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(databases_->connect_target().scalar("SELECT count(*) FROM m"), "120");
}

TEST_F(migrate_offline, accepts_a_left_out_relation_the_target_already_has) {
    databases_.emplace(servers_.source, servers_.target, "left_out_present");
    auto source = databases_->connect_source();
    create_dependent_objects(source);
    auto target = databases_->connect_target();
    target.exec("CREATE SCHEMA ledger; CREATE TABLE ledger.entries (id int PRIMARY KEY, amount numeric); "
                "INSERT INTO ledger.entries VALUES (1, 42)");

    const auto run = run_pghandoff(migrate_arguments({"--include-schema", "public"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(target.scalar("SELECT total FROM report"), "42");
    EXPECT_EQ(target.scalar("SELECT count(*) FROM \"Account Names\""), "10");
    compare_options options;
    options.schemas = {"public"};
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

TEST_F(migrate_offline, refuses_a_target_encoding_that_cannot_hold_the_source_text) {
    databases_.emplace(servers_.source, servers_.target, "encoding");
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'plain'), (2, 'ünïcødé ✓')");
    {
        pg_session server(servers_.target);
        const auto name = server.quote_identifier(databases_->target_name());
        server.exec("DROP DATABASE " + name);
        server.exec("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
    }

    const auto run = run_pghandoff(migrate_arguments());

    EXPECT_GT(run.exit_code, 0) << describe(run);
    const auto errors = error_lines(run.stderr_text);
    ASSERT_EQ(errors.size(), 1u) << describe(run);
    EXPECT_TRUE(mentions(errors[0], "the target database's encoding LATIN1 cannot hold every character of the source's UTF8: "
                                    "create the target database with ENCODING 'UTF8'"))
        << errors[0];
    EXPECT_EQ(replication_slots_on_source(), "0");
    EXPECT_EQ(databases_->connect_target().scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'pghandoff'"), "0");
}

/// A tablespace on the source server, in a directory of its own: dropped (after the test's
/// databases, which are declared after it) when this goes away.
class source_tablespace {
public:
    source_tablespace(const std::string& server, const std::string& name) : server_(server), name_(name) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw) return;
        std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                      std::filesystem::perms::others_exec);
        const auto location = dir_.path() / "space";
        std::filesystem::create_directory(location);
        if (::chown(location.c_str(), pw->pw_uid, pw->pw_gid) != 0) return;
        pg_session(server_).exec("CREATE TABLESPACE " + name_ + " LOCATION '" + location.string() + "'");
        created_ = true;
    }
    ~source_tablespace() {
        try {
            if (created_) pg_session(server_).exec("DROP TABLESPACE IF EXISTS " + name_);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "could not drop tablespace " << name_ << ": " << e.what();
        }
    }
    bool created() const { return created_; }

private:
    std::string server_;
    std::string name_;
    temporary_directory dir_;
    bool created_ = false;
};

/// The test's databases go before the tablespace they use.
class migrate_offline_tablespace : public migrate_offline {
protected:
    void TearDown() override {
        databases_.reset();
        tablespace_.reset();
        migrate_offline::TearDown();
    }
    std::optional<source_tablespace> tablespace_;
};

TEST_F(migrate_offline_tablespace, refuses_a_tablespace_the_target_lacks_then_migrates_with_no_tablespaces) {
    const std::string space = "pgh_fast_" + std::to_string(::getpid());
    tablespace_.emplace(servers_.source, space);
    if (!tablespace_->created()) GTEST_SKIP() << "cannot give the postgres OS user a tablespace directory (not root?)";
    databases_.emplace(servers_.source, servers_.target, "tablespace");
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE orders (id int PRIMARY KEY USING INDEX TABLESPACE " + space + ", note text); "
                "CREATE INDEX orders_note_idx ON orders (note) TABLESPACE " + space + "; "
                "INSERT INTO orders SELECT i, 'n' || i FROM generate_series(1, 1000) AS i");

    const auto refused = run_pghandoff(migrate_arguments());

    EXPECT_GT(refused.exit_code, 0) << describe(refused);
    const auto errors = error_lines(refused.stderr_text);
    ASSERT_EQ(errors.size(), 1u) << describe(refused);
    EXPECT_TRUE(mentions(errors[0], "tablespace " + space + " does not exist on the target (2 migrated table(s) and "
                                    "index(es) are in it, first public.orders_note_idx)"))
        << errors[0];
    EXPECT_TRUE(mentions(errors[0], "--no-tablespaces")) << errors[0];
    EXPECT_EQ(replication_slots_on_source(), "0");

    const auto run = run_pghandoff(migrate_arguments({"--no-tablespaces"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto target = databases_->connect_target();
    EXPECT_EQ(target.scalar("SELECT count(*) FROM pg_class WHERE reltablespace <> 0 AND relname LIKE 'orders%'"), "0");
    const auto found = differences();
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

// Bad input: each run fails with a `pghandoff: error:` line, keeps the password out of
// its output, and leaves no replication slot behind on the source.

class migrate_offline_bad_input : public migrate_offline {
protected:
    void SetUp() override {
        migrate_offline::SetUp();
        if (IsSkipped()) return;
        databases_.emplace(servers_.source, servers_.target, "bad_input");
    }

    /// The URI of the base server with a few options replaced.
    static std::string uri_with(const std::string& base, const conn_options& changes) {
        conn_options options = parse_conninfo(base);
        for (const auto& [keyword, value] : changes) options[keyword] = value;
        return to_uri(options);
    }

    void expect_clean_failure(const command_result& run, const std::string& password) const {
        EXPECT_GT(run.exit_code, 0) << describe(run);
        EXPECT_FALSE(run.signal.has_value()) << describe(run);
        EXPECT_FALSE(error_lines(run.stderr_text).empty()) << describe(run);
        EXPECT_FALSE(mentions(run.stderr_text, password)) << "stderr shows the password\n" << describe(run);
        EXPECT_FALSE(mentions(run.stdout_text, password)) << "stdout shows the password\n" << describe(run);
        EXPECT_EQ(replication_slots_on_source(), "0");
    }
};

/// A login role on a test server, for the test's database there; dropped with what it was
/// granted in that database (if the database is still there).
class login_role {
public:
    login_role(const std::string& server, const std::string& database, const std::string& password)
        : server_(server), database_(database), name_("pgh_login_" + std::to_string(::getpid())) {
        pg_session(server_).exec("CREATE ROLE " + name_ + " LOGIN PASSWORD '" + password + "'");
    }
    ~login_role() {
        try {
            pg_session server(server_);
            if (server.scalar("SELECT count(*) FROM pg_database WHERE datname = $1", {database_}) == "1")
                pg_session(server_, database_).exec("DROP OWNED BY " + name_);
            server.exec("DROP ROLE " + name_);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "could not drop role " << name_ << ": " << e.what();
        }
    }
    const std::string& name() const { return name_; }

private:
    std::string server_;
    std::string database_;
    std::string name_;
};

TEST_F(migrate_offline_bad_input, reports_row_level_security_that_would_hide_rows_then_copies_every_row_with_bypassrls) {
    const char* password = std::getenv("PGPASSWORD");
    if (!password || !*password) GTEST_SKIP() << "PGPASSWORD is not set; run tools/test";
    login_role role(servers_.source, databases_->source_name(), password);
    auto source = databases_->connect_source();
    source.exec("CREATE TABLE secrets (id int PRIMARY KEY, who text); INSERT INTO secrets VALUES (1, 'a'), (2, 'b'); "
                "ALTER TABLE secrets ENABLE ROW LEVEL SECURITY; "
                "CREATE POLICY own_rows ON secrets USING (who = current_user); "
                "CREATE TABLE open_data (id int PRIMARY KEY); INSERT INTO open_data VALUES (1); "
                "GRANT SELECT ON secrets, open_data TO " + role.name());
    const std::string source_uri =
        uri_with(servers_.source, {{"dbname", databases_->source_name()}, {"user", role.name()}});

    const auto refused = run_pghandoff(offline_migrate_arguments(source_uri, databases_->target_uri(), state_.path()));

    expect_clean_failure(refused, password);
    const auto errors = error_lines(refused.stderr_text);
    ASSERT_EQ(errors.size(), 1u) << describe(refused);
    EXPECT_TRUE(mentions(errors[0], "table public.secrets has row-level security that would hide rows from role " +
                                        role.name() + ": ALTER ROLE \"" + role.name() + "\" BYPASSRLS"))
        << errors[0];

    pg_session(servers_.source).exec("ALTER ROLE " + role.name() + " BYPASSRLS");
    const auto run = run_pghandoff(offline_migrate_arguments(source_uri, databases_->target_uri(), state_.path()));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(databases_->connect_target().scalar("SELECT count(*) FROM secrets"), "2");
    compare_options options;
    options.privileges = false;  // the grant to the login role, which the target lacks
    const auto found = differences(options);
    EXPECT_TRUE(found.empty()) << describe_differences(found);
}

/// The role owns the target database: the database goes first.
class migrate_offline_connection_room : public migrate_offline_bad_input {
protected:
    void TearDown() override {
        databases_.reset();
        role_.reset();
        migrate_offline_bad_input::TearDown();
    }
    std::optional<login_role> role_;
};

TEST_F(migrate_offline_connection_room, reports_a_target_without_room_for_the_jobs_then_runs_with_fewer) {
    const char* password = std::getenv("PGPASSWORD");
    if (!password || !*password) GTEST_SKIP() << "PGPASSWORD is not set; run tools/test";
    role_.emplace(servers_.target, databases_->target_name(), password);
    {
        pg_session server(servers_.target);
        const auto name = server.quote_identifier(databases_->target_name());
        server.exec("ALTER DATABASE " + name + " OWNER TO " + role_->name());
        server.exec("ALTER DATABASE " + name + " CONNECTION LIMIT 3");
    }
    databases_->connect_source().exec("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 100)");
    const std::string target_uri =
        uri_with(servers_.target, {{"dbname", databases_->target_name()}, {"user", role_->name()}});

    const auto refused = run_pghandoff(
        offline_migrate_arguments(databases_->source_uri(), target_uri, state_.path(), {"--jobs", "4", "--no-owner", "--no-acl"}));

    expect_clean_failure(refused, password);
    const auto errors = error_lines(refused.stderr_text);
    ASSERT_EQ(errors.size(), 1u) << describe(refused);
    EXPECT_TRUE(mentions(errors[0], "the target has room for 3 more connection(s) (database " + databases_->target_name() +
                                        " has CONNECTION LIMIT 3) and pghandoff needs 5 with --jobs 4: pass --jobs 2 or fewer"))
        << errors[0];

    const auto run = run_pghandoff(
        offline_migrate_arguments(databases_->source_uri(), target_uri, state_.path(), {"--jobs", "2", "--no-owner", "--no-acl"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(databases_->connect_target().scalar("SELECT count(*) FROM items"), "100");
}

TEST_F(migrate_offline_bad_input, reports_an_included_schema_the_source_lacks_and_warns_of_an_excluded_table_it_lacks) {
    databases_->connect_source().exec("CREATE SCHEMA \"Sales\"; CREATE TABLE \"Sales\".orders (id int PRIMARY KEY); "
                                      "INSERT INTO \"Sales\".orders VALUES (1), (2)");

    const auto refused = run_pghandoff(migrate_arguments({"--include-schema", "Sales"}));

    expect_clean_failure(refused, "no-password-in-this-test");
    const auto errors = error_lines(refused.stderr_text);
    ASSERT_EQ(errors.size(), 1u) << describe(refused);
    EXPECT_TRUE(mentions(errors[0], "--include-schema Sales: the source database " + databases_->source_name() +
                                        " has no schema sales; unquoted names fold to lower case, as in pg_dump: write "
                                        "--include-schema '\"Sales\"' for schema Sales"))
        << errors[0];

    const auto run =
        run_pghandoff(migrate_arguments({"--include-schema", "\"Sales\"", "--exclude-table", "\"Sales\".order"}));

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_TRUE(mentions(run.stderr_text,
                         "--exclude-table \"Sales\".order names no table on the source: nothing is left out for it"))
        << run.stderr_text;
    EXPECT_EQ(databases_->connect_target().scalar("SELECT count(*) FROM \"Sales\".orders"), "2");
}

TEST_F(migrate_offline_bad_input, reports_wrong_password) {
    const std::string password = "wrong-Pw-8c1f3";
    const std::string source =
        uri_with(servers_.source, {{"dbname", databases_->source_name()}, {"password", password}});
    try {
        pg_session probe{source};
        GTEST_SKIP() << "the source server does not check passwords (trust authentication)";
    } catch (const std::runtime_error&) {
    }

    const auto run =
        run_pghandoff(offline_migrate_arguments(source, databases_->target_uri(), state_.path()));

    expect_clean_failure(run, password);
    EXPECT_TRUE(mentions(run.stderr_text, "password")) << describe(run);
}

TEST_F(migrate_offline_bad_input, reports_unreachable_server) {
    const std::string password = "unreachable-Pw-77a9";
    const std::string target =
        uri_with(servers_.target,
                 {{"host", "127.0.0.1"}, {"port", "1"}, {"dbname", "postgres"}, {"password", password}});

    const auto run =
        run_pghandoff(offline_migrate_arguments(databases_->source_uri(), target, state_.path()));

    expect_clean_failure(run, password);
    EXPECT_TRUE(mentions(run.stderr_text, "127.0.0.1")) << describe(run);
}

TEST_F(migrate_offline_bad_input, reports_missing_target_database) {
    const std::string missing = unique_database_name("missing", "tgt");
    const char* real_password = std::getenv("PGPASSWORD");
    const std::string password =
        real_password != nullptr && *real_password != '\0' ? real_password : "unused-Pw-5b2e";
    const std::string target = uri_with(servers_.target, {{"dbname", missing}, {"password", password}});

    const auto run =
        run_pghandoff(offline_migrate_arguments(databases_->source_uri(), target, state_.path()));

    // A password that is also a word of the URI (say "postgres") may appear for that reason alone.
    const std::string rest_of_uri = uri_with(servers_.target, {{"dbname", missing}});
    const bool distinctive = password.size() >= 6 && rest_of_uri.find(password) == std::string::npos;
    expect_clean_failure(run, distinctive ? password : "unused-Pw-5b2e");
    EXPECT_TRUE(mentions(run.stderr_text, missing)) << describe(run);
}

TEST_F(migrate_offline_bad_input, reports_malformed_uri) {
    const std::string password = "malformed-Pw-3e5d";
    for (const std::string& target :
         {"postgresql://postgres:" + password + "@[127.0.0.1/postgres",
          "postgresql://postgres:" + password + "@127.0.0.1/postgres?no_such_option=1"}) {
        SCOPED_TRACE(target);
        const auto run =
            run_pghandoff(offline_migrate_arguments(databases_->source_uri(), target, state_.path()));
        expect_clean_failure(run, password);
    }
}

}  // namespace
}  // namespace pghandoff::integration
