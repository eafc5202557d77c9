#include "migration/sessions.hpp"

#include <gtest/gtest.h>

#include "../text_search.hpp"

namespace {

using pghandoff::migration::common_session_settings;
using pghandoff::test_support::contains;

TEST(sessions, pins_the_settings_that_change_text_copy_output) {
    auto sql = common_session_settings("UTF8");
    EXPECT_TRUE(contains(sql, "SET client_encoding = 'UTF8';"));
    EXPECT_TRUE(contains(sql, "SET DateStyle = 'ISO';"));
    EXPECT_TRUE(contains(sql, "SET IntervalStyle = 'postgres';"));
    EXPECT_TRUE(contains(sql, "SET TimeZone = 'UTC';"));
    EXPECT_TRUE(contains(sql, "SET extra_float_digits = 3;"));
}

TEST(sessions, turns_off_timeouts_and_row_security) {
    auto sql = common_session_settings("UTF8");
    EXPECT_TRUE(contains(sql, "SET statement_timeout = 0;"));
    EXPECT_TRUE(contains(sql, "SET lock_timeout = 0;"));
    EXPECT_TRUE(contains(sql, "SET idle_in_transaction_session_timeout = 0;"));
    EXPECT_TRUE(contains(sql, "SET row_security = off;"));
}

TEST(sessions, quotes_the_client_encoding) {
    EXPECT_TRUE(contains(common_session_settings("x'y"), "SET client_encoding = 'x''y';"));
}

}  // namespace
