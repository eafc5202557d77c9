#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/roles.hpp"
#include "migration/options.hpp"
#include "migration/progress_store.hpp"
#include "schema/dump_tool.hpp"

namespace pghandoff::migration {

/// What preflight learned about both servers, and every problem found (one line each, saying
/// what to do). A migration starts only when `problems` is empty.
struct preflight_report {
    std::vector<std::string> problems;
    std::vector<std::string> warnings;

    int source_version = 0;
    int target_version = 0;
    std::string source_encoding;
    std::string source_database;
    std::string source_system_id;
    bool slot_snapshot = false;  ///< wal_level=logical, REPLICATION privilege and a free slot
    std::optional<schema::dump_tool> dump;
    std::optional<stored_progress> progress;
    std::vector<catalog::role_info> missing_roles;
    /// Online mode, --replica-identity-full: tables to set REPLICA IDENTITY FULL on the source.
    std::vector<catalog::qualified_name> identity_full_tables;
};

/// Checks both servers and the local tools; never throws for problems it can name.
boost::asio::awaitable<preflight_report> run_preflight(const migrate_options& options);

/// Thrown when preflight found problems: every line is printed.
class preflight_failed : public std::runtime_error {
public:
    explicit preflight_failed(std::vector<std::string> problems)
        : std::runtime_error("preflight failed"), problems_(std::move(problems)) {}
    const std::vector<std::string>& problems() const { return problems_; }

private:
    std::vector<std::string> problems_;
};

}  // namespace pghandoff::migration
