#pragma once
#include <string>
#include <vector>

#include "catalog/table_catalog.hpp"
#include "copy/plan.hpp"
#include "migration/options.hpp"
#include "migration/preflight.hpp"

namespace pghandoff::migration {

/// What `migrate --check` found: the preflight's problems and warnings and, when there are no
/// problems, the plan a run would follow from the source as it is now.
struct migration_check {
    preflight_report preflight;
    std::vector<catalog::table_info> tables;
    std::vector<copy::copy_chunk> chunks;
    std::size_t chunks_done = 0;  ///< a resume: chunks already in the target
    std::size_t sequences = 0;
    std::size_t large_objects = 0;
};

/// Runs the preflight and plans the copy without changing anything: no slot, no publication,
/// nothing on the target, no state directory.
migration_check check_migration(const migrate_options& options);

/// The report `migrate --check` prints: what would be migrated, how, and the warnings.
std::vector<std::string> describe_check(const migration_check& check, const migrate_options& options);

}  // namespace pghandoff::migration
