#pragma once

#include "support/pg_session.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace pghandoff::integration {

/// The servers the integration tests run against, as tools/test exports them.
struct test_servers {
    std::string source;                       ///< PGHANDOFF_TEST_SOURCE: PG15 with wal_level=logical
    std::string target;                       ///< PGHANDOFF_TEST_TARGET: PG15
    std::optional<std::string> target_other;  ///< PGHANDOFF_TEST_TARGET_OTHER: another major version
};

/// The servers from the environment, std::nullopt when source or target is not set.
std::optional<test_servers> test_servers_from_environment();

/// A fresh, uniquely named database on the source server and another on the target server,
/// both dropped again (with the source's replication slots on it) when this goes away.
class test_databases {
public:
    /// Creates both databases; label (lowercase letters, digits, _) goes into their names.
    test_databases(std::string source_server, std::string target_server, std::string_view label);
    ~test_databases();
    test_databases(const test_databases&) = delete;
    test_databases& operator=(const test_databases&) = delete;

    const std::string& source_name() const { return source_name_; }
    const std::string& target_name() const { return target_name_; }
    /// key=value conninfo of each database.
    std::string source_conninfo() const;
    std::string target_conninfo() const;
    /// postgresql:// URI of each database, as a user passes it on the command line.
    std::string source_uri() const;
    std::string target_uri() const;
    /// A new session on each database.
    pg_session connect_source() const;
    pg_session connect_target() const;

private:
    std::string source_server_;
    std::string target_server_;
    std::string source_name_;
    std::string target_name_;
};

/// A database name no other test uses: pgh_<label>_<pid>_<counter>_<suffix>.
std::string unique_database_name(std::string_view label, std::string_view suffix);

/// Creates dbname (TEMPLATE template0) on the server of conninfo.
void create_database(const std::string& server_conninfo, const std::string& dbname);

/// Ends other sessions on dbname, drops its replication slots and subscriptions, then the database.
void drop_database(const std::string& server_conninfo, const std::string& dbname);

}  // namespace pghandoff::integration
