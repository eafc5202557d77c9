#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pghandoff::integration {

/// Environment changes for a child: a value sets the variable, std::nullopt removes it.
using environment_changes = std::map<std::string, std::optional<std::string>>;

/// How a finished command ended and what it printed.
struct command_result {
    int exit_code = -1;         ///< the exit status, -1 if a signal ended it
    std::optional<int> signal;  ///< the signal that ended it, if any
    bool timed_out = false;     ///< true if it was killed for running past its timeout
    std::string stdout_text;
    std::string stderr_text;
    std::chrono::milliseconds elapsed{0};
};

/// Runs argv (argv[0] is a path, not searched in PATH) to completion in its own process
/// group and captures stdout and stderr separately; past timeout the group is killed.
command_result run_command(const std::vector<std::string>& argv, const environment_changes& environment = {},
                           std::chrono::milliseconds timeout = std::chrono::minutes(10));

/// A command running in the background, its output going to files; killed and reaped
/// when this goes away if it is still running.
class background_command {
public:
    background_command(const std::vector<std::string>& argv, const environment_changes& environment,
                       const std::filesystem::path& output_directory);
    ~background_command();
    background_command(const background_command&) = delete;
    background_command& operator=(const background_command&) = delete;

    pid_t pid() const { return pid_; }
    /// True while the process has not exited.
    bool running();
    /// Sends signal to the command's whole process group (e.g. SIGKILL to simulate a crash).
    void kill(int signal);
    /// Waits for the exit (killing the group past timeout) and returns the result with its output.
    command_result wait(std::chrono::milliseconds timeout = std::chrono::minutes(10));

private:
    void reap(int status);

    pid_t pid_ = -1;
    std::chrono::steady_clock::time_point started_;
    std::filesystem::path stdout_path_;
    std::filesystem::path stderr_path_;
    std::optional<command_result> result_;
};

}  // namespace pghandoff::integration
