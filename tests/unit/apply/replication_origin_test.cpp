#include "apply/replication_origin.hpp"

#include <gtest/gtest.h>

namespace {

TEST(replication_origin, writes_commit_times_as_utc_text_to_the_microsecond) {
    using pghandoff::apply::timestamp_text;
    EXPECT_EQ(timestamp_text(0), "2000-01-01 00:00:00.000000+00");
    EXPECT_EQ(timestamp_text(1), "2000-01-01 00:00:00.000001+00");
    EXPECT_EQ(timestamp_text(-1), "1999-12-31 23:59:59.999999+00");
    // 2024-02-29 12:34:56.789012 UTC
    EXPECT_EQ(timestamp_text(762'525'296'789'012), "2024-02-29 12:34:56.789012+00");
}

}  // namespace
