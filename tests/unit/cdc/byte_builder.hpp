#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pghandoff::test_support {

/// Builds protocol messages byte by byte, big-endian, for decoder fixtures. Written
/// independently of the code under test so a shared endianness mistake cannot hide.
class byte_builder {
public:
    byte_builder& u8(std::uint8_t v) { return put(v, 1); }
    byte_builder& kind(char c) { return u8(static_cast<std::uint8_t>(c)); }
    byte_builder& u16(std::uint16_t v) { return put(v, 2); }
    byte_builder& u32(std::uint32_t v) { return put(v, 4); }
    byte_builder& i32(std::int32_t v) { return put(static_cast<std::uint32_t>(v), 4); }
    byte_builder& u64(std::uint64_t v) { return put(v, 8); }
    byte_builder& i64(std::int64_t v) { return put(static_cast<std::uint64_t>(v), 8); }

    /// A pgoutput String: the bytes and a NUL terminator.
    byte_builder& str(std::string_view s) {
        bytes_.append(s);
        bytes_.push_back('\0');
        return *this;
    }
    byte_builder& raw(std::string_view s) {
        bytes_.append(s);
        return *this;
    }
    /// The xid that leads a change inside a streamed transaction, when there is one.
    byte_builder& xid_if(std::optional<std::uint32_t> xid) { return xid ? u32(*xid) : *this; }

    /// TupleData columns: 'n', 'u', 't' with its text, 'b' with its bytes.
    byte_builder& null_column() { return kind('n'); }
    byte_builder& unchanged_toast_column() { return kind('u'); }
    byte_builder& text_column(std::string_view text) { return kind('t').i32(static_cast<std::int32_t>(text.size())).raw(text); }
    byte_builder& binary_column(std::string_view bytes) { return kind('b').i32(static_cast<std::int32_t>(bytes.size())).raw(bytes); }

    const std::string& bytes() const { return bytes_; }

private:
    byte_builder& put(std::uint64_t v, int width) {
        for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) bytes_.push_back(static_cast<char>((v >> shift) & 0xff));
        return *this;
    }

    std::string bytes_;
};

/// Bytes from a hex string such as "42000000..." (as psql shows bytea, without the \x).
inline std::string from_hex(std::string_view hex) {
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
    return out;
}

}  // namespace pghandoff::test_support
