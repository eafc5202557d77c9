#include "schema/post_data_plan.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "post_data_script.hpp"

namespace {

using pghandoff::fixtures::post_data_script;
using pghandoff::schema::ddl_entry;
using pghandoff::schema::parse_ddl_script;
using pghandoff::schema::plan_post_data;

const std::set<std::string> copied_tables = {"\"public\".\"measurements_2024\"", "\"Sales\".\"Order Items\"",
                                             "\"public\".\"orders\""};

std::vector<std::string> tags_of(const std::vector<ddl_entry>& entries) {
    std::vector<std::string> tags;
    for (const auto& e : entries) tags.push_back(e.tag);
    return tags;
}

TEST(post_data_plan, builds_indexes_constraints_and_triggers_of_copied_tables_per_table) {
    auto plan = plan_post_data(parse_ddl_script(post_data_script), copied_tables);
    ASSERT_EQ(plan.per_table.size(), 6u);
    struct expected {
        const char* tag;
        const char* table;
        bool exclusive;
    };
    const expected want[] = {
        {"measurements_2024 measurements_2024_pkey", "\"public\".\"measurements_2024\"", true},
        {"Order Items order_items_pkey", "\"Sales\".\"Order Items\"", true},
        {"orders orders_pkey", "\"public\".\"orders\"", true},
        {"measurements_2024_taken_at_idx", "\"public\".\"measurements_2024\"", false},
        {"order_items_sku_key", "\"Sales\".\"Order Items\"", false},
        {"orders orders_audit", "\"public\".\"orders\"", true},
    };
    for (std::size_t i = 0; i < plan.per_table.size(); ++i) {
        SCOPED_TRACE(want[i].tag);
        EXPECT_EQ(plan.per_table[i].entry.tag, want[i].tag);
        EXPECT_EQ(plan.per_table[i].table, want[i].table);
        EXPECT_EQ(plan.per_table[i].exclusive, want[i].exclusive);
    }
}

TEST(post_data_plan, keeps_an_index_comment_with_its_per_table_index) {
    auto plan = plan_post_data(parse_ddl_script(post_data_script), copied_tables);
    auto index = std::find_if(plan.per_table.begin(), plan.per_table.end(),
                              [](const auto& t) { return t.entry.tag == "order_items_sku_key"; });
    ASSERT_NE(index, plan.per_table.end());
    EXPECT_NE(index->entry.sql.find("COMMENT ON INDEX \"Sales\".order_items_sku_key"), std::string::npos);
}

TEST(post_data_plan, leaves_partitioned_parents_and_other_entries_to_the_tail_in_dump_order) {
    auto plan = plan_post_data(parse_ddl_script(post_data_script), copied_tables);
    EXPECT_EQ(tags_of(plan.tail), (std::vector<std::string>{"measurements measurements_pkey", "measurements_taken_at_idx",
                                                             "measurements_2024_pkey", "measurements_2024_taken_at_idx"}));
    EXPECT_EQ(plan.tail.at(2).type, "INDEX ATTACH");
}

TEST(post_data_plan, builds_constraints_of_tables_not_copied_in_the_tail) {
    auto plan = plan_post_data(parse_ddl_script(post_data_script), {"\"public\".\"orders\""});
    for (const auto& t : plan.per_table) EXPECT_EQ(t.table, "\"public\".\"orders\"") << t.entry.tag;
    auto tail = tags_of(plan.tail);
    EXPECT_NE(std::find(tail.begin(), tail.end(), "Order Items order_items_pkey"), tail.end());
    EXPECT_NE(std::find(tail.begin(), tail.end(), "order_items_sku_key"), tail.end());
}

TEST(post_data_plan, sets_foreign_keys_apart_with_both_tables) {
    auto plan = plan_post_data(parse_ddl_script(post_data_script), copied_tables);
    ASSERT_EQ(plan.foreign_keys.size(), 1u);
    EXPECT_EQ(plan.foreign_keys[0].entry.tag, "Order Items order_items_order_id_fkey");
    EXPECT_EQ(plan.foreign_keys[0].table, "\"Sales\".\"Order Items\"");
    EXPECT_EQ(plan.foreign_keys[0].referenced, "\"public\".\"orders\"");
}

TEST(post_data_plan, places_every_entry_exactly_once) {
    auto script = parse_ddl_script(post_data_script);
    auto plan = plan_post_data(script, copied_tables);
    EXPECT_EQ(plan.per_table.size() + plan.tail.size() + plan.foreign_keys.size(), script.entries.size());
    EXPECT_EQ(plan.preamble, script.preamble);
}

}  // namespace

namespace {

/// pg_restore's post-data of a table with extended statistics (PostgreSQL 15).
constexpr const char* statistics_script = R"(--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);


--
-- Name: orders_stats; Type: STATISTICS; Schema: public; Owner: postgres
--

CREATE STATISTICS public.orders_stats (dependencies) ON customer_id, total FROM public.orders;


ALTER STATISTICS public.orders_stats OWNER TO postgres;

--
-- Name: other_stats; Type: STATISTICS; Schema: public; Owner: postgres
--

CREATE STATISTICS public.other_stats ON a, b FROM public.not_copied;


--
-- PostgreSQL database dump complete
--
)";

}  // namespace

TEST(post_data_plan, builds_extended_statistics_of_copied_tables_per_table_alone_on_their_table) {
    auto plan = plan_post_data(parse_ddl_script(statistics_script), copied_tables);
    ASSERT_EQ(plan.per_table.size(), 2u);
    EXPECT_EQ(plan.per_table[1].entry.type, "STATISTICS");
    EXPECT_EQ(plan.per_table[1].table, "\"public\".\"orders\"");
    EXPECT_TRUE(plan.per_table[1].exclusive);  // conflicts with CREATE INDEX and ANALYZE
    EXPECT_NE(plan.per_table[1].entry.sql.find("OWNER TO postgres"), std::string::npos);
    EXPECT_EQ(tags_of(plan.tail), (std::vector<std::string>{"other_stats"}));
}
