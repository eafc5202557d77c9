#pragma once
#include <filesystem>

namespace pghandoff {

/// Creates the state directory (and parents) private to its owner (0700). Refuses one owned by
/// another user; tightens the mode of an existing one of ours.
void ensure_state_dir(const std::filesystem::path& dir);

}  // namespace pghandoff
