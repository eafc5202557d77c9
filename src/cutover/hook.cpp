#include "cutover/hook.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "util/error.hpp"

namespace pghandoff::cutover {

namespace asio = boost::asio;

namespace {

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

asio::awaitable<hook_result> run_hook(std::string command, std::vector<std::pair<std::string, std::string>> environment,
                                      std::chrono::milliseconds timeout) {
    // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
    std::vector<std::string> entries;
    for (char** e = environ; *e; ++e) {
        std::string entry(*e);
        bool replaced = false;
        for (const auto& [name, value] : environment)
            if (entry.compare(0, name.size() + 1, name + "=") == 0) replaced = true;
        if (!replaced) entries.push_back(std::move(entry));
    }
    for (const auto& [name, value] : environment) entries.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::string shell = "/bin/sh", dash_c = "-c";
    std::vector<char*> argv{shell.data(), dash_c.data(), command.data(), nullptr};

    const pid_t pid = ::fork();
    if (pid < 0) throw error(std::string("cannot start the cutover hook: ") + std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);

    auto executor = co_await asio::this_coro::executor;
    hook_result result;
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    asio::steady_timer timer(executor);
    int status = 0;
    if (pidfd >= 0) {
        // The pidfd turns readable when the child exits; the timer bounds the wait.
        asio::posix::stream_descriptor exit_watch(executor, pidfd);
        bool exited = false;
        timer.expires_at(deadline);
        timer.async_wait([&](boost::system::error_code ec) {
            if (!ec && !exited) exit_watch.cancel();
        });
        boost::system::error_code ec;
        co_await exit_watch.async_wait(asio::posix::descriptor_base::wait_read,
                                       asio::redirect_error(asio::use_awaitable, ec));
        exited = !ec;
        timer.cancel();
        if (!exited) {
            ::kill(-pid, SIGKILL);
            result.timed_out = true;
        }
        ::waitpid(pid, &status, 0);
    } else {
        // No pidfd (an old kernel): poll.
        for (;;) {
            const pid_t done = ::waitpid(pid, &status, WNOHANG);
            if (done == pid) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(-pid, SIGKILL);
                result.timed_out = true;
                ::waitpid(pid, &status, 0);
                break;
            }
            timer.expires_after(std::chrono::milliseconds(2));
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }
    result.exit_code = exit_code_of(status);
    co_return result;
}

}  // namespace pghandoff::cutover
