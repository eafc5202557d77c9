#include "migration/check.hpp"

#include <gtest/gtest.h>

namespace {

using pghandoff::copy::copy_chunk;
using pghandoff::copy::copy_format;
using pghandoff::migration::describe_check;
using pghandoff::migration::migrate_options;
using pghandoff::migration::migration_check;

pghandoff::catalog::table_info table(std::string name, std::uint64_t heap, std::uint64_t index) {
    pghandoff::catalog::table_info t;
    t.name = {"public", std::move(name)};
    t.heap_bytes = heap;
    t.index_bytes = index;
    return t;
}

copy_chunk chunk(std::string name, int no, int count, copy_format format) {
    copy_chunk c;
    c.table = {"public", std::move(name)};
    c.chunk_no = no;
    c.chunk_count = count;
    c.format = format;
    return c;
}

migration_check example() {
    migration_check check;
    check.preflight.source_version = 150004;
    check.preflight.target_version = 170002;
    check.preflight.source_database = "shop";
    check.preflight.slot_snapshot = true;
    for (int i = 0; i < 7; ++i) check.tables.push_back(table("t" + std::to_string(i), (i + 1) << 20, 0));
    check.tables.push_back(table("big", 3ull << 30, 1ull << 30));
    for (const auto& t : check.tables)
        if (t.name.name != "big") check.chunks.push_back(chunk(t.name.name, 0, 1, copy_format::binary));
    check.chunks.push_back(chunk("big", 0, 2, copy_format::text));
    check.chunks.push_back(chunk("big", 1, 2, copy_format::text));
    check.sequences = 4;
    check.large_objects = 2;
    return check;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

TEST(check, describes_servers_mode_totals_and_the_five_largest_tables) {
    migrate_options options;
    options.follow = false;
    options.jobs = 3;
    const auto lines = describe_check(example(), options);
    EXPECT_TRUE(has_line(lines, "source: PostgreSQL 15, database shop; target: PostgreSQL 17"));
    EXPECT_TRUE(has_line(lines, "mode: offline (--no-follow)"));
    EXPECT_TRUE(has_line(lines, "tables: 8 (3.0 GB of rows and TOAST, 1.0 GB of indexes to build) in 9 chunks with "
                                "--jobs 3: 7 binary, 2 text"))
        << ::testing::PrintToString(lines);
    EXPECT_TRUE(has_line(lines, "  public.big: 3.0 GB rows and TOAST, 1.0 GB indexes, 2 chunk(s), text"))
        << ::testing::PrintToString(lines);
    EXPECT_TRUE(has_line(lines, "sequences: 4; large objects: 2"));
    const auto listed = std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("  "); });
    EXPECT_EQ(listed, 5);
    EXPECT_FALSE(has_line(lines, "  public.t0: 1.0 MB rows and TOAST, 0 B indexes, 1 chunk(s), binary"));
}

TEST(check, tells_a_resume_and_the_roles_that_would_be_left_out) {
    auto check = example();
    check.preflight.progress.emplace();
    check.chunks_done = 6;
    check.preflight.missing_roles.push_back({"reporting"});
    check.preflight.missing_roles.push_back({"app"});
    migrate_options options;
    const auto lines = describe_check(check, options);
    EXPECT_TRUE(has_line(lines, "mode: online (changes streamed until the cutover)"));
    EXPECT_TRUE(has_line(lines, "resume: 6 of 9 chunks are in the target already; a run copies the rest"));
    EXPECT_TRUE(has_line(lines, "roles missing on the target (their owners and grants are left out; --copy-roles "
                                "creates them): reporting, app"));
    options.copy_roles = true;
    const auto with_roles = describe_check(check, options);
    EXPECT_EQ(std::count_if(with_roles.begin(), with_roles.end(),
                            [](const std::string& l) { return l.starts_with("roles missing"); }),
              0);
}

}  // namespace
