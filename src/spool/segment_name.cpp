#include "spool/segment_name.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "util/error.hpp"

namespace pghandoff::spool {
namespace {

template <typename T>
std::optional<T> parse_number(std::string_view text, int base) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<segment_id> parse_segment_name(const std::filesystem::path& path) {
    auto name = path.filename().string();
    std::string_view text = name;
    if (text.size() < 16 + 1 + 1 + 4 || text[16] != '-' || !text.ends_with(".seg")) return std::nullopt;
    auto after = parse_number<std::uint64_t>(text.substr(0, 16), 16);
    auto sequence = parse_number<std::uint64_t>(text.substr(17, text.size() - 17 - 4), 10);
    if (!after || !sequence) return std::nullopt;
    return segment_id{*sequence, pg::lsn(*after), path};
}

}  // namespace

std::filesystem::path segment_path(const std::filesystem::path& dir, std::uint64_t sequence, pg::lsn after) {
    return dir / fmt::format("{:016X}-{:06}.seg", after.value(), sequence);
}

std::vector<segment_id> list_segments(const std::filesystem::path& dir) {
    std::vector<segment_id> segments;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (auto id = parse_segment_name(it->path())) segments.push_back(std::move(*id));
    }
    if (ec) throw error("cannot list the spool directory " + dir.string() + ": " + ec.message());
    std::sort(segments.begin(), segments.end(),
              [](const segment_id& a, const segment_id& b) { return a.sequence < b.sequence; });
    return segments;
}

}  // namespace pghandoff::spool
