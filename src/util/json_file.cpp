#include "util/json_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/error.hpp"

namespace pghandoff {

void write_json_file(const std::filesystem::path& path, const nlohmann::json& value) {
    const std::string text = value.dump(2) + "\n";
    const std::filesystem::path temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw error("cannot write " + temporary.string() + ": " + std::strerror(errno));
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            ::close(fd);
            throw error("cannot write " + temporary.string() + ": " + std::strerror(e));
        }
        written += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(temporary.c_str(), path.c_str()) != 0)
        throw error("cannot replace " + path.string() + ": " + std::strerror(errno));
}

std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    auto value = nlohmann::json::parse(text.str(), nullptr, false);
    if (value.is_discarded()) return std::nullopt;
    return value;
}

}  // namespace pghandoff
