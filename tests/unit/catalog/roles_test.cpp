#include "catalog/roles.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::catalog::create_role_sql;
using pghandoff::catalog::role_info;

TEST(roles, creates_a_login_role_with_its_attributes) {
    role_info app{.name = "app", .can_login = true, .inherit = true, .create_db = true, .create_role = true,
                  .connection_limit = 20};
    EXPECT_EQ(create_role_sql(app), "CREATE ROLE \"app\" WITH LOGIN INHERIT CREATEDB CREATEROLE CONNECTION LIMIT 20");
}

TEST(roles, creates_a_group_role_without_privileges) {
    role_info readers{.name = "Read Only", .can_login = false, .inherit = false};
    EXPECT_EQ(create_role_sql(readers), "CREATE ROLE \"Read Only\" WITH NOLOGIN NOINHERIT CONNECTION LIMIT -1");
}

TEST(roles, never_gives_a_created_role_a_password) {
    role_info app{.name = "app", .can_login = true};
    auto sql = create_role_sql(app);
    EXPECT_EQ(sql.find("PASSWORD"), std::string::npos) << sql;
    EXPECT_EQ(sql.find("SUPERUSER"), std::string::npos) << sql;
}

TEST(roles, quotes_a_role_name_with_a_quote) {
    EXPECT_EQ(create_role_sql({.name = "a\"b"}), "CREATE ROLE \"a\"\"b\" WITH NOLOGIN INHERIT CONNECTION LIMIT -1");
}

}  // namespace
