#include "schema/dump_tool.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>

#include "util/error.hpp"
#include "util/process.hpp"

namespace pghandoff::schema {

namespace fs = std::filesystem;

std::optional<int> parse_tool_major(const std::string& version_line) {
    // "pg_dump (PostgreSQL) 15.8", "... 9.6.24" (major 9, as server_version_num / 10000), "... 17devel"
    static const std::regex version(R"(\(PostgreSQL\) (\d+))");
    std::smatch m;
    if (!std::regex_search(version_line, m, version)) return std::nullopt;
    return std::stoi(m[1]);
}

namespace {

std::optional<int> probe_major(const fs::path& binary) {
    std::error_code ec;
    if (!fs::exists(binary, ec)) return std::nullopt;
    try {
        auto r = run_process({binary.string(), "--version"});
        if (r.exit_code != 0) return std::nullopt;
        return parse_tool_major(r.out);
    } catch (const error&) {
        return std::nullopt;
    }
}

std::vector<fs::path> candidate_dumps() {
    std::vector<fs::path> out;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream ss(path);
        std::string dir;
        while (std::getline(ss, dir, ':'))
            if (!dir.empty()) out.push_back(fs::path(dir) / "pg_dump");
    }
    for (const char* root : {"/usr/lib/postgresql", "/usr/local/pgsql", "/opt/homebrew/opt"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(root, ec)) out.push_back(entry.path() / "bin" / "pg_dump");
    }
    for (int v = 10; v <= 30; ++v) out.push_back(fs::path("/usr/pgsql-" + std::to_string(v)) / "bin" / "pg_dump");
    return out;
}

}  // namespace

dump_tool find_dump_tool(int server_major, const std::optional<fs::path>& explicit_path) {
    auto make = [](const fs::path& dump, int major) {
        return dump_tool{dump, dump.parent_path() / "pg_restore", major};
    };
    if (explicit_path) {
        auto major = probe_major(*explicit_path);
        if (!major) throw error("cannot run pg_dump at " + explicit_path->string(), "give the path of a working pg_dump with --pg-dump");
        if (*major < server_major)
            throw error("pg_dump " + std::to_string(*major) + " at " + explicit_path->string() +
                            " cannot dump a PostgreSQL " + std::to_string(server_major) + " server",
                        "install the PostgreSQL " + std::to_string(server_major) + " client (pg_dump) or newer");
        return make(*explicit_path, *major);
    }
    // Debian's /usr/bin/pg_dump is a link to pg_wrapper, a Perl script that picks one of the
    // /usr/lib/postgresql/*/bin binaries: 20-40 ms per start, paid again by every pg_dump and
    // pg_restore of a run. The binaries it picks from are candidates themselves, so wrappers are
    // probed only when no real binary qualifies. PATH entries that resolve to one file (/bin and
    // /usr/bin on a merged /usr) are probed once.
    std::optional<dump_tool> best;
    std::vector<int> seen;
    std::vector<fs::path> wrappers;
    std::set<fs::path> probed;
    auto consider = [&](const fs::path& candidate) {
        auto major = probe_major(candidate);
        if (!major) return;
        seen.push_back(*major);
        if (*major >= server_major && (!best || *major > best->major_version) && fs::exists(candidate.parent_path() / "pg_restore"))
            best = make(candidate, *major);
    };
    for (const auto& candidate : candidate_dumps()) {
        std::error_code ec;
        auto real = fs::canonical(candidate, ec);
        if (ec || !probed.insert(real).second) continue;
        if (real.filename() != candidate.filename())
            wrappers.push_back(candidate);
        else
            consider(candidate);
    }
    if (!best)
        for (const auto& candidate : wrappers) consider(candidate);
    if (!best) {
        std::string found;
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (int v : seen) found += (found.empty() ? "" : ", ") + std::to_string(v);
        throw error("no pg_dump able to dump a PostgreSQL " + std::to_string(server_major) + " server was found" +
                        (found.empty() ? std::string(" (none on PATH)") : " (found versions: " + found + ")"),
                    "install postgresql-client-" + std::to_string(server_major) + " or newer, or pass --pg-dump PATH");
    }
    return *best;
}

std::vector<std::pair<std::string, std::string>> child_environment(const pg::conninfo& info) {
    std::vector<std::pair<std::string, std::string>> env;
    if (auto pw = info.get("password")) env.emplace_back("PGPASSWORD", *pw);
    return env;
}

namespace {
std::string first_lines(const std::string& text) {
    std::string out = pg::mask_passwords(text);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    for (auto& c : out)
        if (c == '\n') c = ' ';
    if (out.size() > 600) out = out.substr(0, 600) + "...";
    return out;
}
}  // namespace

void dump_schema(const dump_tool& tool, const pg::conninfo& source, const std::string& snapshot,
                 const catalog::scope& selection, const fs::path& archive) {
    std::vector<std::string> argv = {tool.pg_dump.string(), "--schema-only", "--format=custom", "--no-sync",
                                     "--file=" + archive.string(), "--snapshot=" + snapshot,
                                     "--dbname=" + source.to_string_without_password()};
    for (auto& a : selection.pg_dump_arguments()) argv.push_back(a);
    auto r = run_process(argv, child_environment(source));
    if (r.exit_code != 0)
        throw error("pg_dump failed to dump the source schema: " + first_lines(r.err),
                    "check that the role can read every object of the migrated schemas");
}

std::string restore_section(const dump_tool& tool, const fs::path& archive, const std::string& section,
                            const dump_options& options, bool clean) {
    std::vector<std::string> argv = {tool.pg_restore.string(), "--file=-"};
    if (!section.empty()) argv.push_back("--section=" + section);
    if (options.no_owner) argv.push_back("--no-owner");
    if (options.no_acl) argv.push_back("--no-acl");
    if (options.no_tablespaces) argv.push_back("--no-tablespaces");
    if (clean) {
        argv.push_back("--clean");
        argv.push_back("--if-exists");
    }
    argv.push_back(archive.string());
    auto r = run_process(argv);
    if (r.exit_code != 0) throw error("pg_restore could not read the schema archive: " + first_lines(r.err));
    return r.out;
}

}  // namespace pghandoff::schema
