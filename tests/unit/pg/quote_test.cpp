#include "pg/quote.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

namespace {

using pghandoff::pg::qualified_name;
using pghandoff::pg::quote_ident;
using pghandoff::pg::quote_literal;

TEST(quote, quotes_every_identifier) {
    EXPECT_EQ(quote_ident("orders"), "\"orders\"");
    EXPECT_EQ(quote_ident("select"), "\"select\"");
}

TEST(quote, keeps_the_case_of_mixed_case_identifiers) { EXPECT_EQ(quote_ident("OrderItems"), "\"OrderItems\""); }

TEST(quote, doubles_quotes_inside_identifiers) {
    EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(quote_ident("\""), "\"\"\"\"");
}

TEST(quote, keeps_unicode_identifiers_byte_for_byte) {
    EXPECT_EQ(quote_ident("Bestellposten_\xC3\xBC"), "\"Bestellposten_\xC3\xBC\"");
    EXPECT_EQ(quote_ident("\xE6\xB3\xA8\xE6\x96\x87"), "\"\xE6\xB3\xA8\xE6\x96\x87\"");
}

TEST(quote, quotes_both_parts_of_a_qualified_name) {
    EXPECT_EQ(qualified_name("public", "t"), "\"public\".\"t\"");
    EXPECT_EQ(qualified_name("Sales", "Order Items"), "\"Sales\".\"Order Items\"");
    EXPECT_EQ(qualified_name("a.b", "c\"d"), "\"a.b\".\"c\"\"d\"");
}

TEST(quote, doubles_quotes_inside_literals) {
    EXPECT_EQ(quote_literal("o'hara"), "'o''hara'");
    EXPECT_EQ(quote_literal(""), "''");
    EXPECT_EQ(quote_literal("plain"), "'plain'");
}

TEST(quote, writes_backslashes_as_an_escape_string) {
    EXPECT_EQ(quote_literal("a\\b"), "E'a\\\\b'");
    EXPECT_EQ(quote_literal("it's a\\b"), "E'it''s a\\\\b'");
}

TEST(quote, rejects_a_nul_byte_in_a_literal) {
    using namespace std::string_view_literals;
    EXPECT_THROW(quote_literal("a\0b"sv), pghandoff::error);
}

}  // namespace
