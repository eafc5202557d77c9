#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace pghandoff::demo {

/// A throwaway PostgreSQL cluster on loopback, in a directory of its own. As root, the server
/// runs as the `postgres` OS user (PostgreSQL refuses to run as root).
class local_cluster {
public:
    local_cluster(std::filesystem::path dir, int port, std::vector<std::string> settings);
    ~local_cluster();
    local_cluster(const local_cluster&) = delete;
    local_cluster& operator=(const local_cluster&) = delete;

    /// initdb (trust authentication, loopback only) and start; throws pghandoff::error.
    void start();
    void stop() noexcept;
    /// Leave the server running when this object goes away.
    void keep() { keep_ = true; }

    /// key=value conninfo for a database of this cluster.
    std::string conninfo(const std::string& dbname) const;
    int port() const { return port_; }

    /// The directory of the newest installed PostgreSQL server binaries.
    static std::filesystem::path find_bindir();

private:
    std::vector<std::string> as_server_user(std::vector<std::string> argv) const;

    std::filesystem::path dir_;
    std::filesystem::path bindir_;
    int port_;
    std::vector<std::string> settings_;
    bool running_ = false;
    bool keep_ = false;
};

}  // namespace pghandoff::demo
