#include "util/file_descriptor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "util/error.hpp"

namespace pghandoff {
namespace {

[[noreturn]] void fail_on(const std::filesystem::path& path, const char* what) {
    int code = errno;
    std::string hint = code == ENOSPC ? "free some space in the state directory's file system" : "";
    throw error(std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(code), hint);
}

}  // namespace

file_descriptor file_descriptor::open(const std::filesystem::path& path, int flags, mode_t mode) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) fail_on(path, "open");
    return file_descriptor(fd, path);
}

file_descriptor::file_descriptor(file_descriptor&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

file_descriptor& file_descriptor::operator=(file_descriptor&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

file_descriptor::~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
}

void file_descriptor::fail(const char* what) const { fail_on(path_, what); }

void file_descriptor::write_at(std::uint64_t offset, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write to");
        bytes.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
}

std::size_t file_descriptor::read_at(std::uint64_t offset, char* out, std::size_t size) const {
    std::size_t done = 0;
    while (done < size) {
        ssize_t n = ::pread(fd_, out + done, size - done, static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read");
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

void file_descriptor::sync_data() {
    if (::fdatasync(fd_) != 0) fail("sync");
}

void file_descriptor::truncate(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("truncate");
}

std::uint64_t file_descriptor::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("stat");
    return static_cast<std::uint64_t>(st.st_size);
}

void sync_directory(const std::filesystem::path& dir) {
    auto fd = file_descriptor::open(dir, O_RDONLY | O_DIRECTORY);
    if (::fsync(fd.fd_) != 0) fail_on(dir, "sync the directory");
}

}  // namespace pghandoff
