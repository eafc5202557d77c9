#pragma once

#include <filesystem>

namespace pghandoff::integration {

/// A new empty directory under the system's temporary directory, removed with its contents
/// when this goes away.
class temporary_directory {
public:
    temporary_directory();
    ~temporary_directory();
    temporary_directory(const temporary_directory&) = delete;
    temporary_directory& operator=(const temporary_directory&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace pghandoff::integration
