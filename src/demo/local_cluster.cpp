#include "demo/local_cluster.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>

#include "util/error.hpp"
#include "util/process.hpp"

namespace pghandoff::demo {

namespace fs = std::filesystem;

local_cluster::local_cluster(fs::path dir, int port, std::vector<std::string> settings)
    : dir_(std::move(dir)), bindir_(find_bindir()), port_(port), settings_(std::move(settings)) {}

local_cluster::~local_cluster() {
    if (!keep_) stop();
}

fs::path local_cluster::find_bindir() {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec))
        if (fs::exists(entry.path() / "bin" / "initdb")) found.push_back(entry.path() / "bin");
    if (found.empty()) {
        auto r = run_process({"pg_config", "--bindir"});
        std::string dir = r.out.substr(0, r.out.find('\n'));
        if (r.exit_code == 0 && fs::exists(fs::path(dir) / "initdb")) return dir;
        throw error("no PostgreSQL server binaries (initdb, pg_ctl) found", "install postgresql (tools/install-deps does)");
    }
    std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
        return std::stoi(a.parent_path().filename().string()) < std::stoi(b.parent_path().filename().string());
    });
    return found.back();
}

std::vector<std::string> local_cluster::as_server_user(std::vector<std::string> argv) const {
    if (geteuid() != 0) return argv;
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return argv;
}

void local_cluster::start() {
    fs::create_directories(dir_);
    if (geteuid() == 0) {
        passwd* pw = getpwnam("postgres");
        if (!pw) throw error("running as root, but there is no postgres OS user to run the demo servers");
        if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw error("cannot give " + dir_.string() + " to postgres");
    }
    const fs::path data = dir_ / "data";
    auto init = run_process(as_server_user({(bindir_ / "initdb").string(), "-D", data.string(), "-U", "postgres",
                                            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"}));
    if (init.exit_code != 0) throw error("initdb failed in " + data.string() + ": " + init.err);
    std::string opts = "-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port_) +
                       " -c unix_socket_directories=" + dir_.string();
    for (const auto& s : settings_) opts += " -c " + s;
    auto started = run_process(as_server_user({(bindir_ / "pg_ctl").string(), "-D", data.string(), "-o", opts, "-l",
                                               (dir_ / "server.log").string(), "-w", "start"}));
    if (started.exit_code != 0)
        throw error("cannot start the demo server on port " + std::to_string(port_) + ": " + started.out + started.err,
                    "choose other ports with --port-base");
    running_ = true;
}

void local_cluster::stop() noexcept {
    if (!running_) return;
    try {
        run_process(as_server_user({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "fast", "stop"}));
    } catch (...) {
    }
    running_ = false;
}

std::string local_cluster::conninfo(const std::string& dbname) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + dbname;
}

}  // namespace pghandoff::demo
