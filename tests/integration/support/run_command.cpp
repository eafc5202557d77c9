#include "support/run_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pghandoff::integration {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::vector<std::string> child_environment(const environment_changes& changes) {
    std::map<std::string, std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text = *entry;
        const auto equals = text.find('=');
        if (equals != std::string::npos) variables[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [name, value] : changes) {
        if (value) {
            variables[name] = *value;
        } else {
            variables.erase(name);
        }
    }
    std::vector<std::string> out;
    for (const auto& [name, value] : variables) out.push_back(name + '=' + value);
    return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& text : strings) out.push_back(text.data());
    out.push_back(nullptr);
    return out;
}

/// posix_spawn file actions and attributes, destroyed on scope exit.
class spawn_setup {
public:
    spawn_setup() {
        posix_spawn_file_actions_init(&actions_);
        posix_spawnattr_init(&attributes_);
        // Own process group, so a kill reaches whatever the command starts; default signal handling.
        posix_spawnattr_setflags(&attributes_,
                                 POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        posix_spawnattr_setpgroup(&attributes_, 0);
        sigset_t defaults;
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGINT);
        sigaddset(&defaults, SIGTERM);
        posix_spawnattr_setsigdefault(&attributes_, &defaults);
        sigset_t empty;
        sigemptyset(&empty);
        posix_spawnattr_setsigmask(&attributes_, &empty);
        posix_spawn_file_actions_addopen(&actions_, 0, "/dev/null", O_RDONLY, 0);
    }
    ~spawn_setup() {
        posix_spawn_file_actions_destroy(&actions_);
        posix_spawnattr_destroy(&attributes_);
    }
    spawn_setup(const spawn_setup&) = delete;
    spawn_setup& operator=(const spawn_setup&) = delete;

    posix_spawn_file_actions_t* actions() { return &actions_; }

    pid_t spawn(const std::vector<std::string>& argv, const environment_changes& environment) {
        if (argv.empty()) throw std::invalid_argument("run_command needs a program");
        std::vector<std::string> arguments = argv;
        std::vector<std::string> variables = child_environment(environment);
        auto argument_pointers = c_strings(arguments);
        auto variable_pointers = c_strings(variables);
        pid_t pid = -1;
        const int error = posix_spawn(&pid, argv[0].c_str(), &actions_, &attributes_,
                                      argument_pointers.data(), variable_pointers.data());
        if (error != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(error));
        return pid;
    }

private:
    posix_spawn_file_actions_t actions_{};
    posix_spawnattr_t attributes_{};
};

/// A pipe whose ends close with this object; the child gets its copies through dup2.
class pipe_pair {
public:
    pipe_pair() {
        if (::pipe2(fds_.data(), O_CLOEXEC) != 0)
            throw std::runtime_error("pipe2 failed: " + std::string(std::strerror(errno)));
    }
    ~pipe_pair() {
        close_end(0);
        close_end(1);
    }
    pipe_pair(const pipe_pair&) = delete;
    pipe_pair& operator=(const pipe_pair&) = delete;

    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }
    /// Closes the parent's copy of the write end, so the reader sees EOF when the child exits.
    void close_write_end() { close_end(1); }

private:
    void close_end(std::size_t end) {
        if (fds_[end] >= 0) ::close(fds_[end]);
        fds_[end] = -1;
    }

    std::array<int, 2> fds_{-1, -1};
};

void fill_exit(command_result& result, int status) {
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_code = -1;
        result.signal = WTERMSIG(status);
    }
}

int wait_blocking(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

/// Reads both pipes until they close; kills the process group once the deadline passes.
void drain_pipes(pid_t pid, pipe_pair& out, pipe_pair& err, steady_clock::time_point deadline,
                 command_result& result) {
    std::array<pollfd, 2> polled{pollfd{out.read_end(), POLLIN, 0}, pollfd{err.read_end(), POLLIN, 0}};
    std::array<std::string*, 2> sinks{&result.stdout_text, &result.stderr_text};
    std::optional<steady_clock::time_point> give_up;
    char buffer[65536];
    while (polled[0].fd >= 0 || polled[1].fd >= 0) {
        const auto now = steady_clock::now();
        if (!result.timed_out && now >= deadline) {
            result.timed_out = true;
            ::kill(-pid, SIGKILL);
            give_up = now + std::chrono::seconds(5);
        }
        if (give_up && now >= *give_up) break;
        const int ready = ::poll(polled.data(), polled.size(), 100);
        if (ready < 0 && errno != EINTR) break;
        for (std::size_t i = 0; i < polled.size(); ++i) {
            if (polled[i].fd < 0 || polled[i].revents == 0) continue;
            const ssize_t got = ::read(polled[i].fd, buffer, sizeof buffer);
            if (got > 0) {
                sinks[i]->append(buffer, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                polled[i].fd = -1;
            }
        }
    }
}

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

command_result run_command(const std::vector<std::string>& argv, const environment_changes& environment,
                           milliseconds timeout) {
    const auto started = steady_clock::now();
    pipe_pair out;
    pipe_pair err;
    spawn_setup setup;
    posix_spawn_file_actions_adddup2(setup.actions(), out.write_end(), 1);
    posix_spawn_file_actions_adddup2(setup.actions(), err.write_end(), 2);
    const pid_t pid = setup.spawn(argv, environment);
    out.close_write_end();
    err.close_write_end();

    command_result result;
    drain_pipes(pid, out, err, started + timeout, result);
    if (result.timed_out) ::kill(-pid, SIGKILL);
    fill_exit(result, wait_blocking(pid));
    result.elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
    return result;
}

background_command::background_command(const std::vector<std::string>& argv,
                                       const environment_changes& environment,
                                       const std::filesystem::path& output_directory)
    : started_(steady_clock::now()) {
    static std::atomic<unsigned> counter{0};
    const std::string stem = "command-" + std::to_string(counter++);
    stdout_path_ = output_directory / (stem + ".stdout");
    stderr_path_ = output_directory / (stem + ".stderr");
    spawn_setup setup;
    posix_spawn_file_actions_addopen(setup.actions(), 1, stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(setup.actions(), 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_ = setup.spawn(argv, environment);
}

background_command::~background_command() {
    if (result_) return;
    ::kill(-pid_, SIGKILL);
    wait_blocking(pid_);
}

bool background_command::running() {
    if (result_) return false;
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) reap(status);
    return !result_;
}

void background_command::kill(int signal) {
    if (!result_) ::kill(-pid_, signal);
}

command_result background_command::wait(milliseconds timeout) {
    const auto deadline = steady_clock::now() + timeout;
    while (running()) {
        if (steady_clock::now() >= deadline) {
            ::kill(-pid_, SIGKILL);
            reap(wait_blocking(pid_));
            result_->timed_out = true;
            break;
        }
        std::this_thread::sleep_for(milliseconds(20));
    }
    return *result_;
}

void background_command::reap(int status) {
    command_result result;
    fill_exit(result, status);
    result.elapsed = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started_);
    result.stdout_text = file_text(stdout_path_);
    result.stderr_text = file_text(stderr_path_);
    result_ = std::move(result);
}

}  // namespace pghandoff::integration
