#pragma once
#include "migration/options.hpp"

namespace pghandoff::migration {

/// Runs `pghandoff migrate --no-follow`: preflight, one snapshot, schema, parallel chunked COPY,
/// post-data overlapping the copy, sequences, large objects, materialized views, ANALYZE.
/// Resumable: rerun the same command after any failure. Throws pghandoff::error or
/// preflight_failed; returns when the target equals the source's snapshot.
void run_offline_migration(const migrate_options& options);

}  // namespace pghandoff::migration
