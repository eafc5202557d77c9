#include "schema/dump_tool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "util/error.hpp"

namespace {

namespace fs = std::filesystem;

using pghandoff::pg::conninfo;
using pghandoff::schema::child_environment;
using pghandoff::schema::parse_tool_major;

TEST(dump_tool, reads_the_major_version_of_a_distribution_build) {
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"), 15);
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 17.2 (Ubuntu 17.2-1.pgdg24.04+1)\n"), 17);
}

TEST(dump_tool, reads_the_major_version_of_a_plain_build) {
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 16.4"), 16);
    EXPECT_EQ(parse_tool_major("pg_restore (PostgreSQL) 13.16"), 13);
}

TEST(dump_tool, reads_the_major_version_of_a_development_build) {
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 17devel"), 17);
    EXPECT_EQ(parse_tool_major("pg_dump (PostgreSQL) 18beta1"), 18);
}

TEST(dump_tool, reads_nothing_from_other_output) {
    EXPECT_FALSE(parse_tool_major(""));
    EXPECT_FALSE(parse_tool_major("bash: pg_dump: command not found"));
    EXPECT_FALSE(parse_tool_major("pg_dump 15.4"));
    EXPECT_FALSE(parse_tool_major("pg_dump (PostgreSQL) devel"));
}

TEST(dump_tool, hands_the_password_to_children_through_the_environment) {
    auto env = child_environment(conninfo::parse("postgresql://u:secret@h/db"));
    ASSERT_EQ(env.size(), 1u);
    EXPECT_EQ(env[0].first, "PGPASSWORD");
    EXPECT_EQ(env[0].second, "secret");
}

TEST(dump_tool, sets_no_password_variable_without_a_password) {
    EXPECT_TRUE(child_environment(conninfo::parse("host=h dbname=db")).empty());
}

// A PATH of fake client binaries: "direct" holds a pg_dump script, "debian" a pg_dump link to a
// pg_wrapper script (Debian's layout). Every script appends its name to `runs` when started.
class dump_tool_search : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("pghandoff-dump-tool-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "direct");
        fs::create_directories(root_ / "debian" / "bin");
        if (const char* path = std::getenv("PATH")) saved_path_ = path;
    }
    void TearDown() override {
        ::setenv("PATH", saved_path_.c_str(), 1);
        fs::remove_all(root_);
    }
    void script(const fs::path& file, int major) {
        std::ofstream(file) << "#!/bin/sh\necho " << file.filename().string() << " >> " << (root_ / "runs").string()
                            << "\necho 'pg_dump (PostgreSQL) " << major << ".1'\n";
        ::chmod(file.c_str(), 0755);
    }
    void direct(int major) {
        script(root_ / "direct" / "pg_dump", major);
        script(root_ / "direct" / "pg_restore", major);
    }
    void wrapper(int major) {
        script(root_ / "debian" / "pg_wrapper", major);
        fs::create_symlink("../pg_wrapper", root_ / "debian" / "bin" / "pg_dump");
        fs::create_symlink("../pg_wrapper", root_ / "debian" / "bin" / "pg_restore");
    }
    void use_path() {
        ::setenv("PATH", ((root_ / "debian" / "bin").string() + ":" + (root_ / "direct").string()).c_str(), 1);
    }
    std::string runs() {
        std::ifstream in(root_ / "runs");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    fs::path root_;
    std::string saved_path_;
};

TEST_F(dump_tool_search, prefers_a_real_binary_and_never_starts_the_wrapper) {
    wrapper(98);
    direct(97);
    use_path();
    auto tool = pghandoff::schema::find_dump_tool(97, std::nullopt);
    EXPECT_EQ(tool.pg_dump, root_ / "direct" / "pg_dump");
    EXPECT_EQ(tool.pg_restore, root_ / "direct" / "pg_restore");
    EXPECT_EQ(tool.major_version, 97);
    EXPECT_EQ(runs().find("pg_wrapper"), std::string::npos) << runs();
}

TEST_F(dump_tool_search, falls_back_to_the_wrapper_when_no_real_binary_is_new_enough) {
    wrapper(99);
    direct(97);
    use_path();
    auto tool = pghandoff::schema::find_dump_tool(99, std::nullopt);
    EXPECT_EQ(tool.pg_dump, root_ / "debian" / "bin" / "pg_dump");
    EXPECT_EQ(tool.major_version, 99);
}

TEST_F(dump_tool_search, names_the_versions_it_found_when_none_is_new_enough) {
    wrapper(98);
    direct(97);
    use_path();
    try {
        pghandoff::schema::find_dump_tool(100, std::nullopt);
        FAIL() << "a pg_dump older than the server was accepted";
    } catch (const pghandoff::error& e) {
        EXPECT_NE(e.one_line().find("97"), std::string::npos) << e.one_line();
        EXPECT_NE(e.one_line().find("98"), std::string::npos) << e.one_line();
        EXPECT_NE(e.one_line().find("postgresql-client-100"), std::string::npos) << e.one_line();
    }
}

TEST_F(dump_tool_search, probes_a_binary_reached_by_two_paths_once) {
    direct(97);
    fs::create_directory_symlink(root_ / "direct", root_ / "merged");
    ::setenv("PATH", ((root_ / "merged").string() + ":" + (root_ / "direct").string()).c_str(), 1);
    auto tool = pghandoff::schema::find_dump_tool(97, std::nullopt);
    EXPECT_EQ(tool.major_version, 97);
    EXPECT_EQ(runs(), "pg_dump\n");
}

}  // namespace
