#include "schema/ddl_script.hpp"

#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "../printers.hpp"
#include "../text_search.hpp"
#include "post_data_script.hpp"

namespace {

using pghandoff::catalog::qualified_name;
using pghandoff::fixtures::post_data_script;
using pghandoff::schema::ddl_entry;
using pghandoff::schema::entry_table;
using pghandoff::schema::parse_ddl_script;
using pghandoff::schema::read_qualified_name;
using pghandoff::schema::referenced_table;
using pghandoff::test_support::contains;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

const ddl_entry& entry_tagged(const std::vector<ddl_entry>& entries, const std::string& tag) {
    for (const auto& e : entries)
        if (e.tag == tag) return e;
    throw std::runtime_error("no entry tagged " + tag);
}

ddl_entry entry(std::string type, std::string sql) {
    ddl_entry e;
    e.type = std::move(type);
    e.sql = std::move(sql);
    return e;
}

TEST(ddl_script, keeps_the_set_statements_as_preamble) {
    auto script = parse_ddl_script(post_data_script);
    EXPECT_TRUE(contains(script.preamble, "SET statement_timeout = 0;\n"));
    EXPECT_TRUE(contains(script.preamble, "SELECT pg_catalog.set_config('search_path', '', false);\n"));
    EXPECT_TRUE(contains(script.preamble, "SET row_security = off;\n"));
    EXPECT_TRUE(contains(script.preamble, "SET default_tablespace = '';\n"));
    EXPECT_FALSE(contains(script.preamble, "ALTER TABLE"));
    EXPECT_FALSE(contains(script.preamble, "--"));
}

TEST(ddl_script, drops_psql_meta_commands) {
    auto script = parse_ddl_script(post_data_script);
    for (const auto& line : lines_of(script.preamble)) EXPECT_FALSE(line.starts_with("\\")) << line;
    for (const auto& line : lines_of(script.full_sql())) EXPECT_FALSE(line.starts_with("\\")) << line;
    EXPECT_FALSE(contains(script.full_sql(), "restrict"));
}

TEST(ddl_script, splits_entries_with_their_header_fields) {
    auto script = parse_ddl_script(post_data_script);
    std::vector<std::string> types;
    for (const auto& e : script.entries) types.push_back(e.type);
    EXPECT_EQ(types, (std::vector<std::string>{"CONSTRAINT", "CONSTRAINT", "CONSTRAINT", "CONSTRAINT", "INDEX", "INDEX",
                                                "INDEX", "INDEX ATTACH", "INDEX ATTACH", "TRIGGER", "FK CONSTRAINT"}));
    const auto& pkey = script.entries.at(2);
    EXPECT_EQ(pkey.tag, "Order Items order_items_pkey");
    EXPECT_EQ(pkey.schema, "Sales");
    EXPECT_EQ(pkey.sql.find("ALTER TABLE ONLY \"Sales\".\"Order Items\"\n    ADD CONSTRAINT order_items_pkey PRIMARY KEY (id);\n"),
              0u);
    const auto& trigger = entry_tagged(script.entries, "orders orders_audit");
    EXPECT_EQ(trigger.type, "TRIGGER");
    EXPECT_EQ(trigger.schema, "public");
    EXPECT_TRUE(contains(trigger.sql, "CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE ON public.orders"));
}

TEST(ddl_script, folds_a_comment_into_the_index_it_describes) {
    auto script = parse_ddl_script(post_data_script);
    for (const auto& e : script.entries) EXPECT_NE(e.type, "COMMENT");
    const auto& index = entry_tagged(script.entries, "order_items_sku_key");
    EXPECT_EQ(index.type, "INDEX");
    EXPECT_TRUE(contains(index.sql, "CREATE UNIQUE INDEX order_items_sku_key ON \"Sales\".\"Order Items\""));
    EXPECT_TRUE(contains(index.sql, "COMMENT ON INDEX \"Sales\".order_items_sku_key IS 'one row per stock keeping unit';"));
    EXPECT_LT(index.sql.find("CREATE UNIQUE INDEX"), index.sql.find("COMMENT ON INDEX"));
}

TEST(ddl_script, keeps_every_statement_in_order_in_the_full_sql) {
    auto script = parse_ddl_script(post_data_script);
    auto sql = script.full_sql();
    std::size_t last = 0;
    for (const char* statement :
         {"SET statement_timeout = 0;", "ADD CONSTRAINT measurements_pkey", "ADD CONSTRAINT orders_pkey",
          "CREATE INDEX measurements_taken_at_idx ON ONLY", "CREATE UNIQUE INDEX order_items_sku_key",
          "COMMENT ON INDEX", "ATTACH PARTITION public.measurements_2024_pkey", "CREATE TRIGGER orders_audit",
          "ADD CONSTRAINT order_items_order_id_fkey"}) {
        auto at = sql.find(statement, last);
        ASSERT_NE(at, std::string::npos) << statement;
        last = at;
    }
}

TEST(ddl_script, gives_every_entry_a_distinct_key) {
    auto script = parse_ddl_script(post_data_script);
    std::set<std::string> keys;
    for (const auto& e : script.entries) EXPECT_TRUE(keys.insert(e.key).second) << e.key;
}

TEST(ddl_script, keys_entries_with_the_same_header_apart_and_stably) {
    const std::string text =
        "--\n-- Name: t r; Type: RULE; Schema: public; Owner: postgres\n--\n\nCREATE RULE r AS ON INSERT TO public.t DO NOTHING;\n\n"
        "--\n-- Name: t r; Type: RULE; Schema: public; Owner: postgres\n--\n\nCREATE RULE r AS ON UPDATE TO public.t DO NOTHING;\n";
    auto first = parse_ddl_script(text);
    auto again = parse_ddl_script(text);
    ASSERT_EQ(first.entries.size(), 2u);
    EXPECT_NE(first.entries[0].key, first.entries[1].key);
    EXPECT_EQ(first.entries[0].key, again.entries[0].key);
    EXPECT_EQ(first.entries[1].key, again.entries[1].key);
}

TEST(ddl_script, keys_do_not_depend_on_unrelated_entries) {
    const std::string index =
        "--\n-- Name: t_idx; Type: INDEX; Schema: public; Owner: postgres\n--\n\nCREATE INDEX t_idx ON public.t USING btree (a);\n";
    const std::string other =
        "--\n-- Name: u_idx; Type: INDEX; Schema: public; Owner: postgres\n--\n\nCREATE INDEX u_idx ON public.u USING btree (a);\n";
    auto alone = parse_ddl_script(index);
    auto after_other = parse_ddl_script(other + index);
    ASSERT_EQ(alone.entries.size(), 1u);
    ASSERT_EQ(after_other.entries.size(), 2u);
    EXPECT_EQ(alone.entries[0].key, after_other.entries[1].key);
}

TEST(ddl_script, reads_a_script_without_entries_as_preamble) {
    auto script = parse_ddl_script("SET lock_timeout = 0;\n\\unrestrict abc\n");
    EXPECT_TRUE(script.entries.empty());
    EXPECT_EQ(script.preamble, "SET lock_timeout = 0;\n");
    EXPECT_EQ(script.full_sql(), "SET lock_timeout = 0;\n");
}

TEST(ddl_script, finds_the_table_of_an_index) {
    auto table = entry_table(entry("INDEX", "CREATE UNIQUE INDEX x ON \"Sales\".\"Order Items\" USING btree (id);\n"));
    ASSERT_TRUE(table);
    EXPECT_EQ(*table, (qualified_name{"Sales", "Order Items"}));
    auto plain = entry_table(entry("INDEX", "CREATE INDEX t_a_idx ON public.t USING btree (a);\n"));
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, (qualified_name{"public", "t"}));
}

TEST(ddl_script, gives_no_table_for_a_partitioned_parents_index) {
    EXPECT_FALSE(entry_table(entry("INDEX", "CREATE INDEX m_idx ON ONLY public.measurements USING btree (taken_at);\n")));
}

TEST(ddl_script, finds_the_table_of_a_constraint) {
    auto table = entry_table(entry("CONSTRAINT", "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n"));
    ASSERT_TRUE(table);
    EXPECT_EQ(*table, (qualified_name{"public", "a"}));
    auto without_only = entry_table(entry("CONSTRAINT", "ALTER TABLE \"S\".\"T\"\n    ADD CONSTRAINT t_key UNIQUE (id);\n"));
    ASSERT_TRUE(without_only);
    EXPECT_EQ(*without_only, (qualified_name{"S", "T"}));
}

TEST(ddl_script, finds_both_tables_of_a_foreign_key) {
    auto fk = entry("FK CONSTRAINT",
                    "ALTER TABLE ONLY \"Sales\".\"Order Items\"\n"
                    "    ADD CONSTRAINT order_items_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);\n");
    auto table = entry_table(fk);
    auto referenced = referenced_table(fk);
    ASSERT_TRUE(table);
    ASSERT_TRUE(referenced);
    EXPECT_EQ(*table, (qualified_name{"Sales", "Order Items"}));
    EXPECT_EQ(*referenced, (qualified_name{"public", "orders"}));
}

TEST(ddl_script, finds_a_referenced_table_with_a_quoted_name) {
    auto fk = entry("FK CONSTRAINT",
                    "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_b_fkey FOREIGN KEY (b) REFERENCES \"Sales\".\"Or.ders\"(id);\n");
    auto referenced = referenced_table(fk);
    ASSERT_TRUE(referenced);
    EXPECT_EQ(*referenced, (qualified_name{"Sales", "Or.ders"}));
}

TEST(ddl_script, finds_the_table_of_a_trigger) {
    auto trigger = entry("TRIGGER", "CREATE TRIGGER t_audit AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();\n");
    ASSERT_TRUE(entry_table(trigger));
    EXPECT_EQ(*entry_table(trigger), (qualified_name{"public", "t"}));
    auto tricky = entry("TRIGGER", "CREATE CONSTRAINT TRIGGER \"a ON b\" AFTER UPDATE OF \"x ON y\" ON \"Sales\".\"Or ders\" "
                                   "DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();\n");
    ASSERT_TRUE(entry_table(tricky));
    EXPECT_EQ(*entry_table(tricky), (qualified_name{"Sales", "Or ders"}));
    EXPECT_FALSE(entry_table(entry("TRIGGER", "CREATE TRIGGER nothing_after\n")));
}

TEST(ddl_script, gives_no_tables_for_other_entry_types) {
    auto trigger = entry("TRIGGER", "CREATE TRIGGER t_audit AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();\n");
    EXPECT_FALSE(entry_table(entry("VIEW", "CREATE VIEW public.v AS SELECT 1;\n")));
    EXPECT_FALSE(referenced_table(trigger));
    EXPECT_FALSE(referenced_table(entry("CONSTRAINT", "ALTER TABLE ONLY public.a\n    ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n")));
}

TEST(ddl_script, reads_quoted_names_with_dots_and_doubled_quotes) {
    std::size_t pos = 0;
    auto name = read_qualified_name("\"my.schema\".\"say \"\"hi\"\"\" USING btree", pos);
    ASSERT_TRUE(name);
    EXPECT_EQ(*name, (qualified_name{"my.schema", "say \"hi\""}));
    EXPECT_EQ(pos, std::string_view("\"my.schema\".\"say \"\"hi\"\"\"").size());
}

TEST(ddl_script, reads_bare_names_up_to_the_next_token) {
    std::size_t pos = 0;
    auto name = read_qualified_name("  public.orders(id) ON DELETE", pos);
    ASSERT_TRUE(name);
    EXPECT_EQ(*name, (qualified_name{"public", "orders"}));
    EXPECT_EQ(pos, 15u);
}

TEST(ddl_script, reads_an_unqualified_name_with_an_empty_schema) {
    std::size_t pos = 0;
    auto name = read_qualified_name("orders USING", pos);
    ASSERT_TRUE(name);
    EXPECT_EQ(*name, (qualified_name{"", "orders"}));
}

TEST(ddl_script, rejects_an_unterminated_or_missing_name) {
    std::size_t pos = 0;
    EXPECT_FALSE(read_qualified_name("\"never closed", pos));
    pos = 0;
    EXPECT_FALSE(read_qualified_name("public.(", pos));
    pos = 0;
    EXPECT_FALSE(read_qualified_name("(id)", pos));
}

}  // namespace

TEST(ddl_script, finds_the_table_of_extended_statistics) {
    auto plain = entry("STATISTICS", "CREATE STATISTICS \"Sales\".s1 (dependencies, ndistinct) ON mood, created_at "
                                     "FROM \"Sales\".\"Cust omers\";\n\n\nALTER STATISTICS \"Sales\".s1 OWNER TO x;\n");
    ASSERT_TRUE(entry_table(plain));
    EXPECT_EQ(*entry_table(plain), (qualified_name{"Sales", "Cust omers"}));
    // FROM inside an expression, a quoted name or a literal is not the table's.
    auto tricky = entry("STATISTICS", "CREATE STATISTICS public.s2 ON (EXTRACT(year FROM ts)), \"a FROM b\", "
                                      "(x || ' FROM c') FROM public.events;\n");
    ASSERT_TRUE(entry_table(tricky));
    EXPECT_EQ(*entry_table(tricky), (qualified_name{"public", "events"}));
    EXPECT_FALSE(entry_table(entry("STATISTICS", "CREATE STATISTICS public.s3 ON a, b;\n")));
}

namespace {

TEST(ddl_script, creates_schemas_only_where_missing) {
    auto script = pghandoff::schema::parse_ddl_script(
        "SET statement_timeout = 0;\n\n"
        "--\n-- Name: public; Type: SCHEMA; Schema: -; Owner: pg_database_owner\n--\n\n"
        "CREATE SCHEMA public;\n\n\nALTER SCHEMA public OWNER TO pg_database_owner;\n\n"
        "--\n-- Name: Sales; Type: SCHEMA; Schema: -; Owner: app\n--\n\n"
        "CREATE SCHEMA \"Sales\";\n\n\n"
        "--\n-- Name: t; Type: TABLE; Schema: public; Owner: app\n--\n\n"
        "CREATE TABLE public.t (\n    note text DEFAULT 'CREATE SCHEMA x'\n);\n\n\n");
    pghandoff::schema::reuse_existing_schemas(script);
    ASSERT_EQ(script.entries.size(), 3u);
    EXPECT_TRUE(script.entries[0].sql.starts_with("CREATE SCHEMA IF NOT EXISTS public;")) << script.entries[0].sql;
    EXPECT_NE(script.entries[0].sql.find("ALTER SCHEMA public OWNER TO pg_database_owner;"), std::string::npos);
    EXPECT_TRUE(script.entries[1].sql.starts_with("CREATE SCHEMA IF NOT EXISTS \"Sales\";")) << script.entries[1].sql;
    EXPECT_NE(script.entries[2].sql.find("DEFAULT 'CREATE SCHEMA x'"), std::string::npos) << script.entries[2].sql;
    // Applying it twice changes nothing more.
    pghandoff::schema::reuse_existing_schemas(script);
    EXPECT_TRUE(script.entries[0].sql.starts_with("CREATE SCHEMA IF NOT EXISTS public;")) << script.entries[0].sql;
}

}  // namespace
