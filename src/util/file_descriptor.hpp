#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace pghandoff {

/// An owned POSIX file descriptor with the few positioned, durable I/O calls that files written
/// for crash safety need. Every call throws pghandoff::error naming the file.
class file_descriptor {
public:
    /// open(2) with `flags`; new files get `mode`.
    static file_descriptor open(const std::filesystem::path& path, int flags, mode_t mode = 0600);

    file_descriptor(file_descriptor&& other) noexcept;
    file_descriptor& operator=(file_descriptor&& other) noexcept;
    file_descriptor(const file_descriptor&) = delete;
    file_descriptor& operator=(const file_descriptor&) = delete;
    ~file_descriptor();

    /// Writes all of `bytes` at `offset`.
    void write_at(std::uint64_t offset, std::string_view bytes);
    /// Reads up to `size` bytes at `offset` into `out`; fewer only at the end of the file.
    std::size_t read_at(std::uint64_t offset, char* out, std::size_t size) const;
    /// fdatasync(2): the data written so far, and the file's size, survive a crash.
    void sync_data();
    void truncate(std::uint64_t size);
    std::uint64_t size() const;
    const std::filesystem::path& path() const { return path_; }

private:
    friend void sync_directory(const std::filesystem::path& dir);
    file_descriptor(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
    [[noreturn]] void fail(const char* what) const;

    int fd_ = -1;
    std::filesystem::path path_;
};

/// fsync(2) on a directory, so that files created, renamed or removed in it survive a crash.
void sync_directory(const std::filesystem::path& dir);

}  // namespace pghandoff
