#include "catalog/table_catalog.hpp"

#include <gtest/gtest.h>

#include "column_types.hpp"

namespace {

using pghandoff::catalog::table_info;
using pghandoff::fixtures::built_ins_and_one_extension_type;
using pghandoff::fixtures::extension_type;

constexpr auto int4 = pghandoff::fixtures::int4_type;
constexpr auto text = pghandoff::fixtures::text_type;

table_info orders() {
    table_info t;
    t.name = {"public", "orders"};
    t.columns = {{"id", int4, false}, {"note", text, false}, {"note_length", int4, true}};
    return t;
}

TEST(table_catalog, copies_every_column_but_generated_ones_in_order) {
    auto table = orders();
    table.columns.push_back({"tail", text, false});
    auto copied = table.copied_columns();
    ASSERT_EQ(copied.size(), 3u);
    EXPECT_EQ(copied[0]->name, "id");
    EXPECT_EQ(copied[1]->name, "note");
    EXPECT_EQ(copied[2]->name, "tail");
}

TEST(table_catalog, sums_heap_and_toast_bytes) {
    table_info t;
    t.heap_bytes = 8192;
    t.toast_bytes = 1000;
    EXPECT_EQ(t.total_bytes(), 9192u);
}

TEST(table_catalog, copies_in_binary_when_every_column_type_is_safe) {
    EXPECT_TRUE(binary_copy_safe(orders(), built_ins_and_one_extension_type()));
}

TEST(table_catalog, copies_in_text_when_one_column_type_is_unsafe) {
    auto table = orders();
    table.columns.push_back({"tags", extension_type, false});
    EXPECT_FALSE(binary_copy_safe(table, built_ins_and_one_extension_type()));
}

TEST(table_catalog, ignores_the_type_of_a_generated_column) {
    auto table = orders();
    table.columns.push_back({"derived", extension_type, true});
    EXPECT_TRUE(binary_copy_safe(table, built_ins_and_one_extension_type()));
}

}  // namespace
