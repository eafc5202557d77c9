#include "catalog/scope.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "util/error.hpp"

#include "../printers.hpp"

namespace {

using pghandoff::catalog::is_system_schema;
using pghandoff::catalog::qualified_name;
using pghandoff::catalog::scope;
using pghandoff::catalog::table_pattern;

table_pattern table(std::string_view text) { return scope::parse_table_pattern(text); }

bool matches(std::string_view pattern, const qualified_name& name) { return table(pattern).matches(name); }

TEST(scope, reads_a_schema_qualified_table_name) {
    EXPECT_TRUE(matches("public.t", {"public", "t"}));
    EXPECT_FALSE(matches("public.t", {"public", "tt"}));
    EXPECT_FALSE(matches("public.t", {"other", "t"}));
    EXPECT_TRUE(matches("sales.orders", {"sales", "orders"}));
    EXPECT_TRUE(table("sales.orders").schema.is_exact());
    EXPECT_EQ(table("sales.orders").name.exact_name(), "orders");
}

TEST(scope, puts_an_unqualified_name_in_public_and_folds_it) {
    EXPECT_TRUE(matches("T", {"public", "t"}));
    EXPECT_FALSE(matches("T", {"public", "T"}));
    EXPECT_FALSE(matches("t", {"sales", "t"}));
    EXPECT_TRUE(matches("Sales.Orders", {"sales", "orders"}));
    EXPECT_EQ(table("T").text(), "public.T");
}

TEST(scope, keeps_quoted_names_as_written) {
    EXPECT_TRUE(matches("\"Sales\".\"Order Items\"", {"Sales", "Order Items"}));
    EXPECT_FALSE(matches("\"Sales\".\"Order Items\"", {"sales", "order items"}));
    EXPECT_TRUE(matches("\"Orders\"", {"public", "Orders"}));
    EXPECT_TRUE(matches("\"a.b\".c", {"a.b", "c"}));
    EXPECT_TRUE(matches("\"A\"b", {"public", "Ab"}));
}

TEST(scope, reads_doubled_quotes_as_one_quote) { EXPECT_TRUE(matches("\"a\"\"b\".c", {"a\"b", "c"})); }

TEST(scope, reads_star_and_question_mark_as_wildcards_like_pg_dump) {
    EXPECT_TRUE(matches("public.audit_*", {"public", "audit_log"}));
    EXPECT_TRUE(matches("public.audit_*", {"public", "audit_"}));
    EXPECT_FALSE(matches("public.audit_*", {"public", "xaudit_log"}));
    EXPECT_FALSE(matches("public.audit_*", {"archive", "audit_log"}));
    EXPECT_TRUE(matches("*.log", {"archive", "log"}));
    EXPECT_TRUE(matches("*.log", {"Weird Schema", "log"}));
    EXPECT_TRUE(matches("m_202?", {"public", "m_2023"}));
    EXPECT_FALSE(matches("m_202?", {"public", "m_20234"}));
    EXPECT_TRUE(matches("Audit*", {"public", "audit_log"}));
    EXPECT_FALSE(matches("Audit*", {"public", "Audit_log"}));
    EXPECT_FALSE(table("public.audit_*").name.is_exact());
}

TEST(scope, reads_a_question_mark_as_one_character_even_a_multibyte_one) {
    EXPECT_TRUE(matches("caf?", {"public", "caf\u00e9"}));
    EXPECT_TRUE(matches("caf?", {"public", "cafe"}));
    EXPECT_FALSE(matches("caf?", {"public", "caf\u00e9s"}));
    EXPECT_TRUE(matches("?_log", {"public", "\u65e5_log"}));
    EXPECT_FALSE(matches("??_log", {"public", "\u65e5_log"}));
    EXPECT_TRUE(matches("\"Ma\u00f1ana\".t?", {"Ma\u00f1ana", "t\u00f1"}));
}

TEST(scope, takes_wildcards_in_quotes_literally) {
    EXPECT_TRUE(matches("\"Order*Items\"", {"public", "Order*Items"}));
    EXPECT_FALSE(matches("\"Order*Items\"", {"public", "OrderXItems"}));
    EXPECT_TRUE(table("\"Order*Items\"").name.is_exact());
    EXPECT_TRUE(matches("\"a(b)\"", {"public", "a(b)"}));
}

TEST(scope, keeps_other_regular_expression_characters_outside_quotes_and_dollar_literal) {
    EXPECT_TRUE(matches("log_(a|b)", {"public", "log_a"}));
    EXPECT_TRUE(matches("log_(a|b)", {"public", "log_b"}));
    EXPECT_FALSE(matches("log_(a|b)", {"public", "log_c"}));
    EXPECT_TRUE(matches("t[0-9]+", {"public", "t42"}));
    EXPECT_TRUE(matches("price$", {"public", "price$"}));
    EXPECT_FALSE(matches("price$", {"public", "price"}));
    EXPECT_TRUE(table("price$").name.is_exact());
}

TEST(scope, rejects_a_broken_regular_expression_with_a_hint) {
    try {
        table("public.t[0-9");
        FAIL() << "a broken pattern was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(std::string(e.what()).find("t[0-9"), std::string::npos) << e.what();
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(scope, rejects_a_missing_table_after_the_dot) {
    try {
        table("a.");
        FAIL() << "\"a.\" was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(std::string(e.what()).find("a."), std::string::npos) << e.what();
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(scope, rejects_an_unterminated_quote) {
    EXPECT_THROW(table("\"unterminated"), pghandoff::error);
    EXPECT_THROW(table("s.\"unterminated"), pghandoff::error);
    EXPECT_THROW(scope::parse_schema_pattern("\"unterminated"), pghandoff::error);
}

TEST(scope, rejects_names_with_missing_or_extra_parts) {
    EXPECT_THROW(table(""), pghandoff::error);
    EXPECT_THROW(table(".t"), pghandoff::error);
    EXPECT_THROW(table("a.b.c"), pghandoff::error);
    EXPECT_THROW(table("\"\".t"), pghandoff::error);
    EXPECT_THROW(scope::parse_schema_pattern(""), pghandoff::error);
    EXPECT_THROW(scope::parse_schema_pattern("db.sales"), pghandoff::error);
}

TEST(scope, reads_schema_patterns_like_pg_dump_n) {
    EXPECT_TRUE(scope::parse_schema_pattern("Sales").matches("sales"));
    EXPECT_FALSE(scope::parse_schema_pattern("Sales").matches("Sales"));
    EXPECT_TRUE(scope::parse_schema_pattern("\"Sales\"").matches("Sales"));
    EXPECT_TRUE(scope::parse_schema_pattern("\"a.b\"").matches("a.b"));
    EXPECT_TRUE(scope::parse_schema_pattern("tenant_*").matches("tenant_42"));
    EXPECT_FALSE(scope::parse_schema_pattern("tenant_*").matches("tenants"));
    EXPECT_TRUE(scope::parse_schema_pattern("ünïcødé").matches("ünïcødé"));
}

TEST(scope, covers_every_user_schema_without_includes) {
    scope all;
    EXPECT_TRUE(all.covers_schema("public"));
    EXPECT_TRUE(all.covers_schema("Sales"));
    EXPECT_TRUE(all.covers_table({"public", "t"}));
}

TEST(scope, covers_only_included_schemas) {
    scope some;
    some.include_schema(scope::parse_schema_pattern("sales"));
    some.include_schema(scope::parse_schema_pattern("\"Billing\""));
    some.include_schema(scope::parse_schema_pattern("tenant_*"));
    EXPECT_TRUE(some.covers_schema("sales"));
    EXPECT_TRUE(some.covers_schema("Billing"));
    EXPECT_FALSE(some.covers_schema("billing"));
    EXPECT_TRUE(some.covers_schema("tenant_7"));
    EXPECT_FALSE(some.covers_schema("public"));
    EXPECT_TRUE(some.covers_table({"sales", "orders"}));
    EXPECT_FALSE(some.covers_table({"public", "orders"}));
}

TEST(scope, leaves_out_excluded_tables_only) {
    scope s;
    s.exclude_table(table("public.audit_log"));
    s.exclude_table(table("*.tmp_*"));
    EXPECT_FALSE(s.covers_table({"public", "audit_log"}));
    EXPECT_TRUE(s.covers_table({"public", "audit_log_2"}));
    EXPECT_FALSE(s.covers_table({"archive", "tmp_1"}));
    EXPECT_FALSE(s.covers_table({"public", "tmp_"}));
    EXPECT_TRUE(s.covers_table({"public", "tmp"}));
    EXPECT_TRUE(s.covers_table({"archive", "audit_log"}));
    EXPECT_TRUE(s.covers_schema("public"));
}

TEST(scope, leaves_out_excluded_schemas_even_when_included) {
    scope s;
    s.exclude_schema(scope::parse_schema_pattern("archive_*"));
    EXPECT_TRUE(s.covers_schema("public"));
    EXPECT_FALSE(s.covers_schema("archive_2023"));
    EXPECT_TRUE(s.excludes_schema("archive_2023"));
    EXPECT_FALSE(s.excludes_schema("public"));
    EXPECT_FALSE(s.covers_table({"archive_2023", "orders"}));
    s.include_schema(scope::parse_schema_pattern("*"));
    EXPECT_FALSE(s.covers_schema("archive_2024"));
    EXPECT_TRUE(s.covers_schema("sales"));
    auto args = s.pg_dump_arguments();
    EXPECT_NE(std::find(args.begin(), args.end(), "--exclude-schema=archive_*"), args.end());
    scope other;
    other.include_schema(scope::parse_schema_pattern("*"));
    EXPECT_NE(s.fingerprint(), other.fingerprint());
}

TEST(scope, copies_the_rows_of_covered_tables_but_those_whose_data_is_excluded) {
    scope s;
    s.exclude_table(table("public.tmp"));
    s.exclude_table_data(table("*.audit_*"));
    EXPECT_TRUE(s.copies_rows({"public", "orders"}));
    EXPECT_TRUE(s.covers_table({"public", "audit_log"}));
    EXPECT_FALSE(s.copies_rows({"public", "audit_log"}));
    EXPECT_FALSE(s.copies_rows({"archive", "audit_2023"}));
    EXPECT_FALSE(s.copies_rows({"public", "tmp"}));
    // The schema dump still creates the tables: only --exclude-table reaches pg_dump.
    auto args = s.pg_dump_arguments();
    EXPECT_EQ(std::count_if(args.begin(), args.end(), [](const std::string& a) { return a.find("audit") != std::string::npos; }), 0);
    scope other;
    other.exclude_table(table("public.tmp"));
    EXPECT_NE(s.fingerprint(), other.fingerprint());
}

TEST(scope, never_covers_system_schemas) {
    scope all;
    scope included;
    for (const char* schema : {"pg_catalog", "information_schema", "pghandoff", "pg_toast", "pg_toast_temp_1", "pg_temp_3"}) {
        included.include_schema_named(schema);
        EXPECT_TRUE(is_system_schema(schema)) << schema;
        EXPECT_FALSE(all.covers_schema(schema)) << schema;
        EXPECT_FALSE(included.covers_schema(schema)) << schema;
        EXPECT_FALSE(all.covers_table({schema, "t"})) << schema;
    }
    EXPECT_FALSE(is_system_schema("public"));
    EXPECT_FALSE(is_system_schema("pg"));
}

TEST(scope, passes_the_selection_to_pg_dump_as_written_and_public_for_a_bare_table) {
    scope s;
    s.include_schema_named("Sales");
    s.include_schema_named("a\"b");
    s.include_schema(scope::parse_schema_pattern("tenant_*"));
    s.exclude_table_named({"Sales", "Order*Items"});
    s.exclude_table(table("audit_*"));
    s.exclude_table(table("*.\"Tmp\""));
    auto args = s.pg_dump_arguments();
    auto has = [&](const std::string& a) { return std::find(args.begin(), args.end(), a) != args.end(); };
    EXPECT_TRUE(has("--schema=\"Sales\""));
    EXPECT_TRUE(has("--schema=\"a\"\"b\""));
    EXPECT_TRUE(has("--schema=tenant_*"));
    EXPECT_TRUE(has("--exclude-table=\"Sales\".\"Order*Items\""));
    EXPECT_TRUE(has("--exclude-table=public.audit_*"));
    EXPECT_TRUE(has("--exclude-table=*.\"Tmp\""));
    EXPECT_TRUE(has("--exclude-schema=pghandoff"));
}

TEST(scope, passes_no_schema_pattern_when_everything_is_covered) {
    scope all;
    auto args = all.pg_dump_arguments();
    EXPECT_EQ(args, std::vector<std::string>{"--exclude-schema=pghandoff"});
}

TEST(scope, fingerprint_ignores_the_order_options_were_given) {
    scope one;
    one.include_schema(scope::parse_schema_pattern("sales"));
    one.include_schema(scope::parse_schema_pattern("billing"));
    one.exclude_table(table("sales.log"));
    one.exclude_table(table("billing.tmp_*"));
    scope other;
    other.exclude_table(table("Billing.tmp_*"));
    other.include_schema(scope::parse_schema_pattern("\"billing\""));
    other.exclude_table_named({"sales", "log"});
    other.include_schema_named("sales");
    EXPECT_EQ(one.fingerprint(), other.fingerprint());
}

TEST(scope, fingerprint_tells_different_selections_apart) {
    scope a;
    a.include_schema_named("sales");
    scope b;
    b.include_schema_named("billing");
    scope c;
    c.include_schema_named("sales");
    c.exclude_table_named({"sales", "log"});
    scope d;
    d.include_schema_named("Sales");
    scope e;
    e.include_schema(scope::parse_schema_pattern("sales*"));
    scope all;
    EXPECT_NE(a.fingerprint(), d.fingerprint());
    EXPECT_NE(a.fingerprint(), e.fingerprint());
    EXPECT_NE(a.fingerprint(), b.fingerprint());
    EXPECT_NE(a.fingerprint(), c.fingerprint());
    EXPECT_NE(a.fingerprint(), all.fingerprint());
}

// What a POSIX shell makes of one word: '...' literal, "..." without its quotes, the rest as is.
std::string shell_unquoted(std::string_view word) {
    std::string out;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (word[i] == '\'') {
            const auto end = word.find('\'', i + 1);
            out += word.substr(i + 1, end - i - 1);
            i = end;
        } else if (word[i] == '\\') {
            out += word[++i];
        } else {
            out += word[i];
        }
    }
    return out;
}

TEST(scope, writes_names_for_the_shell_the_way_the_options_read_them) {
    using pghandoff::catalog::command_line_name;
    using pghandoff::catalog::command_line_schema;
    EXPECT_EQ(command_line_name({"public", "orders"}), "public.orders");
    EXPECT_EQ(command_line_name({"Sales", "Order Items"}), "'\"Sales\".\"Order Items\"'");
    EXPECT_EQ(command_line_name({"app", "say \"hi\""}), "'app.\"say \"\"hi\"\"\"'");
    EXPECT_EQ(command_line_name({"app", "2fa"}), "'app.\"2fa\"'");
    EXPECT_EQ(command_line_schema("Shared"), "'\"Shared\"'");
    EXPECT_EQ(command_line_schema("ledger"), "ledger");
    for (const qualified_name& n : std::vector<qualified_name>{
             {"public", "orders"}, {"Sales", "Order Items"}, {"app", "say \"hi\""}, {"o'brien", "it's"}, {"a.b", "c*d?"}, {"x", "$1"}}) {
        const auto written = command_line_name(n);
        const auto pattern = scope::parse_table_pattern(shell_unquoted(written));
        EXPECT_TRUE(pattern.matches(n)) << written;
        EXPECT_TRUE(pattern.schema.is_exact() && pattern.name.is_exact()) << written;
    }
    EXPECT_TRUE(scope::parse_schema_pattern(shell_unquoted(command_line_schema("Shared"))).matches("Shared"));
}

TEST(qualified_name, quotes_for_sql_and_reads_plainly_for_messages) {
    qualified_name name{"Sales", "Order Items"};
    EXPECT_EQ(name.sql(), "\"Sales\".\"Order Items\"");
    EXPECT_EQ(name.display(), "Sales.Order Items");
}

}  // namespace
