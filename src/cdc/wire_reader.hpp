#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pghandoff::cdc {

/// Why a replication protocol message could not be decoded, and the byte offset where it went wrong.
struct decode_error {
    std::string what;
    std::size_t offset = 0;
    bool operator==(const decode_error&) const = default;
};

/// Reads big-endian fields from one protocol message, never past its end.
///
/// Failure is sticky: the first read that does not fit records a decode_error naming the field,
/// and it and every later read return zero or an empty view without moving. Callers read a group
/// of fields, then check failed() before trusting any of them, and stop loops on failed().
class wire_reader {
public:
    explicit wire_reader(std::string_view bytes) : bytes_(bytes) {}

    std::uint8_t u8(std::string_view what) { return static_cast<std::uint8_t>(unsigned_be(1, what)); }
    std::uint16_t u16(std::string_view what) { return static_cast<std::uint16_t>(unsigned_be(2, what)); }
    std::uint32_t u32(std::string_view what) { return static_cast<std::uint32_t>(unsigned_be(4, what)); }
    std::uint64_t u64(std::string_view what) { return unsigned_be(8, what); }
    std::int32_t i32(std::string_view what) { return static_cast<std::int32_t>(u32(what)); }
    std::int64_t i64(std::string_view what) { return static_cast<std::int64_t>(u64(what)); }

    /// The next `count` bytes, as a view into the message.
    std::string_view bytes(std::size_t count, std::string_view what) {
        if (!fits(count, what)) return {};
        auto out = bytes_.substr(offset_, count);
        offset_ += count;
        return out;
    }

    /// A NUL-terminated string (pgoutput "String"); the terminator is consumed, not returned.
    std::string_view cstring(std::string_view what) {
        if (failed()) return {};
        auto end = bytes_.find('\0', offset_);
        if (end == std::string_view::npos) {
            fail(std::string("unterminated ").append(what), offset_);
            return {};
        }
        auto out = bytes_.substr(offset_, end - offset_);
        offset_ = end + 1;
        return out;
    }

    /// Records a failure found by the caller (a bad value rather than missing bytes).
    void fail(std::string what, std::size_t offset) {
        if (!failure_) failure_ = decode_error{std::move(what), offset};
    }

    /// Fails unless every byte has been read: a message is one exact frame, extra bytes mean
    /// the layout was not what the reader expected.
    void expect_end(std::string_view after) {
        if (failed() || remaining() == 0) return;
        fail("unexpected trailing bytes after " + std::string(after) + ": " + std::to_string(remaining()), offset_);
    }

    bool failed() const { return failure_.has_value(); }
    const std::optional<decode_error>& failure() const { return failure_; }
    std::size_t offset() const { return offset_; }
    std::size_t remaining() const { return bytes_.size() - offset_; }

private:
    bool fits(std::size_t count, std::string_view what) {
        if (failed()) return false;
        if (count <= remaining()) return true;
        fail("truncated " + std::string(what) + ": needs " + std::to_string(count) + " bytes, " +
                 std::to_string(remaining()) + " left",
             offset_);
        return false;
    }

    std::uint64_t unsigned_be(std::size_t width, std::string_view what) {
        if (!fits(width, what)) return 0;
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i) value = (value << 8) | static_cast<unsigned char>(bytes_[offset_ + i]);
        offset_ += width;
        return value;
    }

    std::string_view bytes_;
    std::size_t offset_ = 0;
    std::optional<decode_error> failure_;
};

}  // namespace pghandoff::cdc
