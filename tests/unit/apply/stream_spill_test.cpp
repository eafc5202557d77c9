#include "apply/stream_spill.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace {

namespace cdc = pghandoff::cdc;
namespace fs = std::filesystem;
using pghandoff::apply::stream_spill;
using pghandoff::pg::lsn;
using pghandoff::spool::entry;

constexpr cdc::xid_t top = 700;

entry row(std::uint64_t at, cdc::xid_t xid, const std::string& value) {
    return {lsn{at}, cdc::insert_message{xid, 16500, {{cdc::column_kind::text, value}}}};
}

std::vector<std::string> replayed(stream_spill& spill, cdc::xid_t xid) {
    std::vector<std::string> values;
    auto replay = spill.take(xid);
    while (auto change = replay.next())
        values.push_back(std::get<cdc::insert_message>(change->message).new_tuple.at(0).data);
    return values;
}

class stream_spill_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("pghandoff-spill-test-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(stream_spill_test, replays_the_changes_of_a_transaction_in_order_and_removes_its_file) {
    stream_spill spill(dir_);
    spill.add(top, top, row(0x10, top, "a"));
    spill.add(801, 801, row(0x20, 801, "other"));
    spill.add(top, top, row(0x30, top, "b"));
    EXPECT_EQ(spill.changes(top), 2u);
    EXPECT_EQ(spill.open_transactions(), 2u);
    EXPECT_EQ(replayed(spill, top), (std::vector<std::string>{"a", "b"}));
    EXPECT_FALSE(fs::exists(dir_ / "700.spill"));
    EXPECT_EQ(replayed(spill, 801), (std::vector<std::string>{"other"}));
    EXPECT_EQ(replayed(spill, 999), std::vector<std::string>{}) << "a transaction never streamed replays nothing";
}

TEST_F(stream_spill_test, a_subtransaction_abort_drops_it_and_its_children_and_keeps_what_came_before) {
    stream_spill spill(dir_);
    spill.add(top, top, row(0x10, top, "parent 1"));
    spill.add(top, 701, row(0x20, 701, "released 701"));
    spill.add(top, 702, row(0x30, 702, "aborted 702"));
    spill.add(top, 703, row(0x40, 703, "child 703 of 702"));
    spill.abort(top, 702);
    EXPECT_EQ(spill.changes(top), 2u);
    spill.add(top, top, row(0x50, top, "parent 2"));
    spill.abort(top, 703);  // dropped with 702 already: nothing more goes
    spill.abort(top, 704);  // never streamed a change
    EXPECT_EQ(replayed(spill, top), (std::vector<std::string>{"parent 1", "released 701", "parent 2"}));
}

TEST_F(stream_spill_test, a_top_level_abort_drops_the_whole_transaction) {
    stream_spill spill(dir_);
    spill.add(top, top, row(0x10, top, "a"));
    spill.abort(top, top);
    EXPECT_EQ(spill.open_transactions(), 0u);
    EXPECT_FALSE(fs::exists(dir_ / "700.spill"));
    EXPECT_EQ(replayed(spill, top), std::vector<std::string>{});
}

TEST_F(stream_spill_test, opening_removes_files_an_earlier_applier_left_and_the_directory_is_private) {
    fs::create_directories(dir_);
    { std::FILE* left = std::fopen((dir_ / "42.spill").c_str(), "w"); std::fclose(left); }
    stream_spill spill(dir_);
    EXPECT_FALSE(fs::exists(dir_ / "42.spill"));
    EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST(stream_spill, without_a_directory_uses_a_private_temporary_one_removed_at_the_end) {
    fs::path used;
    {
        stream_spill spill{fs::path{}};
        spill.add(top, top, row(0x10, top, "a"));
        for (const auto& item : fs::directory_iterator(fs::temp_directory_path()))
            if (item.path().filename().string().starts_with("pghandoff-spill-") && fs::exists(item.path() / "700.spill"))
                used = item.path();
        ASSERT_FALSE(used.empty());
    }
    EXPECT_FALSE(fs::exists(used));
}

}  // namespace
