#include "support/fixtures.hpp"

#include "support/run_command.hpp"
#include "support/temporary_directory.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace pghandoff::integration {

std::filesystem::path fixture_path(std::string_view name) {
    return std::filesystem::path(PGHANDOFF_FIXTURES) / name;
}

void create_fixture_roles(pg_session& session) {
    session.exec_file(fixture_path("roles.sql"));
}

void load_hard_schema(pg_session& session) {
    create_fixture_roles(session);
    session.exec_file(fixture_path("hard_schema.sql"));
}

std::filesystem::path program_in_path(std::string_view name) {
    const char* path = std::getenv("PATH");
    std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
    std::string directory;
    while (std::getline(directories, directory, ':')) {
        const auto candidate = std::filesystem::path(directory.empty() ? "." : directory) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw std::runtime_error(std::string(name) + " not found in PATH");
}

void copy_with_pg_dump(const std::string& source_conninfo, const std::string& target_conninfo) {
    const temporary_directory work;
    const auto dump_file = work.path() / "dump.sql";
    const auto dumped = run_command(
        {program_in_path("pg_dump").string(), "--dbname=" + source_conninfo, "--file=" + dump_file.string()});
    if (dumped.exit_code != 0) throw std::runtime_error("pg_dump failed: " + dumped.stderr_text);
    const auto restored =
        run_command({program_in_path("psql").string(), "--dbname=" + target_conninfo, "--quiet",
                     "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--file=" + dump_file.string()});
    if (restored.exit_code != 0) throw std::runtime_error("psql failed: " + restored.stderr_text);
}

}  // namespace pghandoff::integration
