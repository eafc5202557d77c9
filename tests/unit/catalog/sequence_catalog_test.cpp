#include "catalog/sequence_catalog.hpp"

#include <gtest/gtest.h>

#include "../text_search.hpp"

namespace {

using pghandoff::catalog::sequence_state;
using pghandoff::catalog::setval_sql;
using pghandoff::test_support::count_of;

TEST(sequence_catalog, sets_each_sequence_to_its_value_and_called_flag) {
    auto sql = setval_sql({{{"public", "orders_id_seq"}, "42", true}, {{"Sales", "Fresh Seq"}, "1", false}});
    EXPECT_EQ(sql,
              "SELECT pg_catalog.setval('\"public\".\"orders_id_seq\"', 42, true), "
              "pg_catalog.setval('\"Sales\".\"Fresh Seq\"', 1, false);\n");
}

TEST(sequence_catalog, quotes_a_sequence_name_with_quotes) {
    auto sql = setval_sql({{{"public", "o'hara\"seq"}, "-9223372036854775808", true}});
    EXPECT_EQ(sql, "SELECT pg_catalog.setval('\"public\".\"o''hara\"\"seq\"', -9223372036854775808, true);\n");
}

TEST(sequence_catalog, sets_many_sequences_in_batches_keeping_every_one) {
    std::vector<sequence_state> sequences;
    for (int i = 0; i < 401; ++i) sequences.push_back({{"public", "s" + std::to_string(i)}, std::to_string(i), true});
    auto sql = setval_sql(sequences);
    EXPECT_EQ(count_of(sql, "SELECT "), 3u);
    EXPECT_EQ(count_of(sql, "pg_catalog.setval("), 401u);
    EXPECT_NE(sql.find("pg_catalog.setval('\"public\".\"s400\"', 400, true);\n"), std::string::npos);
}

TEST(sequence_catalog, writes_nothing_without_sequences) { EXPECT_EQ(setval_sql({}), ""); }

}  // namespace
