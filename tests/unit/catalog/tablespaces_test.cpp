#include "catalog/tablespaces.hpp"

#include <gtest/gtest.h>

namespace {

using namespace pghandoff::catalog;

TEST(tablespaces, names_each_missing_tablespace_once_with_its_first_relation_and_both_ways_out) {
    std::vector<tablespace_use> uses = {{"fast", {"public", "orders"}, "orders_pkey"},
                                        {"fast", {"public", "orders"}, "orders_placed_idx"},
                                        {"fast", {"public", "items"}, "items"},
                                        {"Archive Disk", {"app", "log"}, "log"}};
    auto problems = missing_tablespace_problems(uses, scope{}, {"pg_default", "pg_global"});
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0],
              "tablespace Archive Disk does not exist on the target (1 migrated table(s) and index(es) are in it, first "
              "app.log): create it on the target (CREATE TABLESPACE \"Archive Disk\" LOCATION '...'), or pass "
              "--no-tablespaces to use the target's default tablespace");
    EXPECT_NE(problems[1].find("tablespace fast does not exist on the target (3 migrated table(s) and index(es) are in "
                               "it, first public.orders_pkey)"),
              std::string::npos)
        << problems[1];
}

TEST(tablespaces, accepts_tablespaces_the_target_has) {
    std::vector<tablespace_use> uses = {{"fast", {"public", "orders"}, "orders_pkey"}};
    EXPECT_TRUE(missing_tablespace_problems(uses, scope{}, {"fast"}).empty());
}

TEST(tablespaces, ignores_relations_left_out_of_the_migration) {
    std::vector<tablespace_use> uses = {{"fast", {"public", "orders"}, "orders_pkey"}, {"slow", {"archive", "old"}, "old"}};
    scope s;
    s.include_schema_named("public");
    s.exclude_table_named({"public", "orders"});
    EXPECT_TRUE(missing_tablespace_problems(uses, s, {}).empty());
}

}  // namespace
