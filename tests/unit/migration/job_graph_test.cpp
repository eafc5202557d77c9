#include "migration/job_graph.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace {

using pghandoff::migration::job_graph;
using pghandoff::migration::table_claim;

TEST(job_graph, hands_out_nothing_when_empty) {
    job_graph graph;
    EXPECT_FALSE(graph.take());
    EXPECT_TRUE(graph.finished());
    EXPECT_EQ(graph.size(), 0u);
}

TEST(job_graph, runs_a_job_only_after_its_prerequisite_completed) {
    job_graph graph;
    auto copy = graph.add("copy t", 0);
    auto index = graph.add("index t", 100);
    graph.depend(index, copy);
    auto first = graph.take();
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, copy);
    EXPECT_FALSE(graph.take());
    graph.complete(copy);
    auto second = graph.take();
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, index);
}

TEST(job_graph, waits_for_every_prerequisite) {
    job_graph graph;
    auto a = graph.add("copy a", 0);
    auto b = graph.add("copy b", 0);
    auto fk = graph.add("fk a -> b", 0);
    graph.depend(fk, a);
    graph.depend(fk, b);
    ASSERT_EQ(graph.take(), a);
    ASSERT_EQ(graph.take(), b);
    graph.complete(a);
    EXPECT_FALSE(graph.take());
    graph.complete(b);
    EXPECT_EQ(graph.take(), fk);
}

TEST(job_graph, ignores_a_dependency_on_a_job_already_done) {
    job_graph graph;
    auto a = graph.add("a", 0);
    ASSERT_EQ(graph.take(), a);
    graph.complete(a);
    auto b = graph.add("b", 0);
    graph.depend(b, a);
    EXPECT_EQ(graph.take(), b);
}

TEST(job_graph, ignores_a_dependency_on_itself) {
    job_graph graph;
    auto a = graph.add("a", 0);
    graph.depend(a, a);
    EXPECT_EQ(graph.take(), a);
}

TEST(job_graph, takes_the_highest_priority_first_then_the_earliest_added) {
    job_graph graph;
    auto low = graph.add("low", 1);
    auto high = graph.add("high", 10);
    auto also_high = graph.add("also high", 10);
    EXPECT_EQ(graph.take(), high);
    EXPECT_EQ(graph.take(), also_high);
    EXPECT_EQ(graph.take(), low);
    EXPECT_FALSE(graph.take());
    EXPECT_EQ(graph.running(), 3u);
}

TEST(job_graph, runs_shared_claims_on_a_table_together) {
    job_graph graph;
    auto i1 = graph.add("index 1", 0, {{"t", false}});
    auto i2 = graph.add("index 2", 0, {{"t", false}});
    EXPECT_EQ(graph.take(), i1);
    EXPECT_EQ(graph.take(), i2);
    EXPECT_EQ(graph.running(), 2u);
}

TEST(job_graph, runs_an_exclusive_claim_only_after_shared_ones_end) {
    job_graph graph;
    auto index = graph.add("index", 0, {{"t", false}});
    auto pkey = graph.add("primary key", 0, {{"t", true}});
    ASSERT_EQ(graph.take(), index);
    EXPECT_FALSE(graph.take());
    graph.complete(index);
    EXPECT_EQ(graph.take(), pkey);
}

TEST(job_graph, blocks_every_other_claim_while_an_exclusive_one_runs) {
    job_graph graph;
    auto pkey = graph.add("primary key", 10, {{"t", true}});
    auto index = graph.add("index", 0, {{"t", false}});
    auto unique = graph.add("unique", 0, {{"t", true}});
    auto other = graph.add("other table", 0, {{"u", true}});
    ASSERT_EQ(graph.take(), pkey);
    EXPECT_EQ(graph.take(), other);
    EXPECT_FALSE(graph.take());
    graph.complete(pkey);
    EXPECT_EQ(graph.take(), index);
    EXPECT_FALSE(graph.take());
    graph.complete(index);
    EXPECT_EQ(graph.take(), unique);
}

TEST(job_graph, lets_a_lower_priority_job_run_past_a_blocked_one) {
    job_graph graph;
    auto running = graph.add("index", 0, {{"t", false}});
    ASSERT_EQ(graph.take(), running);
    auto blocked = graph.add("primary key", 100, {{"t", true}});
    auto elsewhere = graph.add("other", 1, {{"u", false}});
    EXPECT_EQ(graph.take(), elsewhere);
    graph.complete(running);
    EXPECT_EQ(graph.take(), blocked);
}

TEST(job_graph, holds_a_foreign_key_off_both_tables) {
    job_graph graph;
    auto fk = graph.add("fk", 0, {{"a", true}, {"b", true}});
    auto index_b = graph.add("index b", 0, {{"b", false}});
    ASSERT_EQ(graph.take(), fk);
    EXPECT_FALSE(graph.take());
    graph.complete(fk);
    EXPECT_EQ(graph.take(), index_b);
}

TEST(job_graph, releases_dependents_of_a_skipped_job) {
    job_graph graph;
    auto copy = graph.add("copy t", 0);
    auto index = graph.add("index t", 0);
    graph.depend(index, copy);
    graph.skip(copy);
    EXPECT_EQ(graph.take(), index);
    graph.complete(index);
    EXPECT_TRUE(graph.finished());
}

TEST(job_graph, never_hands_out_a_skipped_job) {
    job_graph graph;
    auto done_before = graph.add("done before", 100);
    auto todo = graph.add("todo", 0);
    graph.skip(done_before);
    EXPECT_EQ(graph.take(), todo);
    EXPECT_FALSE(graph.take());
}

TEST(job_graph, skipping_a_running_or_finished_job_changes_nothing) {
    job_graph graph;
    auto a = graph.add("a", 0);
    auto b = graph.add("b", 0);
    ASSERT_EQ(graph.take(), a);
    graph.skip(a);
    EXPECT_EQ(graph.running(), 1u);
    EXPECT_FALSE(graph.finished());
    graph.complete(a);
    graph.skip(a);
    graph.skip(b);
    graph.skip(b);
    EXPECT_TRUE(graph.finished());
}

TEST(job_graph, is_finished_once_every_job_is_done) {
    job_graph graph;
    auto a = graph.add("a", 0);
    auto b = graph.add("b", 0);
    EXPECT_FALSE(graph.finished());
    ASSERT_EQ(graph.take(), a);
    ASSERT_EQ(graph.take(), b);
    graph.complete(a);
    EXPECT_FALSE(graph.finished());
    graph.complete(b);
    EXPECT_TRUE(graph.finished());
    EXPECT_EQ(graph.running(), 0u);
}

TEST(job_graph, refuses_to_complete_a_job_that_is_not_running) {
    job_graph graph;
    auto a = graph.add("copy public.t", 0);
    try {
        graph.complete(a);
        FAIL() << "completed a job that never ran";
    } catch (const std::logic_error& e) {
        EXPECT_NE(std::string(e.what()).find("copy public.t"), std::string::npos) << e.what();
    }
    ASSERT_EQ(graph.take(), a);
    graph.complete(a);
    EXPECT_THROW(graph.complete(a), std::logic_error);
}

TEST(job_graph, names_its_jobs) {
    job_graph graph;
    auto a = graph.add("copy public.t", 0);
    EXPECT_EQ(graph.name(a), "copy public.t");
    EXPECT_THROW(graph.name(a + 1), std::out_of_range);
}

TEST(job_graph, runs_a_chain_to_the_end_in_order) {
    job_graph graph;
    std::vector<job_graph::job_id> chain;
    for (int i = 0; i < 5; ++i) {
        chain.push_back(graph.add("step " + std::to_string(i), i));
        if (i > 0) graph.depend(chain[i], chain[i - 1]);
    }
    for (auto expected : chain) {
        auto next = graph.take();
        ASSERT_EQ(next, expected);
        EXPECT_FALSE(graph.take());
        graph.complete(*next);
    }
    EXPECT_TRUE(graph.finished());
}

TEST(job_graph, ranks_a_job_by_its_cost_plus_the_longest_chain_after_it) {
    job_graph graph;
    auto copy = graph.add("copy", 0);
    auto index_a = graph.add("index a", 0);
    auto index_b = graph.add("index b", 0);
    auto foreign_key = graph.add("foreign key", 0);
    graph.depend(index_a, copy);
    graph.depend(index_b, copy);
    graph.depend(foreign_key, index_b);
    graph.set_cost(copy, 10);
    graph.set_cost(index_a, 5);
    graph.set_cost(index_b, 2);
    graph.set_cost(foreign_key, 1);
    graph.rank_by_critical_path();
    EXPECT_DOUBLE_EQ(graph.rank(foreign_key), 1);
    EXPECT_DOUBLE_EQ(graph.rank(index_b), 3);
    EXPECT_DOUBLE_EQ(graph.rank(index_a), 5);
    EXPECT_DOUBLE_EQ(graph.rank(copy), 15);
}

TEST(job_graph, once_ranked_takes_the_longest_chain_before_a_higher_priority) {
    // The offline copy's situation: one worker frees up while the biggest table still copies.
    // The finished table's index builds (priority 200, short) wait for the TOAST table's copy
    // (priority 100, long), so that the other worker's long index build later does not end
    // alone.
    job_graph graph;
    auto copy_narrow = graph.add("copy narrow", 100);
    auto copy_wide = graph.add("copy wide", 100);
    auto copy_docs = graph.add("copy docs", 100);
    auto narrow_key = graph.add("narrow primary key", 200);
    auto wide_index = graph.add("wide index", 200);
    graph.depend(narrow_key, copy_narrow);
    graph.depend(wide_index, copy_wide);
    graph.set_cost(copy_narrow, 600);
    graph.set_cost(copy_wide, 350);
    graph.set_cost(copy_docs, 180);
    graph.set_cost(narrow_key, 230);
    graph.set_cost(wide_index, 50);
    graph.rank_by_critical_path();
    EXPECT_EQ(graph.take(), copy_narrow);
    EXPECT_EQ(graph.take(), copy_wide);
    graph.complete(copy_wide);
    EXPECT_EQ(graph.take(), copy_docs);
    graph.complete(copy_narrow);
    EXPECT_EQ(graph.take(), narrow_key);
    EXPECT_EQ(graph.take(), wide_index);
}

TEST(job_graph, without_ranks_priorities_decide_as_before) {
    job_graph graph;
    auto copy_wide = graph.add("copy wide", 100);
    auto copy_docs = graph.add("copy docs", 100);
    auto wide_index = graph.add("wide index", 200);
    graph.depend(wide_index, copy_wide);
    graph.set_cost(copy_docs, 180);
    graph.set_cost(wide_index, 50);
    EXPECT_EQ(graph.take(), copy_wide);
    graph.complete(copy_wide);
    EXPECT_EQ(graph.take(), wide_index);
    EXPECT_EQ(graph.take(), copy_docs);
}

TEST(job_graph, tells_when_the_other_workers_run_out_of_work_first) {
    job_graph graph;
    auto key = graph.add("big key", 0);
    auto copy = graph.add("copy", 0);
    auto index = graph.add("index", 0);
    graph.depend(index, copy);
    graph.set_cost(key, 10);
    graph.set_cost(copy, 8);
    graph.set_cost(index, 4);
    ASSERT_EQ(graph.take(), key);
    // 12 left for one other worker: it outlasts the key.
    EXPECT_FALSE(graph.others_run_out_first(key, 1));
    // Two other workers share it: 6 each, less than 10.
    EXPECT_TRUE(graph.others_run_out_first(key, 2));
    // Without other workers nobody is slowed down.
    EXPECT_TRUE(graph.others_run_out_first(key, 0));
    // A running job counts half: 4 + 4 = 8 left, less than 10.
    ASSERT_EQ(graph.take(), copy);
    EXPECT_TRUE(graph.others_run_out_first(key, 1));
    graph.complete(copy);
    EXPECT_TRUE(graph.others_run_out_first(key, 1));
    // The index now has more left after it than the key has: 10 is not less than 10.
    graph.set_cost(index, 20);
    EXPECT_FALSE(graph.others_run_out_first(key, 1));
    graph.complete(key);
    ASSERT_EQ(graph.take(), index);
    EXPECT_TRUE(graph.others_run_out_first(index, 1));
}

TEST(job_graph, counts_what_must_follow_a_job_once_ranked) {
    job_graph graph;
    auto key = graph.add("key", 0);
    auto foreign_key = graph.add("foreign key", 0);
    auto other = graph.add("other copy", 0);
    graph.depend(foreign_key, key);
    graph.set_cost(key, 6);
    graph.set_cost(foreign_key, 3);
    graph.set_cost(other, 7);
    ASSERT_EQ(graph.take(), key);
    EXPECT_FALSE(graph.others_run_out_first(key, 1));  // 3 + 7 left, more than 6
    graph.rank_by_critical_path();
    EXPECT_FALSE(graph.others_run_out_first(key, 1));  // 10 left, not less than the rank 9
    graph.set_cost(other, 5);
    graph.rank_by_critical_path();
    EXPECT_TRUE(graph.others_run_out_first(key, 1));  // 8 left, less than 9
}

TEST(job_graph, refuses_to_rank_a_cycle) {
    job_graph graph;
    auto a = graph.add("a", 0);
    auto b = graph.add("b", 0);
    graph.depend(b, a);
    graph.depend(a, b);
    EXPECT_THROW(graph.rank_by_critical_path(), std::logic_error);
}

}  // namespace
