#include "schema/dump_tool.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::pg::conninfo;
using pghandoff::schema::child_environment;
using pghandoff::schema::parse_tool_major;

TEST(dump_tool, reads_the_major_version_of_a_distribution_build) {
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), 15);
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 17.2 (Ubuntu 17.2-1.pgdg24.04+1)\n"), 17);
}

TEST(dump_tool, reads_the_major_version_of_a_plain_build) {
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 16.4"), 16);
    EXPECT_EQ(parse_tool_major("pg_restore (PostgreSQL) 13.16"), 13);
}

TEST(dump_tool, reads_the_major_version_of_a_development_build) {
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 17devel"), 17);
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 18beta1"), 18);
}

TEST(dump_tool, reads_nothing_from_other_output) {
    EXPECT_FALSE(parse_tool_major(""));
    EXPECT_FALSE(parse_tool_major("bash: pg_dump: command not found"));
    EXPECT_FALSE(parse_tool_major("pg_dump 15.4"));
    EXPECT_FALSE(parse_tool_major("pg_dump (PostgreSQL) devel"));
}

TEST(dump_tool, hands_the_password_to_children_through_the_environment) {
    auto env = child_environment(conninfo::parse("postgresql://u:secret@h/db"));
    ASSERT_EQ(env.size(), 1u);
    EXPECT_EQ(env[0].first, "PGPASSWORD");
    EXPECT_EQ(env[0].second, "secret");
}

TEST(dump_tool, sets_no_password_variable_without_a_password) {
    EXPECT_TRUE(child_environment(conninfo::parse("host=h dbname=db")).empty());
}

}  // namespace
