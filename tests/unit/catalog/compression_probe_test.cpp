#include <gtest/gtest.h>

#include "catalog/compression_probe.hpp"

namespace {

using namespace pghandoff::catalog;

TEST(compression_probe, storage_step_key_round_trips_names_with_dots_quotes_and_bars) {
    incompressible_column column{{"Sales|x", "Order \"Items\".v"}, "bo|dy"};
    auto parsed = parse_storage_step_key(storage_step_key(column));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->table, column.table);
    EXPECT_EQ(parsed->column, column.column);
}

TEST(compression_probe, ignores_step_keys_of_other_steps) {
    EXPECT_FALSE(parse_storage_step_key("sequences"));
    EXPECT_FALSE(parse_storage_step_key("INDEX|public|t_idx|0"));
    EXPECT_FALSE(parse_storage_step_key(std::string(storage_step_prefix) + "only-schema"));
}

TEST(compression_probe, sets_storage_of_every_named_column_in_one_statement) {
    EXPECT_EQ(set_storage_sql({"public", "Docs"}, {"body", "pay\"load"}, "EXTERNAL"),
              "ALTER TABLE ONLY \"public\".\"Docs\" ALTER COLUMN \"body\" SET STORAGE EXTERNAL, "
              "ALTER COLUMN \"pay\"\"load\" SET STORAGE EXTERNAL");
}

}  // namespace
