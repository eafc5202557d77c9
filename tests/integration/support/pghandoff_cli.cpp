#include "support/pghandoff_cli.hpp"

#include <sstream>

namespace pghandoff::integration {

std::vector<std::string> pghandoff_command(const std::vector<std::string>& arguments) {
    std::vector<std::string> command{PGHANDOFF_BINARY};
    command.insert(command.end(), arguments.begin(), arguments.end());
    return command;
}

command_result run_pghandoff(const std::vector<std::string>& arguments,
                             const environment_changes& environment, std::chrono::milliseconds timeout) {
    return run_command(pghandoff_command(arguments), environment, timeout);
}

std::vector<std::string> offline_migrate_arguments(const std::string& source_uri,
                                                   const std::string& target_uri,
                                                   const std::filesystem::path& state_dir,
                                                   const std::vector<std::string>& extra) {
    std::vector<std::string> arguments{"migrate",  "--no-follow", "--source",    source_uri,
                                       "--target", target_uri,    "--state-dir", state_dir.string()};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
}

std::vector<std::string> error_lines(const std::string& stderr_text) {
    std::vector<std::string> lines;
    std::istringstream in(stderr_text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("pghandoff: error:", 0) == 0) lines.push_back(line);
    }
    return lines;
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

namespace {

/// The end of a long output: what a failing run printed last matters most.
std::string tail(const std::string& text) {
    constexpr std::size_t shown = 6000;
    return text.size() <= shown ? text : "[...]" + text.substr(text.size() - shown);
}

}  // namespace

std::string describe(const command_result& result) {
    std::string out = "exit code " + std::to_string(result.exit_code);
    if (result.signal) out += ", killed by signal " + std::to_string(*result.signal);
    if (result.timed_out) out += ", timed out";
    out += " after " + std::to_string(result.elapsed.count()) + " ms";
    out += "\n--- stdout ---\n" + tail(result.stdout_text) + "\n--- stderr ---\n" + tail(result.stderr_text);
    return out;
}

}  // namespace pghandoff::integration
