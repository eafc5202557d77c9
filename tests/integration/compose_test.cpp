// docker-compose.yml, checked without Docker.
//
// `docker compose up` cannot run on the machines the tests run on: there is no Docker engine,
// and the registry the postgres images come from is out of reach. What can be checked here is
// checked: the file parses as YAML, its services are wired the way the demo needs (logical
// decoding on the source, a target at least as new, pghandoff built from this checkout and
// started once both servers are healthy, one password everywhere), and the pghandoff service's
// own command, taken from the file and pointed at real servers of the same majors (PostgreSQL 15
// to 17 when tools/test started a 17), migrates the sample data to an equal target.

#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/db_compare.hpp"
#include "support/pghandoff_cli.hpp"
#include "support/run_command.hpp"
#include "support/server_test.hpp"
#include "support/temporary_directory.hpp"

namespace pghandoff::integration {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path source_dir = PGHANDOFF_SOURCE_DIR;

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// docker-compose.yml as JSON, parsed by PyYAML (python3-yaml, installed by tools/install-deps).
nlohmann::json load_compose_file() {
    auto parsed = run_command({"/usr/bin/python3", "-c",
                               "import json, sys, yaml\n"
                               "json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
                               (source_dir / "docker-compose.yml").string()},
                              {}, 30s);
    if (parsed.exit_code != 0) throw std::runtime_error("docker-compose.yml does not parse:\n" + parsed.stderr_text);
    return nlohmann::json::parse(parsed.stdout_text);
}

/// "postgres:15" -> 15.
int image_major(const nlohmann::json& service) {
    std::smatch m;
    const std::string image = service.value("image", "");
    if (!std::regex_match(image, m, std::regex(R"(postgres:(\d+).*)"))) return 0;
    return std::stoi(m[1]);
}

/// Replaces every occurrence of `from`; the count of replacements.
int replace_all(std::string& text, const std::string& from, const std::string& to) {
    int count = 0;
    for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size(), ++count)
        text.replace(at, from.size(), to);
    return count;
}

class compose_test : public server_test {};

TEST_F(compose_test, wires_a_logical_source_a_newer_target_and_pghandoff_built_from_this_checkout) {
    const auto compose = load_compose_file();
    const auto& services = compose.at("services");
    ASSERT_TRUE(services.contains("source") && services.contains("target") && services.contains("pghandoff"))
        << services.dump(2);
    const auto& source = services["source"];
    const auto& target = services["target"];
    const auto& tool = services["pghandoff"];

    std::string server_command;
    for (const auto& word : source.value("command", nlohmann::json::array())) server_command += word.get<std::string>() + " ";
    EXPECT_NE(server_command.find("wal_level=logical"), std::string::npos) << server_command;
    EXPECT_GE(image_major(source), 11) << source.dump();
    EXPECT_GE(image_major(target), image_major(source)) << "the target must run the same or a newer major";

    // pghandoff is built from this checkout, by a Dockerfile that installs what tools/install-deps does.
    EXPECT_EQ(tool.value("build", ""), ".");
    const auto dockerfile = read_file(source_dir / "Dockerfile");
    EXPECT_NE(dockerfile.find("tools/install-deps"), std::string::npos) << dockerfile;
    EXPECT_NE(dockerfile.find("install -m 0755 build/pghandoff /usr/local/bin/pghandoff"), std::string::npos);
    EXPECT_NE(read_file(source_dir / "CMakeLists.txt").find("option(PGHANDOFF_BUILD_TESTS"), std::string::npos)
        << "the Dockerfile builds with -DPGHANDOFF_BUILD_TESTS=OFF";

    // It starts once both servers answer, and all three share one password.
    for (const char* server : {"source", "target"}) {
        EXPECT_EQ(tool["depends_on"][server].value("condition", ""), "service_healthy") << tool.dump(2);
        const auto& check = services[server]["healthcheck"]["test"];
        ASSERT_TRUE(check.is_array() && !check.empty()) << services[server].dump(2);
        EXPECT_NE(check.dump().find("pg_isready"), std::string::npos) << check.dump();
        EXPECT_EQ(services[server]["environment"].value("POSTGRES_PASSWORD", "?"), tool["environment"].value("PGPASSWORD", "!"));
    }
    const auto& command = tool.at("command");
    ASSERT_TRUE(command.is_array() && command.size() == 3) << command.dump();
    EXPECT_EQ(command[0], "sh");
    EXPECT_EQ(command[1], "-ec");
}

TEST_F(compose_test, the_pghandoff_service_command_migrates_the_sample_data_to_an_equal_target) {
    const auto compose = load_compose_file();
    std::string script = compose["services"]["pghandoff"]["command"][2].get<std::string>();
    const bool other_major = servers_.target_other.has_value();
    test_databases dbs(servers_.source, other_major ? *servers_.target_other : servers_.target, "compose");
    temporary_directory work;
    const fs::path state = work.path() / "state";

    // The service's host names and paths, swapped for this test's servers and directories.
    EXPECT_GE(replace_all(script, "postgresql://postgres@source/postgres", dbs.source_uri()), 2) << script;
    EXPECT_EQ(replace_all(script, "postgresql://postgres@target/postgres", dbs.target_uri()), 1) << script;
    EXPECT_GE(replace_all(script, "/tmp/pghandoff-state", state.string()), 2) << script;
    script = "cd " + source_dir.string() + "\n" + script;

    const auto build_dir = fs::path(PGHANDOFF_BINARY).parent_path();
    const char* path = std::getenv("PATH");
    const auto run = run_command({"/bin/sh", "-ec", script},
                                 {{"PATH", build_dir.string() + ":" + (path ? path : "/usr/bin:/bin")}}, 10min);

    ASSERT_EQ(run.exit_code, 0) << describe(run);
    auto report = nlohmann::json::parse(read_file(state / "report.json"), nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << read_file(state / "report.json");
    EXPECT_TRUE(report["downtime_seconds"].is_number()) << report.dump(2);
    EXPECT_TRUE(report["verify"].value("equal", false)) << report["verify"].dump(2);
    // The command ends by printing the report: it is the last thing the container shows.
    EXPECT_NE(run.stdout_text.find("\"downtime_seconds\""), std::string::npos) << run.stdout_text;

    auto src = dbs.connect_source();
    auto dst = dbs.connect_target();
    EXPECT_EQ(dst.scalar("SELECT count(*) FROM orders"), "100000");
    EXPECT_EQ(dst.scalar("SELECT last_value FROM invoice_number"), src.scalar("SELECT last_value FROM invoice_number"));
    const auto found = compare_databases(dbs.source_conninfo(), dbs.target_conninfo());
    EXPECT_TRUE(found.empty()) << describe_differences(found);
    EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'pghandoff%'"), "0");
    EXPECT_EQ(src.scalar("SELECT count(*) FROM pg_publication WHERE pubname LIKE 'pghandoff%'"), "0");
}

}  // namespace
}  // namespace pghandoff::integration
