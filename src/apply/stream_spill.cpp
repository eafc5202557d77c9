#include "apply/stream_spill.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/error.hpp"

namespace pghandoff::apply {

namespace {

constexpr const char* spill_extension = ".spill";

[[noreturn]] void fail(const char* what, const std::filesystem::path& path) {
    throw error(std::string("cannot ") + what + " " + path.string() + ": " + std::strerror(errno),
                "check the state directory's disk space and permissions");
}

}  // namespace

stream_spill::stream_spill(std::filesystem::path dir) : dir_(std::move(dir)) {
    if (dir_.empty()) {
        std::string pattern = (std::filesystem::temp_directory_path() / "pghandoff-spill-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) fail("create a directory like", pattern);
        dir_ = pattern;
        owned_ = true;
        return;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw error("cannot create " + dir_.string() + ": " + ec.message());
    ::chmod(dir_.c_str(), 0700);
    for (const auto& item : std::filesystem::directory_iterator(dir_))
        if (item.path().extension() == spill_extension) std::filesystem::remove(item.path());
}

stream_spill::~stream_spill() {
    for (auto& [xid, f] : files_) close_file(f, true);
    if (owned_) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

stream_spill::file& stream_spill::open_file(cdc::xid_t xid) {
    auto [found, added] = files_.try_emplace(xid);
    auto& f = found->second;
    if (!added) return f;
    f.path = dir_ / (std::to_string(xid) + spill_extension);
    f.handle = std::fopen(f.path.c_str(), "w+b");
    if (!f.handle) {
        files_.erase(found);
        fail("create", dir_ / (std::to_string(xid) + spill_extension));
    }
    return f;
}

void stream_spill::close_file(file& f, bool remove) {
    if (f.handle) std::fclose(f.handle);
    f.handle = nullptr;
    if (remove) {
        std::error_code ec;
        std::filesystem::remove(f.path, ec);
    }
}

void stream_spill::add(cdc::xid_t xid, cdc::xid_t subxid, const spool::entry& change) {
    auto& f = open_file(xid);
    if (subxid != xid) f.subtransactions.try_emplace(subxid, f.size, f.changes);
    spool::encode_record(change, scratch_);
    scratch_.SerializeToString(&serialized_);
    const auto length = static_cast<std::uint32_t>(serialized_.size());
    unsigned char header[4] = {static_cast<unsigned char>(length >> 24), static_cast<unsigned char>(length >> 16),
                               static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length)};
    if (std::fwrite(header, 1, 4, f.handle) != 4 ||
        std::fwrite(serialized_.data(), 1, serialized_.size(), f.handle) != serialized_.size())
        fail("write", f.path);
    f.size += 4 + serialized_.size();
    ++f.changes;
}

void stream_spill::abort(cdc::xid_t xid, cdc::xid_t subxid) {
    auto found = files_.find(xid);
    if (found == files_.end()) return;
    auto& f = found->second;
    if (subxid == xid) {
        close_file(f, true);
        files_.erase(found);
        return;
    }
    auto sub = f.subtransactions.find(subxid);
    if (sub == f.subtransactions.end()) return;  // nothing of it was streamed
    const auto [offset, changes] = sub->second;
    // Changes after the subtransaction's first one are its own or its children's: the parent
    // goes on only after ROLLBACK TO SAVEPOINT, whose abort is decoded first.
    for (auto it = f.subtransactions.begin(); it != f.subtransactions.end();)
        it = it->second.first >= offset ? f.subtransactions.erase(it) : std::next(it);
    if (std::fflush(f.handle) != 0 || ::ftruncate(::fileno(f.handle), static_cast<off_t>(offset)) != 0 ||
        std::fseek(f.handle, static_cast<long>(offset), SEEK_SET) != 0)
        fail("truncate", f.path);
    f.size = offset;
    f.changes = changes;
}

std::uint64_t stream_spill::changes(cdc::xid_t xid) const {
    auto found = files_.find(xid);
    return found == files_.end() ? 0 : found->second.changes;
}

std::uint64_t stream_spill::bytes(cdc::xid_t xid) const {
    auto found = files_.find(xid);
    return found == files_.end() ? 0 : found->second.size;
}

stream_spill::replay stream_spill::take(cdc::xid_t xid) {
    auto found = files_.find(xid);
    if (found == files_.end()) return replay({}, nullptr);
    auto& f = found->second;
    if (std::fflush(f.handle) != 0 || std::fseek(f.handle, 0, SEEK_SET) != 0) fail("read", f.path);
    replay taken(f.path, f.handle);
    f.handle = nullptr;  // the replay owns it now
    files_.erase(found);
    return taken;
}

stream_spill::replay::replay(std::filesystem::path path, std::FILE* file) : path_(std::move(path)), file_(file) {}

stream_spill::replay::replay(replay&& other) noexcept
    : path_(std::move(other.path_)), file_(other.file_), buffer_(std::move(other.buffer_)) {
    other.file_ = nullptr;
    other.path_.clear();
}

stream_spill::replay::~replay() {
    if (file_) std::fclose(file_);
    if (!path_.empty()) {
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
}

std::optional<spool::entry> stream_spill::replay::next() {
    if (!file_) return std::nullopt;
    unsigned char header[4];
    const auto got = std::fread(header, 1, 4, file_);
    if (got == 0 && std::feof(file_)) return std::nullopt;
    if (got != 4) fail("read", path_);
    const std::uint32_t length = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                                 (std::uint32_t{header[2]} << 8) | std::uint32_t{header[3]};
    buffer_.resize(length);
    if (std::fread(buffer_.data(), 1, length, file_) != length) fail("read", path_);
    auto change = spool::parse_entry(buffer_, scratch_);
    if (!change) throw error("the spilled changes in " + path_.string() + " are unreadable");
    return change;
}

}  // namespace pghandoff::apply
