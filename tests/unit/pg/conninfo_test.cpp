#include "pg/conninfo.hpp"

#include <gtest/gtest.h>

#include "util/error.hpp"

#include "../text_search.hpp"

namespace {

using pghandoff::pg::conninfo;
using pghandoff::pg::mask_passwords;
using pghandoff::pg::quote_conninfo_value;
using pghandoff::test_support::contains;

TEST(conninfo, parses_a_uri) {
    auto info = conninfo::parse("postgresql://alice:secret@db.example.com:5433/app?sslmode=require");
    EXPECT_EQ(info.get("user"), "alice");
    EXPECT_EQ(info.get("password"), "secret");
    EXPECT_EQ(info.get("host"), "db.example.com");
    EXPECT_EQ(info.get("port"), "5433");
    EXPECT_EQ(info.get("dbname"), "app");
    EXPECT_EQ(info.get("sslmode"), "require");
}

TEST(conninfo, parses_key_value_pairs_with_quoted_values) {
    auto info = conninfo::parse("host=db port=5432 dbname='my db' user=alice password='it\\'s'");
    EXPECT_EQ(info.get("host"), "db");
    EXPECT_EQ(info.get("port"), "5432");
    EXPECT_EQ(info.get("dbname"), "my db");
    EXPECT_EQ(info.get("user"), "alice");
    EXPECT_EQ(info.get("password"), "it's");
}

TEST(conninfo, decodes_percent_encoding_in_a_uri) {
    auto info = conninfo::parse("postgresql://al%20ice:p%40ss%2Fword@db/my%20db?application_name=a%26b");
    EXPECT_EQ(info.get("user"), "al ice");
    EXPECT_EQ(info.get("password"), "p@ss/word");
    EXPECT_EQ(info.get("dbname"), "my db");
    EXPECT_EQ(info.get("application_name"), "a&b");
}

TEST(conninfo, reports_only_what_was_given_not_defaults) {
    auto info = conninfo::parse("dbname=app");
    EXPECT_EQ(info.get("dbname"), "app");
    EXPECT_FALSE(info.get("host"));
    EXPECT_FALSE(info.get("port"));
    EXPECT_EQ(info.options().size(), 1u);
}

TEST(conninfo, with_replaces_an_existing_value) {
    auto info = conninfo::parse("host=db application_name=psql dbname=app");
    auto renamed = info.with("application_name", "pghandoff");
    EXPECT_EQ(renamed.get("application_name"), "pghandoff");
    EXPECT_EQ(renamed.get("host"), "db");
    EXPECT_EQ(renamed.options().size(), info.options().size());
    EXPECT_EQ(info.get("application_name"), "psql");
}

TEST(conninfo, with_adds_a_missing_value) {
    auto info = conninfo::parse("host=db");
    auto replication = info.with("replication", "database");
    EXPECT_EQ(replication.get("replication"), "database");
    EXPECT_EQ(replication.get("host"), "db");
    EXPECT_FALSE(info.get("replication"));
}

TEST(conninfo, leaves_the_password_out_of_a_uri_display) {
    auto info = conninfo::parse("postgresql://u:secret@h/db");
    auto shown = info.to_string_without_password();
    EXPECT_FALSE(contains(shown, "secret")) << shown;
    EXPECT_FALSE(contains(shown, "password")) << shown;
    EXPECT_TRUE(contains(shown, "host=h")) << shown;
    EXPECT_TRUE(contains(shown, "user=u")) << shown;
    EXPECT_TRUE(contains(shown, "dbname=db")) << shown;
    EXPECT_EQ(info.display(), shown);
}

TEST(conninfo, leaves_the_password_out_of_a_key_value_display) {
    auto info = conninfo::parse("host=h password=secret dbname=db");
    auto shown = info.to_string_without_password();
    EXPECT_FALSE(contains(shown, "secret")) << shown;
    EXPECT_FALSE(contains(shown, "password")) << shown;
    EXPECT_TRUE(contains(shown, "host=h")) << shown;
}

TEST(conninfo, display_reads_back_to_the_same_options_without_password) {
    auto info = conninfo::parse("host=h user='o\\'hara' password=secret dbname='my db' options='-c search_path=a\\\\b'");
    auto again = conninfo::parse(info.to_string_without_password());
    EXPECT_EQ(again.get("host"), "h");
    EXPECT_EQ(again.get("user"), "o'hara");
    EXPECT_EQ(again.get("dbname"), "my db");
    EXPECT_EQ(again.get("options"), "-c search_path=a\\b");
    EXPECT_FALSE(again.get("password"));
}

TEST(conninfo, quotes_values_that_need_it) {
    EXPECT_EQ(quote_conninfo_value("db"), "db");
    EXPECT_EQ(quote_conninfo_value("my db"), "'my db'");
    EXPECT_EQ(quote_conninfo_value("it's"), "'it\\'s'");
    EXPECT_EQ(quote_conninfo_value("a\\b"), "'a\\\\b'");
    EXPECT_EQ(quote_conninfo_value(""), "''");
    EXPECT_EQ(quote_conninfo_value("a=b"), "'a=b'");
}

TEST(conninfo, quoted_values_read_back_unchanged) {
    for (const std::string value : {"my db", "it's", "a\\b", "a=b", "'\\'", "plain"}) {
        auto info = conninfo::parse("application_name=" + quote_conninfo_value(value) + " dbname=db");
        EXPECT_EQ(info.get("application_name"), value);
        EXPECT_EQ(info.get("dbname"), "db");
    }
}

TEST(conninfo, masks_a_plain_password_setting) {
    auto masked = mask_passwords("host=h password=secret dbname=db");
    EXPECT_FALSE(contains(masked, "secret")) << masked;
    EXPECT_TRUE(contains(masked, "host=h")) << masked;
    EXPECT_TRUE(contains(masked, "dbname=db")) << masked;
}

TEST(conninfo, masks_a_quoted_password_with_spaces) {
    auto masked = mask_passwords("host=h password='se cret' dbname=db");
    EXPECT_FALSE(contains(masked, "se cret")) << masked;
    EXPECT_FALSE(contains(masked, "cret")) << masked;
    EXPECT_TRUE(contains(masked, "dbname=db")) << masked;
}

TEST(conninfo, masks_a_quoted_password_with_escaped_quotes) {
    auto masked = mask_passwords("password='it\\'s secret' host=h");
    EXPECT_FALSE(contains(masked, "secret")) << masked;
    EXPECT_TRUE(contains(masked, "host=h")) << masked;
}

TEST(conninfo, masks_the_password_of_uri_user_info) {
    auto masked = mask_passwords("cannot connect to postgresql://u:secret@host/db: timeout");
    EXPECT_FALSE(contains(masked, "secret")) << masked;
    EXPECT_TRUE(contains(masked, "postgresql://u:")) << masked;
    EXPECT_TRUE(contains(masked, "@host/db: timeout")) << masked;
}

TEST(conninfo, masks_the_password_of_a_postgres_scheme_uri) {
    auto masked = mask_passwords("postgres://u:secret@host:5432/db");
    EXPECT_FALSE(contains(masked, "secret")) << masked;
    EXPECT_TRUE(contains(masked, "@host:5432/db")) << masked;
}

TEST(conninfo, masks_a_password_uri_parameter) {
    auto masked = mask_passwords("postgresql://u@host/db?password=secret&x=1");
    EXPECT_FALSE(contains(masked, "secret")) << masked;
    EXPECT_TRUE(contains(masked, "postgresql://u@host/db?")) << masked;
}

TEST(conninfo, masking_leaves_text_without_password_alone) {
    const std::string text = "host=h user=u dbname=db postgresql://u@host/db";
    EXPECT_EQ(mask_passwords(text), text);
}

TEST(conninfo, rejects_a_malformed_key_value_string_without_showing_the_password) {
    try {
        conninfo::parse("host=h password=secret port");
        FAIL() << "a string ending in a bare word was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_FALSE(contains(e.what(), "secret")) << e.what();
        EXPECT_FALSE(contains(e.one_line(), "secret")) << e.one_line();
        EXPECT_TRUE(contains(e.what(), "missing \"=\"")) << e.what();
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(conninfo, rejects_a_malformed_uri_without_showing_the_password) {
    try {
        conninfo::parse("postgresql://u:secret@[h/db");
        FAIL() << "an unterminated IPv6 host was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_FALSE(contains(e.what(), "secret")) << e.what();
        EXPECT_TRUE(contains(e.what(), "postgresql://u:")) << e.what();
    }
}

TEST(conninfo, rejects_an_unknown_option_by_name) {
    try {
        conninfo::parse("host=h password=secret hots=typo");
        FAIL() << "an unknown keyword was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_FALSE(contains(e.what(), "secret")) << e.what();
        EXPECT_TRUE(contains(e.what(), "hots")) << e.what();
    }
}

}  // namespace
