#include "catalog/type_catalog.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::catalog::oid;
using pghandoff::catalog::type_catalog;
using pghandoff::catalog::type_row;

constexpr oid int4 = 23;
constexpr oid int4_array = 1007;
constexpr oid int4range = 3904;
constexpr oid aclitem = 1033;  // built in, no send/receive functions
constexpr oid mood = 16500;    // CREATE TYPE mood AS ENUM (...)
constexpr oid mood_array = 16499;
constexpr oid address = 16510;  // CREATE TYPE address AS (street text, city text)
constexpr oid address_array = 16509;
constexpr oid positive_int = 16520;          // CREATE DOMAIN positive_int AS int4
constexpr oid small_positive_int = 16521;    // CREATE DOMAIN ... AS positive_int
constexpr oid checked_address = 16522;       // CREATE DOMAIN ... AS address
constexpr oid user_int4_range = 16530;       // CREATE TYPE ... AS RANGE (subtype = int4)
constexpr oid extension_type = 16600;        // e.g. hstore, made by CREATE EXTENSION
constexpr oid extension_type_range = 16610;  // CREATE TYPE ... AS RANGE (subtype = extension_type)
constexpr oid self_domain = 16700;

type_row base(oid id, char category, bool binary_io = true) {
    type_row t;
    t.type_oid = id;
    t.kind = 'b';
    t.category = category;
    t.has_binary_io = binary_io;
    return t;
}

type_row array_of(oid id, oid element) {
    type_row t = base(id, 'A');
    t.element = element;
    return t;
}

type_row of_kind(oid id, char kind, char category) {
    type_row t = base(id, category);
    t.kind = kind;
    return t;
}

type_row domain_over(oid id, oid base_type) {
    type_row t = of_kind(id, 'd', 'N');
    t.base = base_type;
    return t;
}

type_row range_over(oid id, oid subtype) {
    type_row t = of_kind(id, 'r', 'R');
    t.range_subtype = subtype;
    return t;
}

type_catalog sample_catalog() {
    type_catalog types;
    types.add(base(int4, 'N'));
    types.add(array_of(int4_array, int4));
    types.add(range_over(int4range, int4));
    types.add(base(aclitem, 'U', false));
    types.add(of_kind(mood, 'e', 'E'));
    types.add(array_of(mood_array, mood));
    types.add(of_kind(address, 'c', 'C'));
    types.add(array_of(address_array, address));
    types.add(domain_over(positive_int, int4));
    types.add(domain_over(small_positive_int, positive_int));
    types.add(domain_over(checked_address, address));
    types.add(range_over(user_int4_range, int4));
    types.add(base(extension_type, 'U'));
    types.add(range_over(extension_type_range, extension_type));
    types.add(domain_over(self_domain, self_domain));
    return types;
}

TEST(type_catalog, trusts_a_built_in_base_type_with_binary_io) { EXPECT_TRUE(sample_catalog().binary_safe(int4)); }

TEST(type_catalog, trusts_an_array_of_a_built_in_type) { EXPECT_TRUE(sample_catalog().binary_safe(int4_array)); }

TEST(type_catalog, trusts_an_enum_since_it_travels_as_its_label) { EXPECT_TRUE(sample_catalog().binary_safe(mood)); }

TEST(type_catalog, distrusts_an_array_of_an_enum_since_it_carries_the_enum_oid) {
    EXPECT_FALSE(sample_catalog().binary_safe(mood_array));
}

TEST(type_catalog, distrusts_a_composite_since_it_carries_column_type_oids) {
    EXPECT_FALSE(sample_catalog().binary_safe(address));
}

TEST(type_catalog, distrusts_an_array_of_a_composite) { EXPECT_FALSE(sample_catalog().binary_safe(address_array)); }

TEST(type_catalog, judges_a_domain_by_its_base_type) {
    auto types = sample_catalog();
    EXPECT_TRUE(types.binary_safe(positive_int));
    EXPECT_FALSE(types.binary_safe(checked_address));
}

TEST(type_catalog, follows_a_domain_over_a_domain) { EXPECT_TRUE(sample_catalog().binary_safe(small_positive_int)); }

TEST(type_catalog, trusts_a_range_over_a_built_in_subtype) {
    auto types = sample_catalog();
    EXPECT_TRUE(types.binary_safe(int4range));
    EXPECT_TRUE(types.binary_safe(user_int4_range));
}

TEST(type_catalog, distrusts_a_range_over_a_user_base_type) {
    EXPECT_FALSE(sample_catalog().binary_safe(extension_type_range));
}

TEST(type_catalog, distrusts_a_built_in_type_without_binary_io) { EXPECT_FALSE(sample_catalog().binary_safe(aclitem)); }

TEST(type_catalog, distrusts_an_extension_base_type) { EXPECT_FALSE(sample_catalog().binary_safe(extension_type)); }

TEST(type_catalog, distrusts_an_unknown_type) {
    EXPECT_FALSE(sample_catalog().binary_safe(99999));
    EXPECT_FALSE(type_catalog{}.binary_safe(int4));
}

TEST(type_catalog, distrusts_a_domain_over_a_missing_type) {
    type_catalog types;
    types.add(domain_over(positive_int, 424242));
    EXPECT_FALSE(types.binary_safe(positive_int));
}

TEST(type_catalog, stops_on_a_domain_that_refers_to_itself) { EXPECT_FALSE(sample_catalog().binary_safe(self_domain)); }

TEST(type_catalog, stops_on_a_cycle_of_two_domains) {
    type_catalog types;
    types.add(domain_over(16801, 16802));
    types.add(domain_over(16802, 16801));
    EXPECT_FALSE(types.binary_safe(16801));
}

TEST(type_catalog, distrusts_a_range_whose_type_lacks_binary_io) {
    type_catalog types;
    types.add(base(int4, 'N'));
    type_row range = range_over(user_int4_range, int4);
    range.has_binary_io = false;
    types.add(range);
    EXPECT_FALSE(types.binary_safe(user_int4_range));
}

}  // namespace
