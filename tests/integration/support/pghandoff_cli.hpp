#pragma once

#include "support/run_command.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace pghandoff::integration {

/// Runs the built pghandoff binary with arguments and waits for it.
command_result run_pghandoff(const std::vector<std::string>& arguments,
                             const environment_changes& environment = {},
                             std::chrono::milliseconds timeout = std::chrono::minutes(10));

/// The command line of the built binary with arguments, for background_command.
std::vector<std::string> pghandoff_command(const std::vector<std::string>& arguments);

/// `migrate --no-follow --source S --target T --state-dir D` followed by extra options.
std::vector<std::string> offline_migrate_arguments(const std::string& source_uri,
                                                   const std::string& target_uri,
                                                   const std::filesystem::path& state_dir,
                                                   const std::vector<std::string>& extra = {});

/// The lines of stderr that start with "pghandoff: error:".
std::vector<std::string> error_lines(const std::string& stderr_text);

/// True if text contains part.
bool mentions(const std::string& text, const std::string& part);

/// Exit code, signal, stdout and stderr, for a test's failure message.
std::string describe(const command_result& result);

}  // namespace pghandoff::integration
