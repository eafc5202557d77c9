#include "util/state_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "util/error.hpp"

namespace pghandoff {

void ensure_state_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!dir.parent_path().empty()) std::filesystem::create_directories(dir.parent_path(), ec);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw error("cannot create the state directory " + dir.string() + ": " + std::strerror(errno),
                    "choose another one with --state-dir");
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw error("the state directory " + dir.string() + " is not a directory", "choose another one with --state-dir");
    if (st.st_uid != geteuid())
        throw error("the state directory " + dir.string() + " belongs to another user",
                    "run pghandoff as its owner or choose another --state-dir");
    if ((st.st_mode & 0777) != 0700 && chmod(dir.c_str(), 0700) != 0)
        throw error("cannot make the state directory " + dir.string() + " private (0700): " + std::strerror(errno));
}

state_dir_lock::state_dir_lock(const std::filesystem::path& dir, const char* command) {
    const auto path = dir / "lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw error("cannot open " + path.string() + ": " + std::strerror(errno), "choose another state directory with --state-dir");
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const auto n = pread(fd_, buf, sizeof buf - 1, 0);
        std::string holder(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        ::close(fd_);
        fd_ = -1;
        if (err != EWOULDBLOCK) throw error("cannot lock " + path.string() + ": " + std::strerror(err));
        throw error("another pghandoff process" + (holder.empty() ? std::string() : " (pid " + holder + ")") +
                        " is using the state directory " + dir.string() + ", so " + command + " cannot start",
                    "wait for it to end (pghandoff status --state-dir " + dir.string() +
                        " shows what it does) or stop it; a process that died leaves no lock behind");
    }
    const std::string pid = std::to_string(getpid()) + "\n";
    const bool recorded = ftruncate(fd_, 0) == 0 && pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    (void)recorded;  // the pid only makes a second process's message clearer; the lock holds without it
}

state_dir_lock::~state_dir_lock() {
    if (fd_ >= 0) ::close(fd_);
}

}  // namespace pghandoff
