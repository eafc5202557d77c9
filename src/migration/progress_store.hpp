#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "copy/plan.hpp"

namespace pghandoff::pg {
class connection;
}

namespace pghandoff::migration {

/// Which source and selection a migration's progress on the target belongs to.
struct migration_identity {
    std::string source_system_id;
    std::string source_database;
    std::string scope;
    std::string slot_name;         ///< online mode: the source's slot, kept until cutover
    std::string publication_name;  ///< online mode: the source's publication
    bool operator==(const migration_identity&) const = default;
};

/// A chunk as recorded on the target, with whether it is already in.
struct recorded_chunk {
    copy::copy_chunk chunk;
    bool done = false;
    long long rows = 0;
};

/// Progress kept on the target in schema "pghandoff", always written in the same transaction
/// as the work it describes, so that a rerun after any crash resumes exactly.
struct stored_progress {
    migration_identity identity;
    std::vector<recorded_chunk> chunks;
    std::set<std::string> steps;  ///< keys of finished schema steps, sequences, large objects...
};

/// SQL condition on pg_replication_origin.roname matching the origins of one migration's
/// appliers: named after its slot (`slot`, `slot_1`, ...), so that migrations into other
/// databases of the same target cluster keep theirs; "pghandoff" is an earlier version's.
std::string origin_condition(const std::string& slot_name);

/// The schema name of the bookkeeping on the target.
inline constexpr const char* bookkeeping_schema = "pghandoff";

/// Reads the progress on the target, if a migration left any.
boost::asio::awaitable<std::optional<stored_progress>> load_progress(pg::connection& target);

/// DDL creating the bookkeeping and recording a new migration with its chunk plan.
std::string create_progress_sql(const migration_identity& id, const std::vector<copy::copy_chunk>& chunks);
/// Marks one chunk done (run inside the chunk's transaction). Returns one row, or none when the
/// chunk is done already: another process copied it meanwhile, and this copy must roll back.
std::string chunk_done_sql(const copy::copy_chunk& chunk, long long rows, unsigned long long bytes, double seconds);
/// Records a finished step (run inside the step's transaction).
std::string step_done_sql(const std::string& key);
/// Removes the bookkeeping once the migration is complete.
std::string drop_progress_sql();

}  // namespace pghandoff::migration
