#include "spool/frame.hpp"

#include <lz4.h>

#include "util/crc32c.hpp"
#include "util/error.hpp"

namespace pghandoff::spool {
namespace {

constexpr std::uint32_t largest_batch = LZ4_MAX_INPUT_SIZE;

void put_u32(std::uint32_t value, char* out) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFFu);
}

std::uint32_t get_u32(const char* in) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value |= std::uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
    return value;
}

std::uint32_t frame_checksum(const char* header, std::string_view block) {
    return crc32c(block, crc32c(std::string_view(header, 8)));
}

bool batch_is_well_formed(std::string_view batch) {
    while (batch.size() >= 4) {
        std::uint32_t size = get_u32(batch.data());
        if (size > batch.size() - 4) return false;
        batch.remove_prefix(4 + std::size_t{size});
    }
    return batch.empty();
}

}  // namespace

bool frame_header::plausible() const {
    return batch_size <= largest_batch &&
           compressed_size <= static_cast<std::uint32_t>(LZ4_compressBound(static_cast<int>(batch_size)));
}

void append_to_batch(std::string_view record, std::string& batch) {
    char size[4];
    put_u32(static_cast<std::uint32_t>(record.size()), size);
    batch.append(size, 4);
    batch.append(record);
}

void append_frame(std::string_view batch, std::string& out) {
    if (batch.size() > largest_batch)
        throw error("a change of " + std::to_string(batch.size()) + " bytes is too large for the spool",
                    "the spool stores rows of up to 2GB");
    auto start = out.size();
    int bound = LZ4_compressBound(static_cast<int>(batch.size()));
    out.resize(start + frame_header_bytes + static_cast<std::size_t>(bound));
    char* header = out.data() + start;
    int compressed = LZ4_compress_default(batch.data(), header + frame_header_bytes, static_cast<int>(batch.size()), bound);
    if (compressed <= 0) throw error("LZ4 could not compress a spool frame");
    out.resize(start + frame_header_bytes + static_cast<std::size_t>(compressed));
    header = out.data() + start;
    put_u32(static_cast<std::uint32_t>(compressed), header);
    put_u32(static_cast<std::uint32_t>(batch.size()), header + 4);
    auto block = std::string_view(header + frame_header_bytes, static_cast<std::size_t>(compressed));
    put_u32(frame_checksum(header, block), header + 8);
}

frame_header parse_frame_header(const char* bytes) {
    return {get_u32(bytes), get_u32(bytes + 4), get_u32(bytes + 8)};
}

bool open_frame(const frame_header& header, std::string_view block, std::string& batch) {
    char sizes[8];
    put_u32(header.compressed_size, sizes);
    put_u32(header.batch_size, sizes + 4);
    if (!header.plausible() || block.size() != header.compressed_size) return false;
    if (frame_checksum(sizes, block) != header.checksum) return false;
    batch.resize(header.batch_size);
    int n = LZ4_decompress_safe(block.data(), batch.data(), static_cast<int>(block.size()),
                                static_cast<int>(header.batch_size));
    if (n < 0 || static_cast<std::uint32_t>(n) != header.batch_size) return false;
    return batch_is_well_formed(batch);
}

std::optional<std::string_view> batch_cursor::next() {
    if (rest_.size() < 4) return std::nullopt;
    std::size_t size = get_u32(rest_.data());
    auto record = rest_.substr(4, size);
    rest_.remove_prefix(4 + size);
    return record;
}

}  // namespace pghandoff::spool
