// compare_databases is the strongest assertion the migration tests make, so it is tested
// itself: a pg_dump copy of the hard schema must compare equal, and every planted
// difference must be reported.

#include "support/db_compare.hpp"
#include "support/fixtures.hpp"
#include "support/server_test.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pghandoff::integration {
namespace {

class db_compare : public server_test {};

struct planted_difference {
    std::string sql;                    ///< run on the target
    std::vector<std::string> expected;  ///< parts of the lines compare_databases must report for it
};

bool reported(const std::vector<std::string>& differences, const std::string& expected) {
    return std::any_of(differences.begin(), differences.end(),
                       [&](const std::string& line) { return line.find(expected) != std::string::npos; });
}

std::vector<planted_difference> planted_differences(pg_session& target) {
    const std::string small_object = target.scalar("SELECT content FROM app.documents WHERE id = 1").value();
    const std::string big_object = target.scalar("SELECT content FROM app.documents WHERE id = 2").value();
    return {
        {"UPDATE \"Sales\".\"Customers\" SET nickname = 'changed' WHERE id = 1",
         {"table \"Sales\".\"Customers\": rows differ (same row count 5000)"}},
        {"DELETE FROM app.tickets WHERE id = 1", {"table app.tickets: row count 700 vs 699"}},
        {"INSERT INTO app.keyless_log SELECT * FROM app.keyless_log WHERE level = 'warn' LIMIT 1",
         {"table app.keyless_log: row count 3003 vs 3004"}},
        {"INSERT INTO app.no_columns DEFAULT VALUES", {"table app.no_columns: row count 3 vs 4"}},
        {"UPDATE app.big_values SET body = overlay(body placing 'x' from 4000000) WHERE id = 2",
         {"table app.big_values: rows differ (same row count 5)"}},
        {"UPDATE app.events SET payload = '{\"moved\": true}' WHERE id = 552",
         {"table app.events_2024_us: rows differ (same row count"}},
        {"SELECT setval('app.fresh_sequence', 42, true)", {"sequence app.fresh_sequence: is called f vs t"}},
        {"SELECT setval('app.invoice_numbers', 5000)", {"sequence app.invoice_numbers: last value"}},
        {"DROP INDEX \"Sales\".orders_recent_idx", {"index \"Sales\".orders_recent_idx: missing on target"}},
        {"SELECT lo_put(" + small_object + ", 0, '\\x4a')",
         {"large object " + small_object + ": content md5"}},
        {"ALTER LARGE OBJECT " + big_object + " OWNER TO postgres",
         {"large object " + big_object + ": owner pghandoff_test_owner vs postgres",
          "large object " + big_object + ": privileges"}},
        {"ALTER TABLE app.employees ENABLE TRIGGER note_employee",
         {"trigger note_employee on app.employees: firing enabled replica vs enabled"}},
        {"ALTER TABLE app.tickets ALTER COLUMN title SET DEFAULT 'untitled'",
         {"column app.tickets.title: default NULL vs 'untitled'::text"}},
        {"COMMENT ON TABLE app.events_2024_us IS NULL",
         {"table app.events_2024_us: comment Leaf partition with a comment vs NULL"}},
        {"REVOKE SELECT ON \"Sales\".\"Customers\" FROM pghandoff_test_reader",
         {"table \"Sales\".\"Customers\": privileges pghandoff_test_owner=arwdDxt/pghandoff_test_owner, "
          "pghandoff_test_reader=r/pghandoff_test_owner vs pghandoff_test_owner=arwdDxt/pghandoff_test_owner"}},
        {"REFRESH MATERIALIZED VIEW \"Sales\".customer_stats WITH NO DATA",
         {"materialized view \"Sales\".customer_stats: populated t vs f",
          "materialized view \"Sales\".customer_stats: row count 5000 vs (absent)"}},
        {"DELETE FROM app.readings WHERE value < 0; "
         "ALTER TABLE app.readings VALIDATE CONSTRAINT readings_value_non_negative",
         {"constraint readings_value_non_negative on app.readings: validated f vs t",
          "constraint readings_value_non_negative on app.readings: definition CHECK ((value >= (0)::numeric)) NOT VALID "
          "vs CHECK ((value >= (0)::numeric))",
          "table app.readings: row count 3 vs 2"}},
        {"ALTER TABLE \"ünïcødé\".\"Ταβλε ünïcødé\" ADD COLUMN extra integer",
         {"column \"ünïcødé\".\"Ταβλε ünïcødé\".extra: on target but not on source",
          "table \"ünïcødé\".\"Ταβλε ünïcødé\": rows differ (same row count 303)"}},
        {"CREATE TABLE app.stray (id integer)", {"table app.stray: on target but not on source"}},
        {"ALTER TYPE app.mood ADD VALUE 'furious'", {"type app.mood: labels"}},
        {"ALTER DOMAIN app.short_code DROP CONSTRAINT short_code_check",
         {"type app.short_code: constraints"}},
        {"CREATE OR REPLACE FUNCTION app.fmt(value integer) RETURNS text LANGUAGE sql IMMUTABLE "
         "AS $$ SELECT 'int: ' || value $$",
         {"function app.fmt(value integer): source md5"}},
        {"ALTER TABLE \"Sales\".secrets OWNER TO pghandoff_test_owner",
         {"table \"Sales\".secrets: owner postgres vs"}},
    };
}

/// The hard schema in the source database and a pg_dump copy of it in the target database.
void fill_with_hard_schema_and_pg_dump_copy(const test_databases& databases) {
    auto source = databases.connect_source();
    load_hard_schema(source);
    auto target = databases.connect_target();
    create_fixture_roles(target);
    copy_with_pg_dump(databases.source_conninfo(), databases.target_conninfo());
}

TEST_F(db_compare, compare_finds_planted_differences) {
    const test_databases databases{servers_.source, servers_.target, "compare"};
    fill_with_hard_schema_and_pg_dump_copy(databases);

    const auto before = compare_databases(databases.source_conninfo(), databases.target_conninfo());
    ASSERT_TRUE(before.empty()) << "a pg_dump copy should compare equal: " << describe_differences(before);

    auto target = databases.connect_target();
    const auto plants = planted_differences(target);
    std::size_t expected_lines = 0;
    for (const auto& plant : plants) {
        target.exec(plant.sql);
        expected_lines += plant.expected.size();
    }

    const auto after = compare_databases(databases.source_conninfo(), databases.target_conninfo());
    for (const auto& plant : plants) {
        for (const auto& expected : plant.expected) {
            EXPECT_TRUE(reported(after, expected))
                << "after `" << plant.sql << "` expected a line containing `" << expected << "`\n"
                << describe_differences(after);
        }
    }
    EXPECT_EQ(after.size(), expected_lines) << describe_differences(after);
}

TEST_F(db_compare, compare_ignores_what_options_leave_out) {
    const test_databases databases{servers_.source, servers_.target, "compare_options"};
    fill_with_hard_schema_and_pg_dump_copy(databases);
    auto target = databases.connect_target();
    target.exec(
        "DELETE FROM app.keyless_log; DROP TABLE app.big_values; "
        "ALTER TABLE \"Sales\".\"Customers\" OWNER TO postgres; "
        "GRANT SELECT ON app.tickets TO pghandoff_test_reader");

    compare_options options;
    options.excluded_tables = {{"app", "keyless_log"}, {"app", "big_values"}};
    options.owners = false;
    options.privileges = false;
    const auto filtered =
        compare_databases(databases.source_conninfo(), databases.target_conninfo(), options);
    EXPECT_TRUE(filtered.empty()) << describe_differences(filtered);

    options.schemas = {"ünïcødé"};
    options.excluded_tables.clear();
    options.owners = true;
    options.privileges = true;
    const auto one_schema =
        compare_databases(databases.source_conninfo(), databases.target_conninfo(), options);
    EXPECT_TRUE(one_schema.empty()) << describe_differences(one_schema);

    const auto everything = compare_databases(databases.source_conninfo(), databases.target_conninfo());
    for (const std::string expected :
         {"table app.big_values: missing on target", "table app.keyless_log: row count 3003 vs 0",
          "table \"Sales\".\"Customers\": owner pghandoff_test_owner vs postgres",
          "table app.tickets: privileges default vs"}) {
        EXPECT_TRUE(reported(everything, expected)) << "expected `" << expected << "`\n"
                                                    << describe_differences(everything);
    }
}

}  // namespace
}  // namespace pghandoff::integration
