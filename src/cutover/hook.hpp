#pragma once
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace pghandoff::cutover {

/// How the cutover hook ended.
struct hook_result {
    int exit_code = -1;     ///< its exit status, 128 + signal when killed
    bool timed_out = false; ///< killed after the timeout
};

/// Runs `command` with /bin/sh -c, its environment extended by `environment`, its output going
/// where pghandoff's goes, in a process group of its own. Waits without blocking the event loop
/// (a pidfd); after `timeout` kills the group. Throws pghandoff::error when it cannot start.
boost::asio::awaitable<hook_result> run_hook(std::string command,
                                             std::vector<std::pair<std::string, std::string>> environment,
                                             std::chrono::milliseconds timeout);

}  // namespace pghandoff::cutover
