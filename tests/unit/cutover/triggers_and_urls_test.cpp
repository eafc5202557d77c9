#include <gtest/gtest.h>

#include <set>
#include <string>

#include "migration/follow.hpp"
#include "pg/conninfo.hpp"

namespace {

using pghandoff::pg::conninfo;

TEST(conninfo_to_uri, puts_each_part_in_its_place_and_encodes_it) {
    auto info = conninfo::parse("host=db.example.com port=6432 user=app password='p@ss word' dbname=shop sslmode=require");
    EXPECT_EQ(info.to_uri(), "postgresql://app:p%40ss%20word@db.example.com:6432/shop?sslmode=require");
    EXPECT_EQ(info.to_uri(false), "postgresql://app@db.example.com:6432/shop?sslmode=require");
}

TEST(conninfo_to_uri, keeps_socket_directories_and_host_lists_as_parameters) {
    auto info = conninfo::parse("host=/var/run/postgresql dbname=app");
    EXPECT_EQ(info.to_uri(), "postgresql:///app?host=%2Fvar%2Frun%2Fpostgresql");
    auto ipv6 = conninfo::parse("host=::1 port=5432 dbname=app");
    EXPECT_EQ(ipv6.to_uri(), "postgresql://[::1]:5432/app");
}

TEST(conninfo_to_uri, round_trips_through_the_parser) {
    auto info = conninfo::parse("postgresql://alice:s%3Acret@h:5/d%20b?application_name=x%26y");
    auto again = conninfo::parse(info.to_uri());
    EXPECT_EQ(again.get("user"), "alice");
    EXPECT_EQ(again.get("password"), "s:cret");
    EXPECT_EQ(again.get("dbname"), "d b");
    EXPECT_EQ(again.get("application_name"), "x&y");
}

TEST(suspended_triggers, are_restored_as_they_were_and_suspended_again) {
    const std::set<std::string> steps{
        std::string("trigger\x1f") + "public\x1f" + "Orders\x1f" + "audit it\x1f" + "A",
        std::string("trigger\x1f") + "shop\x1f" + "items\x1f" + "on_replica\x1f" + "R",
        "copy complete",
    };
    const auto restore = pghandoff::migration::restore_triggers_sql(steps);
    EXPECT_NE(restore.find("ALTER TABLE \"public\".\"Orders\" ENABLE ALWAYS TRIGGER \"audit it\";"), std::string::npos)
        << restore;
    EXPECT_NE(restore.find("ALTER TABLE \"shop\".\"items\" ENABLE REPLICA TRIGGER \"on_replica\";"), std::string::npos)
        << restore;
    const auto again = pghandoff::migration::suspend_again_sql(steps);
    EXPECT_NE(again.find("ALTER TABLE \"public\".\"Orders\" DISABLE TRIGGER \"audit it\";"), std::string::npos) << again;
    EXPECT_NE(again.find("ALTER TABLE \"shop\".\"items\" DISABLE TRIGGER \"on_replica\";"), std::string::npos) << again;
    EXPECT_EQ(pghandoff::migration::restore_triggers_sql({"copy complete"}), "");
}

}  // namespace
