#pragma once
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

namespace pghandoff {

/// Writes `value` to `path` atomically (a temporary file in the same directory, fsynced, then
/// renamed over it), private to its owner (0600). Throws pghandoff::error.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value);

/// The JSON in `path`; nullopt when the file is missing or does not parse.
std::optional<nlohmann::json> read_json_file(const std::filesystem::path& path);

}  // namespace pghandoff
