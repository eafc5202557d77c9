#include "apply/target_table.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::apply::has_equality;
using pghandoff::apply::type_map;

constexpr std::uint32_t int4 = 23, json = 114, point = 600, int4_array = 1007, json_array = 199;
constexpr std::uint32_t json_domain = 16401, int_domain = 16402, mood = 16403, pair = 16404, span = 16405;

type_map catalog() {
    return {
        {int4, {'b', 'N', 0, 0, true}},
        {json, {'b', 'U', 0, 0, false}},
        {point, {'b', 'G', 0, 701, false}},
        {int4_array, {'b', 'A', 0, int4, false}},
        {json_array, {'b', 'A', 0, json, false}},
        {json_domain, {'d', 'U', json, 0, false}},
        {int_domain, {'d', 'N', int4, 0, false}},
        {mood, {'e', 'E', 0, 0, false}},
        {pair, {'c', 'C', 0, 0, false}},
        {span, {'r', 'R', 0, 0, false}},
    };
}

TEST(target_table, uses_equality_where_a_default_btree_or_hash_class_exists) {
    EXPECT_TRUE(has_equality(int4, catalog()));
    EXPECT_FALSE(has_equality(json, catalog()));
    EXPECT_FALSE(has_equality(point, catalog()));
}

TEST(target_table, follows_domains_to_their_base_type) {
    EXPECT_TRUE(has_equality(int_domain, catalog()));
    EXPECT_FALSE(has_equality(json_domain, catalog()));
}

TEST(target_table, follows_arrays_to_their_element_type) {
    EXPECT_TRUE(has_equality(int4_array, catalog()));
    EXPECT_FALSE(has_equality(json_array, catalog()));
}

TEST(target_table, trusts_enums_and_ranges_but_compares_composites_as_text) {
    EXPECT_TRUE(has_equality(mood, catalog()));
    EXPECT_TRUE(has_equality(span, catalog()));
    EXPECT_FALSE(has_equality(pair, catalog()));
}

TEST(target_table, compares_an_unknown_type_as_text) { EXPECT_FALSE(has_equality(99999, catalog())); }

}  // namespace
