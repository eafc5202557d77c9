#include "catalog/scope.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "util/error.hpp"

#include "../printers.hpp"

namespace {

using pghandoff::catalog::is_system_schema;
using pghandoff::catalog::qualified_name;
using pghandoff::catalog::scope;

TEST(scope, reads_a_schema_qualified_table_name) {
    EXPECT_EQ(scope::parse_table_name("public.t"), (qualified_name{"public", "t"}));
    EXPECT_EQ(scope::parse_table_name("sales.orders"), (qualified_name{"sales", "orders"}));
}

TEST(scope, puts_an_unqualified_name_in_public_and_folds_it) {
    EXPECT_EQ(scope::parse_table_name("T"), (qualified_name{"public", "t"}));
    EXPECT_EQ(scope::parse_table_name("Sales.Orders"), (qualified_name{"sales", "orders"}));
}

TEST(scope, keeps_quoted_names_as_written) {
    EXPECT_EQ(scope::parse_table_name("\"Sales\".\"Order Items\""), (qualified_name{"Sales", "Order Items"}));
    EXPECT_EQ(scope::parse_table_name("\"Orders\""), (qualified_name{"public", "Orders"}));
    EXPECT_EQ(scope::parse_table_name("\"a.b\".c"), (qualified_name{"a.b", "c"}));
}

TEST(scope, reads_doubled_quotes_as_one_quote) {
    EXPECT_EQ(scope::parse_table_name("\"a\"\"b\".c"), (qualified_name{"a\"b", "c"}));
}

TEST(scope, rejects_a_missing_table_after_the_dot) {
    try {
        scope::parse_table_name("a.");
        FAIL() << "\"a.\" was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(std::string(e.what()).find("a."), std::string::npos) << e.what();
        EXPECT_FALSE(e.hint().empty());
    }
}

TEST(scope, rejects_an_unterminated_quote) {
    EXPECT_THROW(scope::parse_table_name("\"unterminated"), pghandoff::error);
    EXPECT_THROW(scope::parse_table_name("s.\"unterminated"), pghandoff::error);
}

TEST(scope, rejects_names_with_missing_or_extra_parts) {
    EXPECT_THROW(scope::parse_table_name(""), pghandoff::error);
    EXPECT_THROW(scope::parse_table_name(".t"), pghandoff::error);
    EXPECT_THROW(scope::parse_table_name("a.b.c"), pghandoff::error);
    EXPECT_THROW(scope::parse_table_name("\"a\"b"), pghandoff::error);
}

TEST(scope, covers_every_user_schema_without_includes) {
    scope all;
    EXPECT_TRUE(all.covers_schema("public"));
    EXPECT_TRUE(all.covers_schema("Sales"));
    EXPECT_TRUE(all.covers_table({"public", "t"}));
}

TEST(scope, covers_only_included_schemas) {
    scope some;
    some.include_schema("sales");
    some.include_schema("Billing");
    EXPECT_TRUE(some.covers_schema("sales"));
    EXPECT_TRUE(some.covers_schema("Billing"));
    EXPECT_FALSE(some.covers_schema("billing"));
    EXPECT_FALSE(some.covers_schema("public"));
    EXPECT_TRUE(some.covers_table({"sales", "orders"}));
    EXPECT_FALSE(some.covers_table({"public", "orders"}));
}

TEST(scope, leaves_out_excluded_tables_only) {
    scope s;
    s.exclude_table({"public", "audit_log"});
    EXPECT_FALSE(s.covers_table({"public", "audit_log"}));
    EXPECT_TRUE(s.covers_table({"public", "audit_log_2"}));
    EXPECT_TRUE(s.covers_table({"archive", "audit_log"}));
    EXPECT_TRUE(s.covers_schema("public"));
}

TEST(scope, never_covers_system_schemas) {
    scope all;
    scope included;
    for (const char* schema : {"pg_catalog", "information_schema", "pghandoff", "pg_toast", "pg_toast_temp_1", "pg_temp_3"}) {
        included.include_schema(schema);
        EXPECT_TRUE(is_system_schema(schema)) << schema;
        EXPECT_FALSE(all.covers_schema(schema)) << schema;
        EXPECT_FALSE(included.covers_schema(schema)) << schema;
        EXPECT_FALSE(all.covers_table({schema, "t"})) << schema;
    }
    EXPECT_FALSE(is_system_schema("public"));
    EXPECT_FALSE(is_system_schema("pg"));
}

TEST(scope, passes_the_selection_to_pg_dump_as_exact_quoted_patterns) {
    scope s;
    s.include_schema("Sales");
    s.include_schema("a\"b");
    s.exclude_table({"Sales", "Order*Items"});
    auto args = s.pg_dump_arguments();
    auto has = [&](const std::string& a) { return std::find(args.begin(), args.end(), a) != args.end(); };
    EXPECT_TRUE(has("--schema=\"Sales\""));
    EXPECT_TRUE(has("--schema=\"a\"\"b\""));
    EXPECT_TRUE(has("--exclude-table=\"Sales\".\"Order*Items\""));
    EXPECT_TRUE(has("--exclude-schema=pghandoff"));
}

TEST(scope, passes_no_schema_pattern_when_everything_is_covered) {
    scope all;
    auto args = all.pg_dump_arguments();
    EXPECT_EQ(args, std::vector<std::string>{"--exclude-schema=pghandoff"});
}

TEST(scope, fingerprint_ignores_the_order_options_were_given) {
    scope one;
    one.include_schema("sales");
    one.include_schema("billing");
    one.exclude_table({"sales", "log"});
    one.exclude_table({"billing", "tmp"});
    scope other;
    other.exclude_table({"billing", "tmp"});
    other.include_schema("billing");
    other.exclude_table({"sales", "log"});
    other.include_schema("sales");
    EXPECT_EQ(one.fingerprint(), other.fingerprint());
}

TEST(scope, fingerprint_tells_different_selections_apart) {
    scope a;
    a.include_schema("sales");
    scope b;
    b.include_schema("billing");
    scope c;
    c.include_schema("sales");
    c.exclude_table({"sales", "log"});
    scope all;
    EXPECT_NE(a.fingerprint(), b.fingerprint());
    EXPECT_NE(a.fingerprint(), c.fingerprint());
    EXPECT_NE(a.fingerprint(), all.fingerprint());
}

TEST(qualified_name, quotes_for_sql_and_reads_plainly_for_messages) {
    qualified_name name{"Sales", "Order Items"};
    EXPECT_EQ(name.sql(), "\"Sales\".\"Order Items\"");
    EXPECT_EQ(name.display(), "Sales.Order Items");
}

}  // namespace
