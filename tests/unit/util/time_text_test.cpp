#include "util/time_text.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

namespace {

using namespace std::chrono;
using pghandoff::parse_duration;
using pghandoff::parse_rfc3339;

TEST(parse_duration, reads_every_unit_and_bare_seconds) {
    EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
    EXPECT_EQ(parse_duration("2s"), milliseconds(2000));
    EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
    EXPECT_EQ(parse_duration("3"), milliseconds(3000));
    EXPECT_EQ(parse_duration("5m"), minutes(5));
    EXPECT_EQ(parse_duration("1h"), hours(1));
}

TEST(parse_duration, refuses_what_is_not_a_duration) {
    EXPECT_THROW(parse_duration(""), pghandoff::error);
    EXPECT_THROW(parse_duration("soon"), pghandoff::error);
    EXPECT_THROW(parse_duration("5 parsecs"), pghandoff::error);
    EXPECT_THROW(parse_duration("-1s"), pghandoff::error);
}

TEST(parse_rfc3339, reads_utc_offsets_and_fractions) {
    const auto utc = parse_rfc3339("2026-11-21T18:00:00Z");
    EXPECT_EQ(duration_cast<seconds>(utc.time_since_epoch()).count(), 1795284000);
    EXPECT_EQ(parse_rfc3339("2026-11-21T19:00:00+01:00"), utc);
    EXPECT_EQ(parse_rfc3339("2026-11-21T12:30:00-05:30"), utc);
    EXPECT_EQ(parse_rfc3339("2026-11-21 18:00:00z"), utc);
    EXPECT_EQ(parse_rfc3339("2026-11-21T18:00:00.250Z") - utc, milliseconds(250));
}

TEST(parse_rfc3339, refuses_times_without_a_zone_or_out_of_range) {
    EXPECT_THROW(parse_rfc3339("2026-11-21T18:00:00"), pghandoff::error);
    EXPECT_THROW(parse_rfc3339("2026-02-30T18:00:00Z"), pghandoff::error);
    EXPECT_THROW(parse_rfc3339("2026-11-21T24:00:00Z"), pghandoff::error);
    EXPECT_THROW(parse_rfc3339("tomorrow"), pghandoff::error);
    EXPECT_THROW(parse_rfc3339("2026-11-21T18:00:00Zjunk"), pghandoff::error);
}

}  // namespace
