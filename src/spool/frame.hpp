#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pghandoff::spool {

/// A frame is one LZ4 block holding a batch of records, behind a 12-byte little-endian header:
///   u32 compressed size | u32 batch size | u32 CRC-32C of the first 8 header bytes and the block
/// A batch is a sequence of records, each a little-endian u32 size and that many bytes.
constexpr std::size_t frame_header_bytes = 12;

struct frame_header {
    std::uint32_t compressed_size = 0;
    std::uint32_t batch_size = 0;
    std::uint32_t checksum = 0;

    /// False for sizes no writer produces (a damaged header): do not read that many bytes.
    bool plausible() const;
};

/// Adds one serialized record to a batch.
void append_to_batch(std::string_view record, std::string& batch);

/// Compresses `batch` and appends the whole frame (header and block) to `out`.
void append_frame(std::string_view batch, std::string& out);

frame_header parse_frame_header(const char* bytes);

/// Checks the checksum, decompresses `block` into `batch` and checks the batch's record sizes;
/// false when any of that fails: the frame is damaged.
bool open_frame(const frame_header& header, std::string_view block, std::string& batch);

/// Walks the records of a batch that open_frame accepted.
class batch_cursor {
public:
    explicit batch_cursor(std::string_view batch = {}) : rest_(batch) {}
    std::optional<std::string_view> next();

private:
    std::string_view rest_;
};

}  // namespace pghandoff::spool
