#pragma once
#include <filesystem>
#include <optional>

#include <spdlog/common.h>

namespace pghandoff {

/// Logs to stderr at `console_level` and, when given, to `file` at info level and above.
void setup_logging(spdlog::level::level_enum console_level, const std::optional<std::filesystem::path>& file);

}  // namespace pghandoff
