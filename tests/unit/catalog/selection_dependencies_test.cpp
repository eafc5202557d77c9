#include "catalog/selection_dependencies.hpp"

#include <gtest/gtest.h>

namespace {

using namespace pghandoff::catalog;
using kind = relation_dependency::kind;

relation_dependency dep(kind how, qualified_name dependent, qualified_name referenced, std::string constraint = "") {
    return relation_dependency{how, std::move(dependent), std::move(constraint), std::move(referenced)};
}

scope excluding(std::initializer_list<qualified_name> tables) {
    scope s;
    for (const auto& t : tables) s.exclude_table_named(t);
    return s;
}

TEST(selection_dependencies, finds_nothing_when_everything_is_migrated) {
    std::vector<relation_dependency> deps = {dep(kind::view, {"public", "v"}, {"public", "t"}),
                                             dep(kind::foreign_key, {"public", "u"}, {"public", "t"}, "u_fk")};
    EXPECT_TRUE(broken_dependency_problems(deps, scope{}, {}).empty());
}

TEST(selection_dependencies, names_a_foreign_key_to_an_excluded_table_and_both_ways_out) {
    std::vector<relation_dependency> deps = {dep(kind::foreign_key, {"public", "u"}, {"public", "t"}, "u_t_fk")};
    auto problems = broken_dependency_problems(deps, excluding({{"public", "t"}}), {});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0],
              "foreign key u_t_fk of public.u references public.t, which is not migrated and not on the target: "
              "exclude public.u too (--exclude-table public.u) or stop excluding public.t");
}

TEST(selection_dependencies, accepts_a_left_out_relation_the_target_has) {
    std::vector<relation_dependency> deps = {dep(kind::view, {"public", "v"}, {"public", "t"})};
    EXPECT_TRUE(broken_dependency_problems(deps, excluding({{"public", "t"}}), {"public.t"}).empty());
}

TEST(selection_dependencies, ignores_objects_that_are_left_out_themselves) {
    std::vector<relation_dependency> deps = {dep(kind::view, {"public", "v"}, {"public", "t"})};
    EXPECT_TRUE(broken_dependency_problems(deps, excluding({{"public", "t"}, {"public", "v"}}), {}).empty());
}

TEST(selection_dependencies, follows_a_chain_of_views_whatever_their_order) {
    std::vector<relation_dependency> deps = {dep(kind::view, {"public", "a_top"}, {"public", "middle"}),
                                             dep(kind::materialized_view, {"public", "middle"}, {"public", "t"})};
    auto problems = broken_dependency_problems(deps, excluding({{"public", "t"}}), {});
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0], "materialized view public.middle reads public.t, which is not migrated and not on the target: "
                           "exclude the view too (--exclude-table public.middle) or stop excluding public.t");
    EXPECT_EQ(problems[1], "view public.a_top reads public.middle, which cannot be created either: "
                           "exclude the view too (--exclude-table public.a_top)");
}

TEST(selection_dependencies, a_foreign_key_does_not_keep_its_table_from_being_created) {
    // u's foreign key fails, u itself can be created: the view on u is fine.
    std::vector<relation_dependency> deps = {dep(kind::foreign_key, {"public", "u"}, {"public", "t"}, "u_fk"),
                                             dep(kind::view, {"public", "v"}, {"public", "u"})};
    auto problems = broken_dependency_problems(deps, excluding({{"public", "t"}}), {});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("foreign key u_fk"), std::string::npos);
}

TEST(selection_dependencies, suggests_including_the_schema_of_a_relation_outside_the_selection) {
    scope only_app;
    only_app.include_schema_named("app");
    std::vector<relation_dependency> deps = {dep(kind::partition_of, {"app", "m_2024"}, {"Shared", "measures"}),
                                             dep(kind::inherits, {"app", "child"}, {"lib", "base"})};
    auto problems = broken_dependency_problems(deps, only_app, {});
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0], "table app.m_2024 is a partition of Shared.measures, which is not migrated and not on the "
                           "target: exclude it too (--exclude-table app.m_2024) or add --include-schema '\"Shared\"'");
    EXPECT_EQ(problems[1], "table app.child inherits from lib.base, which is not migrated and not on the target: "
                           "exclude it too (--exclude-table app.child) or add --include-schema lib");
}

}  // namespace

namespace {

using namespace pghandoff::catalog;
using kind = relation_dependency::kind;

TEST(selection_dependencies, names_a_foreign_key_to_a_partitioned_table_missing_a_partition) {
    std::vector<relation_dependency> deps = {
        {kind::partition_of, {"public", "m_2023"}, "", {"public", "m"}},
        {kind::partition_of, {"public", "m_2023_q1"}, "", {"public", "m_2023"}},
        {kind::foreign_key, {"public", "ref"}, "ref_m_fkey", {"public", "m"}},
    };
    scope s;
    s.exclude_table_named({"public", "m_2023_q1"});
    auto problems = broken_dependency_problems(deps, s, {});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0], "foreign key ref_m_fkey of public.ref references public.m, whose partition public.m_2023_q1 is "
                           "not migrated: exclude public.ref too (--exclude-table public.ref) or stop excluding "
                           "public.m_2023_q1");
    // The partition already on the target is fine.
    EXPECT_TRUE(broken_dependency_problems(deps, s, {"public.m_2023_q1"}).empty());
}

TEST(selection_dependencies, refuses_a_foreign_key_to_a_table_whose_rows_are_left_out) {
    scope s;
    s.exclude_table_data(scope::parse_table_pattern("public.customers"));
    s.exclude_table_data(scope::parse_table_pattern("public.m_2023"));
    std::vector<relation_dependency> deps = {
        dep(kind::foreign_key, {"public", "orders"}, {"public", "customers"}, "orders_customer_fk"),
        // Rows of a table that references a rowless one are left out too: nothing to validate.
        dep(kind::foreign_key, {"public", "customers"}, {"public", "regions"}, "customers_region_fk"),
        dep(kind::partition_of, {"public", "m_2023"}, {"public", "m"}),
        dep(kind::partition_of, {"public", "m_2024"}, {"public", "m"}),
        dep(kind::foreign_key, {"public", "notes"}, {"public", "m"}, "notes_m_fk")};
    auto problems = broken_dependency_problems(deps, s, {});
    ASSERT_EQ(problems.size(), 2u) << ::testing::PrintToString(problems);
    EXPECT_EQ(problems[0], "foreign key orders_customer_fk of public.orders references public.customers, whose rows "
                           "--exclude-table-data leaves out: it could not be validated on the target; leave out the rows "
                           "of public.orders too (--exclude-table-data public.orders) or copy those of public.customers");
    EXPECT_EQ(problems[1], "foreign key notes_m_fk of public.notes references public.m, whose partition public.m_2023 has "
                           "rows --exclude-table-data leaves out: it could not be validated on the target; leave out the "
                           "rows of public.notes too (--exclude-table-data public.notes) or copy those of public.m_2023");
}

}  // namespace
