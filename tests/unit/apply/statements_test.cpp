#include "apply/statements.hpp"

#include <gtest/gtest.h>

#include "tables.hpp"

namespace {

using namespace pghandoff::fixtures;
using pghandoff::apply::bound_table;
using pghandoff::apply::planned_change;
using pghandoff::apply::statement_sql;
using pghandoff::apply::truncate_sql;
namespace cdc = pghandoff::cdc;

const std::vector<column_spec> items{{"id", int4_oid, "integer", true}, {"v", text_oid}, {"doc", text_oid}};

planned_change planned(std::variant<planned_change, std::string> result) {
    if (auto* problem = std::get_if<std::string>(&result)) {
        ADD_FAILURE() << *problem;
        return {};
    }
    return std::get<planned_change>(std::move(result));
}

std::vector<std::string> texts(const planned_change& plan) {
    std::vector<std::string> out;
    for (const char* value : plan.values) out.push_back(value ? value : "NULL");
    return out;
}

cdc::update_message update(cdc::tuple_data new_tuple, char old_kind = 0, cdc::tuple_data old_tuple = {}) {
    return {std::nullopt, 16500, old_kind, std::move(old_tuple), std::move(new_tuple)};
}

TEST(statements, insert_names_every_column_in_stream_order) {
    const auto table = bound(items);
    const cdc::insert_message insert{std::nullopt, 16500, {text_value("1"), null_value(), text_value("d")}};
    const auto plan = planned(pghandoff::apply::plan_insert(table, insert));
    EXPECT_EQ(statement_sql(table, plan.shape),
              R"(INSERT INTO "public"."items" ("id", "v", "doc") VALUES ($1, $2, $3))");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"1", "NULL", "d"}));
}

TEST(statements, insert_overrides_an_identity_always_column) {
    auto columns = items;
    columns[0].identity_always = true;
    const auto table = bound(columns);
    const cdc::insert_message insert{std::nullopt, 16500, {text_value("1"), text_value("v"), text_value("d")}};
    EXPECT_EQ(statement_sql(table, planned(pghandoff::apply::plan_insert(table, insert)).shape),
              R"(INSERT INTO "public"."items" ("id", "v", "doc") OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3))");
}

TEST(statements, update_leaves_unchanged_toast_columns_out_of_set) {
    const auto table = bound(items);
    const auto change = update({text_value("7"), text_value("x"), unchanged()});
    const auto plan = planned(pghandoff::apply::plan_update(table, change));
    EXPECT_EQ(statement_sql(table, plan.shape), R"(UPDATE "public"."items" SET "id" = $1, "v" = $2 WHERE "id" = $3)");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"7", "x", "7"}));

    const auto every_column = update({text_value("7"), text_value("x"), text_value("d")});
    const auto whole = planned(pghandoff::apply::plan_update(table, every_column));
    EXPECT_NE(whole.shape.key(), plan.shape.key()) << "another column set is another prepared statement";
}

TEST(statements, update_of_a_changed_key_finds_the_row_by_its_old_key) {
    const auto table = bound(items);
    const auto change =
        update({text_value("2"), text_value("x"), unchanged()}, 'K', {text_value("1"), null_value(), null_value()});
    const auto plan = planned(pghandoff::apply::plan_update(table, change));
    EXPECT_EQ(statement_sql(table, plan.shape), R"(UPDATE "public"."items" SET "id" = $1, "v" = $2 WHERE "id" = $3)");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"2", "x", "1"}));
}

TEST(statements, full_identity_touches_one_row_and_compares_types_without_equality_as_text) {
    const std::vector<column_spec> columns{{"a", int4_oid, "integer"},
                                           {"j", json_oid, "json", false, false},
                                           {"p", point_oid, "point", false, false},
                                           {"n", text_oid}};
    const auto table = bound(columns, 'f');
    const cdc::delete_message remove{std::nullopt, 16500, 'O',
                                     {text_value("1"), text_value(R"({"a": 1})"), text_value("(1,2)"), null_value()}};
    const auto plan = planned(pghandoff::apply::plan_delete(table, remove));
    EXPECT_EQ(statement_sql(table, plan.shape),
              R"(DELETE FROM "public"."items" WHERE ctid = (SELECT ctid FROM "public"."items" WHERE "a" = $1 AND )"
              R"("j"::text = ($2::json)::text AND "p"::text = ($3::point)::text AND "n" IS NULL LIMIT 1))");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"1", R"({"a": 1})", "(1,2)"}));
}

TEST(statements, full_identity_update_sets_the_new_row_where_the_old_one_was) {
    const std::vector<column_spec> columns{{"a", int4_oid, "integer"}, {"j", json_oid, "json", false, false}};
    const auto table = bound(columns, 'f');
    const auto change = update({text_value("2"), null_value()}, 'O', {text_value("1"), null_value()});
    const auto plan = planned(pghandoff::apply::plan_update(table, change));
    EXPECT_EQ(statement_sql(table, plan.shape),
              R"(UPDATE "public"."items" SET "a" = $1, "j" = $2 WHERE ctid = )"
              R"((SELECT ctid FROM "public"."items" WHERE "a" = $3 AND "j" IS NULL LIMIT 1))");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"2", "NULL", "1"}));
}

TEST(statements, a_null_and_a_value_in_the_old_row_are_different_statements) {
    const std::vector<column_spec> columns{{"a", int4_oid, "integer"}, {"b", text_oid}};
    const auto table = bound(columns, 'f');
    const cdc::delete_message with_null{std::nullopt, 16500, 'O', {text_value("1"), null_value()}};
    const cdc::delete_message with_value{std::nullopt, 16500, 'O', {text_value("1"), text_value("b")}};
    EXPECT_NE(planned(pghandoff::apply::plan_delete(table, with_null)).shape.key(),
              planned(pghandoff::apply::plan_delete(table, with_value)).shape.key());
}

TEST(statements, delete_finds_the_row_by_its_key) {
    const auto table = bound(items);
    const cdc::delete_message remove{std::nullopt, 16500, 'K', {text_value("5"), null_value(), null_value()}};
    const auto plan = planned(pghandoff::apply::plan_delete(table, remove));
    EXPECT_EQ(statement_sql(table, plan.shape), R"(DELETE FROM "public"."items" WHERE "id" = $1)");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"5"}));
}

TEST(statements, an_identity_always_key_that_stays_is_left_out_of_set) {
    auto columns = items;
    columns[0].identity_always = true;
    const auto table = bound(columns);
    const auto change = update({text_value("3"), text_value("x"), text_value("d")});
    const auto plan = planned(pghandoff::apply::plan_update(table, change));
    EXPECT_EQ(statement_sql(table, plan.shape), R"(UPDATE "public"."items" SET "v" = $1, "doc" = $2 WHERE "id" = $3)");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"x", "d", "3"}));
}

TEST(statements, a_changed_identity_always_key_moves_the_row_keeping_unchanged_toast) {
    auto columns = items;
    columns[0].identity_always = true;
    const auto table = bound(columns);
    const auto change =
        update({text_value("4"), text_value("x"), unchanged()}, 'K', {text_value("3"), null_value(), null_value()});
    const auto plan = planned(pghandoff::apply::plan_update(table, change));
    EXPECT_EQ(statement_sql(table, plan.shape),
              R"(WITH moved AS (DELETE FROM "public"."items" WHERE "id" = $3 RETURNING *) INSERT INTO "public"."items" )"
              R"(("id", "v", "doc") OVERRIDING SYSTEM VALUE SELECT $1::integer, $2::text, moved."doc" FROM moved)");
    EXPECT_EQ(texts(plan), (std::vector<std::string>{"4", "x", "3"}));
}

TEST(statements, an_update_of_unchanged_toast_values_only_writes_nothing) {
    const std::vector<column_spec> columns{{"id", int4_oid, "integer", true, true, true}, {"doc", text_oid}};
    const auto table = bound(columns);
    const auto change = update({text_value("1"), unchanged()});
    const auto plan = planned(pghandoff::apply::plan_update(table, change));
    EXPECT_TRUE(plan.shape.writes_nothing());
}

TEST(statements, truncate_lists_every_table_with_the_source_options) {
    auto a = bound(items, 'd', "public", "a");
    auto b = bound(items, 'd', "public", "b");
    b.partitioned = true;
    EXPECT_EQ(truncate_sql({&a, &b}, false, false), R"(TRUNCATE ONLY "public"."a", "public"."b")");
    EXPECT_EQ(truncate_sql({&a}, true, false), R"(TRUNCATE ONLY "public"."a" RESTART IDENTITY)");
    EXPECT_EQ(truncate_sql({&a, &b}, true, true), R"(TRUNCATE ONLY "public"."a", "public"."b" RESTART IDENTITY CASCADE)");
    EXPECT_EQ(truncate_sql({&a}, false, true), R"(TRUNCATE ONLY "public"."a" CASCADE)");
}

TEST(statements, quotes_mixed_case_unicode_and_quote_characters_in_names) {
    const std::vector<column_spec> columns{{"Id", int4_oid, "integer", true}, {"Gr\xC3\xB6\xC3\x9F" "e", text_oid},
                                           {"a\"b", text_oid}};
    const auto table = bound(columns, 'd', "Sales", "Order Items");
    const cdc::delete_message remove{std::nullopt, 16500, 'K', {text_value("1"), null_value(), null_value()}};
    EXPECT_EQ(statement_sql(table, planned(pghandoff::apply::plan_delete(table, remove)).shape),
              R"(DELETE FROM "Sales"."Order Items" WHERE "Id" = $1)");
    const cdc::insert_message insert{std::nullopt, 16500, {text_value("1"), text_value("x"), text_value("y")}};
    EXPECT_EQ(statement_sql(table, planned(pghandoff::apply::plan_insert(table, insert)).shape),
              "INSERT INTO \"Sales\".\"Order Items\" (\"Id\", \"Gr\xC3\xB6\xC3\x9F" "e\", \"a\"\"b\") VALUES ($1, $2, $3)");
}

TEST(statements, a_user_type_is_cast_by_its_qualified_name) {
    const std::vector<column_spec> columns{{"id", int4_oid, "integer", true, true, true},
                                           {"Shape", 16800, R"("Geo"."Shape")", false, false}};
    const auto table = bound(columns, 'f');
    const cdc::delete_message remove{std::nullopt, 16500, 'O', {text_value("1"), text_value("(0,0)")}};
    EXPECT_EQ(statement_sql(table, planned(pghandoff::apply::plan_delete(table, remove)).shape),
              R"(DELETE FROM "public"."items" WHERE ctid = (SELECT ctid FROM "public"."items" WHERE "id" = $1 AND )"
              R"("Shape"::text = ($2::"Geo"."Shape")::text LIMIT 1))");
}

}  // namespace
