#include "util/state_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

}  // namespace pghandoff
