#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <optional>

#include "catalog/scope.hpp"
#include "pg/conninfo.hpp"

namespace pghandoff::verify {

struct verify_options {
    pg::conninfo source;
    pg::conninfo target;
    int jobs = 2;
    catalog::scope selection;
    /// Rows named per table (missing, extra or changed); the counts are always complete.
    std::size_t max_rows = 20;
    /// Cut keyed tables into key ranges (keyless ones into ctid ranges) of about this many
    /// bytes; 0: automatic (one job's share of the data, at least 128 MB).
    std::uint64_t chunk_bytes = 0;
    /// Read the target as of this exported snapshot (pg_export_snapshot of a transaction the
    /// caller keeps open): the cutover's view of it, whatever the application wrote since.
    std::optional<std::string> target_snapshot;
    /// Read the source as of this exported snapshot.
    std::optional<std::string> source_snapshot;
    /// Compare sequence values (not while streaming: sequences move at the cutover only).
    bool sequences = true;
};

/// One row named in a difference: its key (column = value, ...) or, in a table without a key,
/// the row itself.
struct row_difference {
    std::string kind;  ///< "missing" (on the target), "extra" (only on the target), "changed"
    std::string row;
};

struct table_result {
    std::string table;  ///< schema.name
    std::string key;    ///< the key columns compared on, empty for a keyless table (multiset)
    std::int64_t source_rows = 0;
    std::int64_t target_rows = 0;
    std::int64_t missing = 0, extra = 0, changed = 0;
    int chunks = 0;
    std::vector<row_difference> rows;  ///< at most max_rows of them
    std::string problem;               ///< e.g. the table is missing on the target
    bool equal() const { return problem.empty() && missing == 0 && extra == 0 && changed == 0 && source_rows == target_rows; }
};

struct verify_result {
    std::vector<table_result> tables;
    std::vector<std::string> sequences;      ///< one line per differing sequence
    std::vector<std::string> large_objects;  ///< one line per differing large object
    std::vector<std::string> objects;        ///< "index x on t: missing on the target", ...
    std::vector<std::string> notes;          ///< what was left out, and why
    std::string consistency;                 ///< how both sides were read
    bool sequences_compared = true;
    std::int64_t rows_compared = 0;
    double seconds = 0;
    bool equal() const;
    /// The human summary.
    std::string summary() const;
    nlohmann::json to_json() const;
};

/// Compares the two databases as they are now: every table's row count and content (hashes per
/// key range, narrowed to the differing rows), sequences, large objects, and indexes,
/// constraints, triggers, views and functions by name. Both sides must hold still (offline, or
/// after a cutover). Throws pghandoff::error on connection or query failures.
verify_result run_verify(const verify_options& options);

}  // namespace pghandoff::verify
