#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <filesystem>
#include <optional>

#include "catalog/scope.hpp"
#include "pg/conninfo.hpp"

namespace pghandoff::migration {

/// How progress is shown: redrawn on a terminal, periodic log lines, or not at all.
enum class progress_mode : std::uint8_t { automatic, terminal, plain, none };

/// When an online migration cuts over: on `pghandoff cutover` (manual), as soon as the lag is
/// under max_lag (automatic), or at a set time (scheduled).
enum class cutover_mode : std::uint8_t { manual, automatic, scheduled };

/// Everything `pghandoff migrate` was asked to do.
struct migrate_options {
    pg::conninfo source;
    pg::conninfo target;
    int jobs = 2;
    std::filesystem::path state_dir;
    bool follow = true;
    catalog::scope selection;
    bool drop_if_exists = false;
    bool no_owner = false;
    bool no_acl = false;
    bool no_tablespaces = false;
    bool copy_roles = false;
    bool replica_identity_full = false;  ///< online: set REPLICA IDENTITY FULL on keyless tables
    std::uint64_t spool_limit_bytes = 8ull << 30;  ///< online: stop reading from the source above this
    int apply_jobs = 1;  ///< online: apply connections (each with its own tables and replication origin)
    std::optional<std::filesystem::path> pg_dump;
    std::uint64_t chunk_bytes = 0;  ///< 0: automatic (copy::automatic_chunk_bytes)
    std::string maintenance_work_mem = "auto";  ///< or a size for every index build
    progress_mode progress = progress_mode::automatic;

    // Cutover (online mode).
    cutover_mode cutover = cutover_mode::manual;
    std::chrono::system_clock::time_point cutover_at;       ///< scheduled mode
    std::chrono::milliseconds max_lag{1000};                 ///< automatic mode: lag that triggers it
    std::chrono::milliseconds catchup_timeout{600'000};      ///< longest wait for the target to catch up
    bool fence_read_only = true;                             ///< false: --fence none
    std::string on_cutover;                                  ///< shell command switching DATABASE_URL
    std::chrono::milliseconds hook_timeout{300'000};
    bool unfence_source = false;
    bool verify = false;  ///< run verify after an offline migration and after the cutover
};

}  // namespace pghandoff::migration
