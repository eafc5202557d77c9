#include "cdc/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include "pgoutput_fixtures.hpp"
#include "../text_search.hpp"

// Malformed input: every fixture cut short, or followed by a stray byte, must give a
// decode_error that names what was being read, and never read past the payload.

namespace {

using namespace pghandoff::cdc;
using pghandoff::test_support::contains;
namespace fx = pghandoff::test_support::pgoutput_fixtures;

/// Whether a cut of `fixture` at `length` is itself a whole, valid message: the 9 first bytes of
/// a parallel-streaming Stream Abort are a Stream Abort without abort position.
bool is_a_shorter_valid_form(const fx::fixture& fixture, std::size_t length) {
    return fixture.name == "stream_abort_parallel" && length == 9;
}

TEST(pgoutput_truncation, decodes_every_whole_fixture) {
    for (const auto& fixture : fx::all()) {
        auto result = decode_pgoutput(fixture.bytes, fixture.in_stream);
        auto* error = std::get_if<decode_error>(&result);
        EXPECT_FALSE(error) << fixture.name << ": " << error->what;
    }
}

TEST(pgoutput_truncation, rejects_every_fixture_cut_at_every_length) {
    for (const auto& fixture : fx::all()) {
        for (std::size_t length = 0; length < fixture.bytes.size(); ++length) {
            if (is_a_shorter_valid_form(fixture, length)) continue;
            // A copy of exactly `length` bytes, so sanitizers catch any read past the cut.
            std::string cut = fixture.bytes.substr(0, length);
            auto result = decode_pgoutput(cut, fixture.in_stream);
            auto* error = std::get_if<decode_error>(&result);
            ASSERT_TRUE(error) << fixture.name << " cut at " << length << " decoded";
            EXPECT_LE(error->offset, length) << fixture.name << " cut at " << length;
            EXPECT_TRUE(length == 0 || contains(error->what, "truncated") || contains(error->what, "unterminated"))
                << fixture.name << " cut at " << length << ": " << error->what;
        }
    }
}

TEST(pgoutput_truncation, decodes_the_short_stream_abort_inside_a_parallel_one) {
    auto m = fx::decode_as<stream_abort_message>(fx::stream_abort_parallel().substr(0, 9));
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->abort_lsn);
}

TEST(pgoutput_truncation, rejects_a_stream_abort_with_a_partial_abort_position) {
    auto error = fx::error_of(fx::stream_abort_parallel().substr(0, 20));
    EXPECT_EQ(error.what, "Stream Abort message: truncated abort time: needs 8 bytes, 3 left");
    EXPECT_EQ(error.offset, 17u);
}

TEST(pgoutput_truncation, rejects_every_fixture_followed_by_a_stray_byte) {
    for (const auto& fixture : fx::all()) {
        auto error = fx::error_of(fixture.bytes + 'x', fixture.in_stream);
        // A Stream Abort may be followed by an abort position: there the stray byte is a truncated one.
        EXPECT_TRUE(contains(error.what, "unexpected trailing bytes after the message: 1") ||
                    (fixture.name == "stream_abort" && contains(error.what, "truncated abort LSN")))
            << fixture.name << ": " << error.what;
        EXPECT_EQ(error.offset, fixture.bytes.size()) << fixture.name;
    }
}

TEST(pgoutput_truncation, names_the_relation_field_it_was_reading) {
    auto bytes = fx::relation();
    auto type_oid_of_first_column = 1 + 4 + 1 + 9 + 1 + 2 + 1 + 3;
    auto error = fx::error_of(bytes.substr(0, type_oid_of_first_column + 2));
    EXPECT_EQ(error.what, "Relation message: truncated column type OID: needs 4 bytes, 2 left");
    EXPECT_EQ(error.offset, static_cast<std::size_t>(type_oid_of_first_column));
}

TEST(pgoutput_truncation, names_an_unterminated_relation_name) {
    auto error = fx::error_of(fx::relation().substr(0, 10));
    EXPECT_EQ(error.what, "Relation message: unterminated relation name");
    EXPECT_EQ(error.offset, 6u);
}

TEST(pgoutput_truncation, names_a_missing_stream_xid) {
    auto error = fx::error_of(std::string("I\0\0", 3), true);
    EXPECT_EQ(error.what, "Insert message: truncated xid: needs 4 bytes, 2 left");
    EXPECT_EQ(error.offset, 1u);
}

TEST(pgoutput_truncation, notices_a_stream_xid_that_is_not_there) {
    auto error = fx::error_of(fx::truncate(), true);
    EXPECT_TRUE(contains(error.what, "Truncate message: truncated relation OID")) << error.what;
}

}  // namespace
