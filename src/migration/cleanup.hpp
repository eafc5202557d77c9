#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pg/conninfo.hpp"

namespace pghandoff::migration {

/// What `pghandoff cleanup` did, and what it could not do.
struct cleanup_result {
    std::vector<std::string> removed;   ///< one line per object removed or setting undone
    std::vector<std::string> problems;  ///< one line per failure, saying what to do
};

/// Removes everything pghandoff left after an abandoned migration:
/// - source: a write fence recorded in the state directory (undone), the replication slots and
///   publications pghandoff created in the source database (named pghandoff_*);
/// - target (when given): the ENABLE ALWAYS/REPLICA triggers it suspended (restored), its
///   bookkeeping schema `pghandoff`, its replication origin;
/// - state directory (when given): the spool, the control socket and the fence record (the log,
///   status and report stay).
/// Refuses (pghandoff::error) while a migrate runs with that state directory, or while one of
/// the slots is in use.
cleanup_result cleanup_leftovers(const pg::conninfo& source, const std::optional<pg::conninfo>& target,
                                 const std::optional<std::filesystem::path>& state_dir);

}  // namespace pghandoff::migration
