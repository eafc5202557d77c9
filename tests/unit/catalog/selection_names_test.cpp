#include "catalog/selection_names.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::catalog::qualified_name;
using pghandoff::catalog::scope;

scope including(std::initializer_list<const char*> patterns) {
    scope s;
    for (const char* p : patterns) s.include_schema(scope::parse_schema_pattern(p));
    return s;
}

scope excluding(std::initializer_list<const char*> patterns) {
    scope s;
    for (const char* p : patterns) s.exclude_table(scope::parse_table_pattern(p));
    return s;
}

TEST(selection_names, accepts_schema_patterns_that_match) {
    const std::vector<std::string> schemas{"public", "sales", "Billing", "tenant_1"};
    EXPECT_TRUE(pghandoff::catalog::unmatched_schema_problems(including({"sales", "\"Billing\"", "tenant_*"}), schemas, "app")
                    .empty());
}

TEST(selection_names, names_a_schema_that_differs_only_in_case_and_the_quoting_that_matches_it) {
    const std::vector<std::string> schemas{"public", "Sales"};
    auto problems = pghandoff::catalog::unmatched_schema_problems(including({"Sales"}), schemas, "app");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0],
              "--include-schema Sales: the source database app has no schema sales; unquoted names fold to lower case, "
              "as in pg_dump: write --include-schema '\"Sales\"' for schema Sales");
}

TEST(selection_names, reports_each_schema_pattern_that_matches_nothing) {
    const std::vector<std::string> schemas{"public"};
    auto problems = pghandoff::catalog::unmatched_schema_problems(including({"sales", "tenant_*", "public"}), schemas, "app");
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0], "--include-schema sales: the source database app has no schema sales");
    EXPECT_EQ(problems[1], "--include-schema tenant_* matches no schema of the source database app");
}

TEST(selection_names, warns_of_excluded_schema_patterns_that_match_nothing) {
    scope s;
    for (const char* p : {"archive_*", "Logs", "tmp_*", "gone"}) s.exclude_schema(scope::parse_schema_pattern(p));
    const std::vector<std::string> schemas{"public", "archive_1", "Logs"};
    auto warnings = pghandoff::catalog::unmatched_excluded_schema_warnings(s, schemas);
    ASSERT_EQ(warnings.size(), 3u);
    EXPECT_EQ(warnings[0], "--exclude-schema Logs names no schema on the source: nothing is left out for it (unquoted names "
                           "fold to lower case, as in pg_dump: write '\"Logs\"' for Logs)");
    EXPECT_EQ(warnings[1], "--exclude-schema tmp_* matches no schema on the source: nothing is left out for it");
    EXPECT_EQ(warnings[2], "--exclude-schema gone names no schema on the source: nothing is left out for it");
}

TEST(selection_names, warns_of_table_patterns_that_match_nothing) {
    const std::vector<qualified_name> relations{{"public", "audit_log"}, {"Sales", "Order"}, {"public", "v_report"}};
    EXPECT_TRUE(pghandoff::catalog::unmatched_table_warnings(excluding({"audit_*", "v_report", "\"Sales\".\"Order\""}),
                                                             relations)
                    .empty());
    auto warnings =
        pghandoff::catalog::unmatched_table_warnings(excluding({"Sales.Order", "tmp_*", "public.missing"}), relations);
    ASSERT_EQ(warnings.size(), 3u);
    EXPECT_EQ(warnings[0],
              "--exclude-table Sales.Order names no table on the source: nothing is left out for it (unquoted names fold "
              "to lower case, as in pg_dump: write '\"Sales\".\"Order\"' for Sales.Order)");
    EXPECT_EQ(warnings[1], "--exclude-table public.tmp_* matches no table on the source: nothing is left out for it");
    EXPECT_EQ(warnings[2], "--exclude-table public.missing names no table on the source: nothing is left out for it");
}

}  // namespace
