#pragma once
#include <filesystem>

namespace pghandoff::spool {

/// Cuts the spool in `dir` back to its last transaction boundary, as the writer's constructor
/// describes: the torn end of the last segment and every record after the last boundary go.
/// Damage that does not reach the end of the last segment cannot come from an interrupted write:
/// it throws pghandoff::error. Each step leaves the spool valid if the process dies during it.
void cut_to_last_boundary(const std::filesystem::path& dir);

}  // namespace pghandoff::spool
