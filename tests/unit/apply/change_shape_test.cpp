#include "apply/change_shape.hpp"

#include <gtest/gtest.h>

#include "tables.hpp"

namespace {

using namespace pghandoff::fixtures;
using pghandoff::apply::plan_delete;
using pghandoff::apply::plan_insert;
using pghandoff::apply::plan_update;
using pghandoff::apply::planned_change;
namespace cdc = pghandoff::cdc;

const std::vector<column_spec> items{{"id", int4_oid, "integer", true}, {"v", text_oid}};

std::string problem_of(const std::variant<planned_change, std::string>& result) {
    auto* problem = std::get_if<std::string>(&result);
    return problem ? *problem : "(planned)";
}

TEST(change_shape, refuses_a_tuple_whose_column_count_is_not_the_relations) {
    const cdc::insert_message insert{std::nullopt, 16500, {text_value("1")}};
    EXPECT_EQ(problem_of(plan_insert(bound(items), insert)),
              "an INSERT of public.items carries 1 columns but its Relation message 2");
}

TEST(change_shape, refuses_binary_values) {
    const cdc::insert_message insert{std::nullopt, 16500, {text_value("1"), {cdc::column_kind::binary, "x"}}};
    EXPECT_NE(problem_of(plan_insert(bound(items), insert)).find("binary"), std::string::npos);
}

TEST(change_shape, refuses_an_unchanged_toast_value_in_an_insert) {
    const cdc::insert_message insert{std::nullopt, 16500, {text_value("1"), unchanged()}};
    EXPECT_NE(problem_of(plan_insert(bound(items), insert)).find("unchanged TOASTed"), std::string::npos);
}

TEST(change_shape, refuses_a_key_sent_as_unchanged_toast) {
    const cdc::update_message update{std::nullopt, 16500, 0, {}, {unchanged(), text_value("x")}};
    EXPECT_NE(problem_of(plan_update(bound(items), update)).find("key column \"id\""), std::string::npos);
}

TEST(change_shape, refuses_a_change_without_replica_identity) {
    const std::vector<column_spec> no_key{{"id", int4_oid, "integer"}, {"v", text_oid}};
    const cdc::delete_message remove{std::nullopt, 16500, 'K', {text_value("1"), null_value()}};
    EXPECT_NE(problem_of(plan_delete(bound(no_key), remove)).find("REPLICA IDENTITY FULL"), std::string::npos);
}

TEST(change_shape, refuses_a_full_identity_update_without_the_old_row) {
    const cdc::update_message update{std::nullopt, 16500, 0, {}, {text_value("1"), text_value("x")}};
    EXPECT_NE(problem_of(plan_update(bound(items, 'f'), update)).find("without the old row"), std::string::npos);
}

TEST(change_shape, skips_unchanged_toast_values_of_a_full_old_row_when_matching) {
    const cdc::delete_message remove{std::nullopt, 16500, 'O', {text_value("1"), unchanged()}};
    auto plan = std::get<planned_change>(plan_delete(bound(items, 'f'), remove));
    EXPECT_EQ(plan.shape.matches,
              (std::vector<pghandoff::apply::match_role>{pghandoff::apply::match_role::parameter,
                                                         pghandoff::apply::match_role::none}));
    EXPECT_TRUE(plan.shape.one_of_duplicates);
}

TEST(change_shape, moves_when_a_non_key_identity_always_column_may_have_changed) {
    std::vector<column_spec> columns{{"id", int4_oid, "integer", true}, {"serial", int8_oid, "bigint"}};
    columns[1].identity_always = true;
    const cdc::update_message update{std::nullopt, 16500, 0, {}, {text_value("1"), text_value("9")}};
    EXPECT_EQ(std::get<planned_change>(plan_update(bound(columns), update)).shape.verb,
              pghandoff::apply::statement_verb::move);
}

TEST(change_shape, keeps_an_identity_always_column_a_full_old_row_shows_unchanged) {
    std::vector<column_spec> columns{{"id", int4_oid, "integer"}, {"v", text_oid}};
    columns[0].identity_always = true;
    const cdc::update_message update{std::nullopt, 16500, 'O', {text_value("1"), text_value("a")},
                                     {text_value("1"), text_value("b")}};
    auto plan = std::get<planned_change>(plan_update(bound(columns, 'f'), update));
    EXPECT_EQ(plan.shape.verb, pghandoff::apply::statement_verb::update);
    EXPECT_EQ(plan.shape.writes[0], pghandoff::apply::write_role::none);
}

TEST(change_shape, gives_parameters_written_first_then_matched) {
    const cdc::update_message update{std::nullopt, 16500, 'K', {text_value("1"), null_value()},
                                     {text_value("2"), null_value()}};
    auto plan = std::get<planned_change>(plan_update(bound(items), update));
    ASSERT_EQ(plan.values.size(), 3u);
    EXPECT_STREQ(plan.values[0], "2");
    EXPECT_EQ(plan.values[1], nullptr);
    EXPECT_STREQ(plan.values[2], "1");
}

}  // namespace
