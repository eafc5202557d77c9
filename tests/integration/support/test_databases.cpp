#include "support/test_databases.hpp"

#include "support/conninfo.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace pghandoff::integration {
namespace {

std::optional<std::string> environment_variable(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

void drop_subscriptions(pg_session& server, const std::string& server_conninfo, const std::string& dbname) {
    const auto subscriptions = server.exec(
        "SELECT s.subname FROM pg_subscription AS s JOIN pg_database AS d ON d.oid = s.subdbid "
        "WHERE d.datname = $1",
        {dbname});
    if (subscriptions.empty()) return;
    pg_session database{server_conninfo, dbname};
    for (const auto& subscription : subscriptions) {
        const std::string name = database.quote_identifier(*subscription[0]);
        database.exec("ALTER SUBSCRIPTION " + name + " DISABLE");
        database.exec("ALTER SUBSCRIPTION " + name + " SET (slot_name = NONE)");
        database.exec("DROP SUBSCRIPTION " + name);
    }
}

void drop_replication_slots(pg_session& server, const std::string& dbname) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        server.exec(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
            "WHERE database = $1 AND active_pid IS NOT NULL",
            {dbname});
        try {
            server.exec(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                "WHERE database = $1 AND NOT active",
                {dbname});
        } catch (const std::runtime_error&) {
            // A slot became active again between the check and the drop: try once more.
        }
        const auto left =
            server.scalar("SELECT count(*) FROM pg_replication_slots WHERE database = $1", {dbname});
        if (left == "0") return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("replication slots of database " + dbname + " stay active");
}

}  // namespace

std::optional<test_servers> test_servers_from_environment() {
    auto source = environment_variable("PGHANDOFF_TEST_SOURCE");
    auto target = environment_variable("PGHANDOFF_TEST_TARGET");
    if (!source || !target) return std::nullopt;
    return test_servers{*source, *target, environment_variable("PGHANDOFF_TEST_TARGET_OTHER")};
}

std::string unique_database_name(std::string_view label, std::string_view suffix) {
    static std::atomic<unsigned> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto stamp = static_cast<unsigned long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 100000000);
    const std::string tail = "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                             std::to_string(stamp) + "_" + std::string(suffix);
    const std::size_t room = 63 - 4 - tail.size();
    return "pgh_" + std::string(label.substr(0, room)) + tail;
}

void create_database(const std::string& server_conninfo, const std::string& dbname) {
    pg_session server{server_conninfo};
    server.exec("CREATE DATABASE " + server.quote_identifier(dbname) + " TEMPLATE template0");
}

void drop_database(const std::string& server_conninfo, const std::string& dbname) {
    pg_session server{server_conninfo};
    drop_subscriptions(server, server_conninfo, dbname);
    drop_replication_slots(server, dbname);
    server.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        {dbname});
    server.exec("DROP DATABASE IF EXISTS " + server.quote_identifier(dbname) + " WITH (FORCE)");
}

test_databases::test_databases(std::string source_server, std::string target_server, std::string_view label)
    : source_server_(std::move(source_server)),
      target_server_(std::move(target_server)),
      source_name_(unique_database_name(label, "src")),
      target_name_(unique_database_name(label, "tgt")) {
    create_database(source_server_, source_name_);
    try {
        create_database(target_server_, target_name_);
    } catch (...) {
        drop_database(source_server_, source_name_);
        throw;
    }
}

namespace {

void drop_database_or_warn(const std::string& server_conninfo, const std::string& dbname) noexcept {
    try {
        drop_database(server_conninfo, dbname);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "warning: could not drop test database %s: %s\n", dbname.c_str(), error.what());
    }
}

}  // namespace

test_databases::~test_databases() {
    drop_database_or_warn(source_server_, source_name_);
    drop_database_or_warn(target_server_, target_name_);
    // Replication origins belong to the cluster, not the database: drop what a migration of
    // this test left (a killed run, a migration never cut over). Tests run one at a time.
    try {
        pg_session server{target_server_};
        server.exec("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname ~ '^pghandoff_[0-9a-f]{8}(_[0-9]+)?$'");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "warning: could not drop the replication origins pghandoff left: %s\n", error.what());
    }
}

std::string test_databases::source_conninfo() const {
    return conninfo_for(source_server_, source_name_);
}
std::string test_databases::target_conninfo() const {
    return conninfo_for(target_server_, target_name_);
}
std::string test_databases::source_uri() const {
    return uri_for(source_server_, source_name_);
}
std::string test_databases::target_uri() const {
    return uri_for(target_server_, target_name_);
}
pg_session test_databases::connect_source() const {
    return pg_session{source_server_, source_name_};
}
pg_session test_databases::connect_target() const {
    return pg_session{target_server_, target_name_};
}

}  // namespace pghandoff::integration
