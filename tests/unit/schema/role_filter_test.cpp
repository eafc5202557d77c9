#include "schema/role_filter.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::schema::drop_lines_naming_roles;
using pghandoff::schema::dump_role_spelling;

TEST(role_filter, drops_ownership_lines_of_a_missing_role) {
    std::size_t removed = 0;
    auto out = drop_lines_naming_roles("CREATE TABLE public.t (id integer);\nALTER TABLE public.t OWNER TO bob;\n", {"bob"},
                                       &removed);
    EXPECT_EQ(out, "CREATE TABLE public.t (id integer);\n");
    EXPECT_EQ(removed, 1u);
}

TEST(role_filter, drops_grants_and_revokes_naming_a_missing_role) {
    std::size_t removed = 0;
    auto out = drop_lines_naming_roles(
        "GRANT SELECT ON TABLE public.t TO bob;\n"
        "REVOKE ALL ON TABLE public.t FROM bob;\n"
        "GRANT SELECT,INSERT ON TABLE public.t TO bob,alice;\n"
        "GRANT ALL ON TABLE public.t TO bob WITH GRANT OPTION;\n"
        "GRANT SELECT ON TABLE public.t TO alice;\n",
        {"bob"}, &removed);
    EXPECT_EQ(out, "GRANT SELECT ON TABLE public.t TO alice;\n");
    EXPECT_EQ(removed, 4u);
}

TEST(role_filter, drops_session_authorization_of_a_missing_role) {
    std::size_t removed = 0;
    auto out = drop_lines_naming_roles("SET SESSION AUTHORIZATION bob;\nCREATE TABLE public.t ();\n", {"bob"}, &removed);
    EXPECT_EQ(out, "CREATE TABLE public.t ();\n");
    EXPECT_EQ(removed, 1u);
}

TEST(role_filter, drops_default_privileges_of_a_missing_role) {
    std::size_t removed = 0;
    auto out = drop_lines_naming_roles(
        "ALTER DEFAULT PRIVILEGES FOR ROLE bob IN SCHEMA public GRANT SELECT ON TABLES TO alice;\n", {"bob"}, &removed);
    EXPECT_EQ(out, "");
    EXPECT_EQ(removed, 1u);
}

TEST(role_filter, matches_a_quoted_role_name_as_pg_dump_writes_it) {
    std::size_t removed = 0;
    auto out = drop_lines_naming_roles(
        "ALTER TABLE public.t OWNER TO \"Mixed Case\";\n"
        "GRANT SELECT ON TABLE public.t TO \"Mixed Case\";\n"
        "ALTER TABLE public.u OWNER TO mixed;\n",
        {"Mixed Case"}, &removed);
    EXPECT_EQ(out, "ALTER TABLE public.u OWNER TO mixed;\n");
    EXPECT_EQ(removed, 2u);
}

TEST(role_filter, keeps_lines_naming_other_roles) {
    const std::string sql =
        "ALTER TABLE public.t OWNER TO bobby;\n"
        "GRANT SELECT ON TABLE public.t TO alice;\n"
        "ALTER TABLE public.bob OWNER TO alice;\n"
        "GRANT SELECT ON TABLE public.t TO bob_reader;\n";
    std::size_t removed = 7;
    EXPECT_EQ(drop_lines_naming_roles(sql, {"bob"}, &removed), sql);
    EXPECT_EQ(removed, 0u);
}

TEST(role_filter, keeps_statements_that_are_not_about_roles) {
    const std::string sql =
        "CREATE TABLE public.t (bob integer);\n"
        "COMMENT ON TABLE public.t IS 'owned by bob';\n"
        "CREATE INDEX t_bob ON public.t USING btree (bob);\n";
    std::size_t removed = 0;
    EXPECT_EQ(drop_lines_naming_roles(sql, {"bob"}, &removed), sql);
    EXPECT_EQ(removed, 0u);
}

TEST(role_filter, keeps_everything_when_no_role_is_missing) {
    const std::string sql = "ALTER TABLE public.t OWNER TO bob;\n";
    std::size_t removed = 7;
    EXPECT_EQ(drop_lines_naming_roles(sql, {}, &removed), sql);
    EXPECT_EQ(removed, 0u);
}

TEST(role_filter, drops_lines_of_each_missing_role) {
    std::size_t removed = 0;
    auto out = drop_lines_naming_roles(
        "ALTER TABLE public.t OWNER TO bob;\nALTER TABLE public.u OWNER TO carol;\nALTER TABLE public.v OWNER TO alice;\n",
        {"bob", "carol"}, &removed);
    EXPECT_EQ(out, "ALTER TABLE public.v OWNER TO alice;\n");
    EXPECT_EQ(removed, 2u);
}

TEST(role_filter, spells_plain_lower_case_roles_bare) {
    EXPECT_EQ(dump_role_spelling("bob"), "bob");
    EXPECT_EQ(dump_role_spelling("app_user2"), "app_user2");
    EXPECT_EQ(dump_role_spelling("_svc"), "_svc");
}

TEST(role_filter, spells_other_roles_quoted) {
    EXPECT_EQ(dump_role_spelling("Mixed Case"), "\"Mixed Case\"");
    EXPECT_EQ(dump_role_spelling("Bob"), "\"Bob\"");
    EXPECT_EQ(dump_role_spelling("2fa"), "\"2fa\"");
    EXPECT_EQ(dump_role_spelling("a-b"), "\"a-b\"");
    EXPECT_EQ(dump_role_spelling("say\"hi"), "\"say\"\"hi\"");
}

}  // namespace
