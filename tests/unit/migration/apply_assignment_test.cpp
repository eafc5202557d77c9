#include "migration/apply_assignment.hpp"

#include <gtest/gtest.h>

#include "migration/progress_store.hpp"

namespace {

using pghandoff::catalog::qualified_name;
using pghandoff::migration::apply_assignment;
using pghandoff::migration::assign_tables;
using pghandoff::migration::assignable_table;
using pghandoff::migration::assignment_from_steps;
using pghandoff::migration::assignment_step_keys;

assignable_table table(const std::string& name, std::uint64_t bytes, std::vector<qualified_name> linked = {}) {
    return {{"public", name}, bytes, std::move(linked)};
}

TEST(apply_assignment, linked_tables_share_a_connection_and_sets_go_round_robin_largest_first) {
    const std::vector<assignable_table> tables{
        table("accounts", 1000),
        table("orders", 300, {{"public", "customers"}}),
        table("customers", 10),
        table("lines", 50, {{"public", "orders"}}),  // linked through orders
        table("history", 200),
        table("codes", 5),
        table("measures", 1, {{"public", "measures_2026"}}),
        table("measures_2026", 100),
        table("dangling", 7, {{"other", "not migrated"}}),
    };
    const auto a = assign_tables(tables, 3);
    EXPECT_EQ(a.connections, 3u);
    // Sets by size: accounts 1000, orders+customers+lines 360, history 200, measures 101, dangling 7, codes 5.
    EXPECT_EQ(a.of("public", "accounts"), 0u);
    EXPECT_EQ(a.of("public", "orders"), 1u);
    EXPECT_EQ(a.of("public", "customers"), 1u);
    EXPECT_EQ(a.of("public", "lines"), 1u);
    EXPECT_EQ(a.of("public", "history"), 2u);
    EXPECT_EQ(a.of("public", "measures"), 0u);
    EXPECT_EQ(a.of("public", "measures_2026"), 0u);
    EXPECT_EQ(a.of("public", "dangling"), 1u);
    EXPECT_EQ(a.of("public", "codes"), 2u);
    EXPECT_EQ(a.of("public", "unknown"), 0u) << "a table not assigned goes to the first connection";
}

TEST(apply_assignment, one_connection_takes_every_table) {
    const auto a = assign_tables({table("a", 1), table("b", 2)}, 1);
    EXPECT_EQ(a.of("public", "a"), 0u);
    EXPECT_EQ(a.of("public", "b"), 0u);
    EXPECT_EQ(assign_tables({table("a", 1)}, 0).connections, 1u) << "zero connections means one";
}

TEST(apply_assignment, equal_sizes_are_ordered_by_name_so_every_run_agrees) {
    const auto first = assign_tables({table("b", 5), table("a", 5), table("c", 5)}, 2);
    const auto second = assign_tables({table("c", 5), table("b", 5), table("a", 5)}, 2);
    EXPECT_EQ(first.tables, second.tables);
    EXPECT_EQ(first.of("public", "a"), 0u);
    EXPECT_EQ(first.of("public", "b"), 1u);
}

TEST(apply_assignment, survives_the_round_trip_through_step_keys_with_odd_names) {
    apply_assignment a;
    a.connections = 4;
    a.tables[{"Sales", "Größe \"x\""}] = 3;
    a.tables[{"public", "plain"}] = 1;
    const auto keys = assignment_step_keys(a);
    const std::set<std::string> steps(keys.begin(), keys.end());
    const auto back = assignment_from_steps(steps);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->connections, 4u);
    EXPECT_EQ(back->tables, a.tables);
    EXPECT_FALSE(assignment_from_steps({"copy complete"}).has_value());
}

TEST(apply_assignment, origins_of_a_migration_are_named_after_its_slot) {
    EXPECT_EQ(pghandoff::migration::origin_condition("pghandoff_0a1b2c3d"),
              "(roname = 'pghandoff' OR roname = 'pghandoff_0a1b2c3d' OR roname ~ '^pghandoff_0a1b2c3d_[0-9]+$')");
    EXPECT_EQ(pghandoff::migration::origin_condition(""), "(roname = 'pghandoff')");
}

}  // namespace
