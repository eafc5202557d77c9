#include <gtest/gtest.h>

#include "pg/conninfo.hpp"
#include "schema/ddl_script.hpp"
#include "schema/dump_tool.hpp"
#include "schema/role_filter.hpp"
#include "util/size.hpp"
#include "util/error.hpp"
#include "printers.hpp"

namespace {

using namespace pghandoff;

// 1. schema/dump_tool: 9.6 reads as 96, which find_dump_tool ranks above 17 and accepts for an 11+ server.
TEST(dump_tool, ranks_a_9_6_pg_dump_below_a_pg_dump_10_or_newer) {
    auto old = schema::parse_tool_major("pg_dump (PostgreSQL) 9.6.24");
    auto newer = schema::parse_tool_major("pg_dump (PostgreSQL) 11.22");
    ASSERT_TRUE(old && newer);
    EXPECT_LT(*old, *newer);
}

// 2. schema/ddl_script: pg_dump prints "SET default_tablespace = ..." BEFORE an entry's header comment
//    (_printTocEntry calls _selectTablespace before emitting the header), so the SET lands in the
//    previous entry and the index is built per table without its tablespace.
TEST(ddl_script, keeps_a_tablespace_setting_with_the_entry_it_belongs_to) {
    auto script = schema::parse_ddl_script(
        "SET default_tablespace = '';\n\n"
        "--\n-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres\n--\n\n"
        "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n\n\n"
        "SET default_tablespace = fast;\n\n"
        "--\n-- Name: t_v_idx; Type: INDEX; Schema: public; Owner: postgres; Tablespace: fast\n--\n\n"
        "CREATE INDEX t_v_idx ON public.t USING btree (v);\n\n\n");
    ASSERT_EQ(script.entries.size(), 2u);
    EXPECT_EQ(script.entries[0].sql.find("default_tablespace = fast"), std::string::npos) << script.entries[0].sql;
    EXPECT_NE(script.entries[1].settings.find("SET default_tablespace = fast;"), std::string::npos) << script.entries[1].settings;
}

// 3. schema/ddl_script: every line starting with "--" or "\" is dropped, also inside string literals and
//    function bodies. The pre-data script goes through parse_ddl_script(...).full_sql().
TEST(ddl_script, keeps_lines_inside_a_multi_line_string_literal) {
    auto script = schema::parse_ddl_script(
        "--\n-- Name: TABLE t; Type: COMMENT; Schema: public; Owner: postgres\n--\n\n"
        "COMMENT ON TABLE public.t IS 'Columns:\n-- id: the key\n\\ marks a raw line';\n");
    auto sql = script.full_sql();
    EXPECT_NE(sql.find("-- id: the key\n"), std::string::npos) << sql;
    EXPECT_NE(sql.find("\\ marks a raw line';"), std::string::npos) << sql;
}

// 4. schema/role_filter: a schema named like a missing role loses its owner and grants to existing roles.
TEST(role_filter, keeps_lines_about_a_schema_named_like_a_missing_role) {
    const std::string sql =
        "ALTER SCHEMA reporting OWNER TO admin;\n"
        "GRANT USAGE ON SCHEMA reporting TO analyst;\n";
    std::size_t removed = 0;
    EXPECT_EQ(schema::drop_lines_naming_roles(sql, {"reporting"}, &removed), sql);
    EXPECT_EQ(removed, 0u);
}

// 5. schema/role_filter: pg_dump's fmtId quotes reserved keywords, so a role "user" appears as "user".
TEST(role_filter, drops_lines_of_a_missing_role_named_like_a_keyword) {
    EXPECT_EQ(schema::dump_role_spelling("user"), "\"user\"");
    EXPECT_EQ(schema::drop_lines_naming_roles("ALTER TABLE public.t OWNER TO \"user\";\n", {"user"}), "");
}

// 6. pg/conninfo: a value with a tab or newline is written unquoted; libpq ends it at the whitespace.
TEST(conninfo, quotes_values_with_any_whitespace) {
    auto info = pg::conninfo::parse("dbname=db").with("application_name", "a\tb");
    auto again = pg::conninfo::parse(info.to_string_without_password());
    EXPECT_EQ(again.get("application_name"), "a\tb");
}

// 7. pg/conninfo: dbname may itself be a connection string (libpq expands it when connecting);
//    its password is shown.
TEST(conninfo, leaves_out_a_password_inside_a_dbname_connection_string) {
    auto info = pg::conninfo::parse("dbname=postgresql://u:secret@h/db");
    EXPECT_EQ(info.to_string_without_password().find("secret"), std::string::npos) << info.to_string_without_password();
}

// 8. pg/conninfo: the key=value rule swallows the rest of a URI query string after ?password=.
TEST(conninfo, masks_only_the_password_uri_parameter) {
    EXPECT_EQ(pg::mask_passwords("postgresql://u@h/db?password=secret&sslmode=require"),
              "postgresql://u@h/db?password=********&sslmode=require");
}

// 9. util/size: a size that overflows 64 bits wraps silently (here to 0, i.e. "no chunking").
TEST(size, rejects_a_size_beyond_64_bits) { EXPECT_THROW(parse_size("16777216TB"), pghandoff::error); }

// 10. pg/conninfo: libpq's message quotes the word after an unquoted space in a password.
TEST(conninfo, hides_every_part_of_an_unquoted_password_with_a_space) {
    try {
        pg::conninfo::parse("host=h password=se cret");
        FAIL();
    } catch (const pghandoff::error& e) {
        EXPECT_EQ(std::string(e.what()).find("cret"), std::string::npos) << e.what();
    }
}

// 11. schema/ddl_script: " ON " is searched as text, so a quoted index name containing it misleads entry_table.
TEST(ddl_script, finds_the_table_of_an_index_whose_name_contains_on) {
    schema::ddl_entry e;
    e.type = "INDEX";
    e.sql = "CREATE INDEX \"by ON date\" ON public.t USING btree (d);\n";
    auto table = schema::entry_table(e);
    ASSERT_TRUE(table);
    EXPECT_EQ(*table, (catalog::qualified_name{"public", "t"}));
}

}  // namespace
