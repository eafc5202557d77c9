#include "apply/table_binding.hpp"

#include <gtest/gtest.h>

#include "tables.hpp"

namespace {

using namespace pghandoff::fixtures;
using pghandoff::apply::bind_relation;
using pghandoff::apply::bound_table;

const std::vector<column_spec> items{{"id", int4_oid, "integer", true}, {"v", text_oid}};

std::string mismatch(const pghandoff::cdc::relation_message& relation, const pghandoff::apply::target_table& target) {
    auto result = bind_relation(relation, target);
    auto* problem = std::get_if<std::string>(&result);
    return problem ? *problem : "(bound)";
}

TEST(table_binding, binds_columns_by_name_in_the_streams_order) {
    auto target = target_of("public", "items", {items[1], items[0]});
    auto result = bind_relation(relation_of("public", "items", items), target);
    ASSERT_TRUE(std::holds_alternative<bound_table>(result)) << std::get<std::string>(result);
    const auto& table = std::get<bound_table>(result);
    EXPECT_EQ(table.sql_name, R"("public"."items")");
    EXPECT_EQ(table.display_name, "public.items");
    ASSERT_EQ(table.columns.size(), 2u);
    EXPECT_EQ(table.columns[0].sql_name, R"("id")");
    EXPECT_TRUE(table.columns[0].key);
    EXPECT_EQ(table.columns[1].sql_name, R"("v")");
    EXPECT_FALSE(table.columns[1].key);
}

TEST(table_binding, names_a_column_the_source_added) {
    auto relation = relation_of("public", "items", {items[0], items[1], {"added", int4_oid, "integer"}});
    EXPECT_EQ(mismatch(relation, target_of("public", "items", items)), R"(column "added" is missing on the target)");
}

TEST(table_binding, names_a_column_the_source_dropped) {
    auto target = target_of("public", "items", {items[0], items[1], {"gone", text_oid}});
    EXPECT_EQ(mismatch(relation_of("public", "items", items), target),
              R"(column "gone" of the target is not in the source's stream)");
}

TEST(table_binding, names_both_sides_of_a_renamed_column) {
    auto relation = relation_of("public", "items", {items[0], {"renamed", text_oid}});
    EXPECT_EQ(mismatch(relation, target_of("public", "items", items)),
              R"(column "renamed" is missing on the target; column "v" of the target is not in the source's stream)");
}

TEST(table_binding, names_a_built_in_type_that_changed) {
    auto relation = relation_of("public", "items", {{"id", int8_oid, "bigint", true}, items[1]});
    EXPECT_EQ(mismatch(relation, target_of("public", "items", items)),
              R"(column "id" has type OID 20 on the source but integer on the target)");
}

TEST(table_binding, accepts_user_types_whose_oids_differ_between_servers) {
    auto relation = relation_of("public", "items", {items[0], {"mood", 16900, "public.mood"}});
    auto target = target_of("public", "items", {items[0], {"mood", 17100, "public.mood"}});
    EXPECT_TRUE(std::holds_alternative<bound_table>(bind_relation(relation, target)));
}

TEST(table_binding, leaves_generated_target_columns_to_the_target) {
    auto target = target_of("public", "items", items);
    target.columns.push_back({"total", int4_oid, "integer", false, true, true});
    EXPECT_TRUE(std::holds_alternative<bound_table>(bind_relation(relation_of("public", "items", items), target)));
}

TEST(table_binding, refuses_to_write_a_column_the_target_generates) {
    auto target = target_of("public", "items", items);
    target.columns[1].generated = true;
    EXPECT_EQ(mismatch(relation_of("public", "items", items), target),
              R"(column "v" is generated on the target but sent by the source)");
}

TEST(table_binding, makes_every_column_a_key_under_replica_identity_full) {
    auto result = bind_relation(relation_of("public", "items", items, 'f'), target_of("public", "items", items));
    const auto& table = std::get<bound_table>(result);
    EXPECT_TRUE(table.columns[0].key);
    EXPECT_TRUE(table.columns[1].key);
    EXPECT_EQ(table.replica_identity, 'f');
}

TEST(table_binding, notes_an_identity_always_column) {
    auto target = target_of("public", "items", items);
    target.columns[0].identity_always = true;
    auto result = bind_relation(relation_of("public", "items", items), target);
    EXPECT_TRUE(std::get<bound_table>(result).identity_always);
    EXPECT_TRUE(std::get<bound_table>(result).columns[0].identity_always);
}

}  // namespace
