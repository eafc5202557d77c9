#pragma once
#include <string>
#include <utility>
#include <vector>

namespace pghandoff {

/// What a finished child process left.
struct process_result {
    int exit_code = -1;  ///< exit status, or 128+signal when killed
    std::string out;
    std::string err;
};

/// Runs argv[0] (searched in PATH) with extra environment variables, collecting stdout and
/// stderr. Blocks until the child exits. Throws pghandoff::error when it cannot start.
process_result run_process(const std::vector<std::string>& argv,
                           const std::vector<std::pair<std::string, std::string>>& extra_env = {});

}  // namespace pghandoff
