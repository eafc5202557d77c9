#pragma once
#include <filesystem>

namespace pghandoff {

/// Creates the state directory (and parents) private to its owner (0700). Refuses one owned by
/// another user; tightens the mode of an existing one of ours.
void ensure_state_dir(const std::filesystem::path& dir);

/// An exclusive lock on a state directory, held while the object lives, so that one migrate (or
/// cleanup) at a time works in it: a second one would take over the control socket and write
/// into the same spool. The kernel drops the lock when the process ends, kill -9 included, so a
/// rerun after a crash is never refused. Taken before anything is written to the directory.
class state_dir_lock {
public:
    /// Throws an error naming the process that holds the lock. `command` names the caller.
    state_dir_lock(const std::filesystem::path& dir, const char* command);
    ~state_dir_lock();
    state_dir_lock(const state_dir_lock&) = delete;
    state_dir_lock& operator=(const state_dir_lock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace pghandoff
