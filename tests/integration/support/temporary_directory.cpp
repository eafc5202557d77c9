#include "support/temporary_directory.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pghandoff::integration {

temporary_directory::temporary_directory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pghandoff-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create a temporary directory: " + std::string(std::strerror(errno)));
    }
    path_ = pattern;
}

temporary_directory::~temporary_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace pghandoff::integration
