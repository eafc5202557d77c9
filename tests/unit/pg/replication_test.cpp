#include "pg/replication.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::pg::conninfo;
using pghandoff::pg::replication_conninfo;

TEST(replication, connects_to_the_same_database_in_logical_replication_mode) {
    auto info = replication_conninfo(conninfo::parse("postgresql://u:secret@h:5433/app"));
    EXPECT_EQ(info.get("replication"), "database");
    EXPECT_EQ(info.get("host"), "h");
    EXPECT_EQ(info.get("port"), "5433");
    EXPECT_EQ(info.get("dbname"), "app");
    EXPECT_EQ(info.get("password"), "secret");
}

TEST(replication, overrides_a_physical_replication_setting) {
    auto info = replication_conninfo(conninfo::parse("host=h dbname=app replication=true"));
    EXPECT_EQ(info.get("replication"), "database");
}

}  // namespace
