// pghandoff-probe: what a client sees of a cutover's write downtime.
//
// Writes one row every --interval-ms to the source database until the file --switch-file
// exists (the cutover hook creates it), then to the target. Each write is its own transaction
// on a connection kept open (reconnecting after an error). On SIGTERM/SIGINT, or after
// --duration-s, it prints one JSON line: writes that succeeded on each side, failed attempts,
// and the longest gap between two successful writes (the write downtime the client saw),
// with when it started relative to the switch file's appearance.
//
//   pghandoff-probe --source CONNINFO --target CONNINFO --switch-file PATH
//                   [--table probe] [--interval-ms 10] [--duration-s 0]
#include <libpq-fe.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

using clock_type = std::chrono::steady_clock;
volatile sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

struct side {
    std::string conninfo;
    PGconn* conn = nullptr;
    long long ok = 0;
    long long failed = 0;

    bool write(const std::string& sql) {
        if (!conn || PQstatus(conn) != CONNECTION_OK) {
            if (conn) PQfinish(conn);
            conn = PQconnectdb(conninfo.c_str());
            if (PQstatus(conn) != CONNECTION_OK) {
                if (failed < 3) std::fprintf(stderr, "pghandoff-probe: %s", PQerrorMessage(conn));
                ++failed;
                return false;
            }
        }
        PGresult* res = PQexec(conn, sql.c_str());
        const bool good = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!good && failed < 3) std::fprintf(stderr, "pghandoff-probe: %s", PQerrorMessage(conn));
        PQclear(res);
        if (good) ++ok;
        else ++failed;
        return good;
    }
};

double seconds(clock_type::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
    side source, target;
    std::string switch_file, table = "probe";
    int interval_ms = 10;
    int duration_s = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--source") source.conninfo = value;
        else if (key == "--target") target.conninfo = value;
        else if (key == "--switch-file") switch_file = value;
        else if (key == "--table") table = value;
        else if (key == "--interval-ms") interval_ms = std::atoi(value.c_str());
        else if (key == "--duration-s") duration_s = std::atoi(value.c_str());
        else {
            std::fprintf(stderr, "pghandoff-probe: unknown option %s\n", key.c_str());
            return 2;
        }
    }
    if (source.conninfo.empty() || target.conninfo.empty() || switch_file.empty()) {
        std::fprintf(stderr, "usage: pghandoff-probe --source C --target C --switch-file PATH [--table T] "
                             "[--interval-ms N] [--duration-s N]\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    const std::string sql = "INSERT INTO " + table + " (at) VALUES (clock_timestamp())";
    const auto started = clock_type::now();
    clock_type::time_point last_ok = started, gap_from = started, gap_to = started;
    clock_type::time_point switched{};
    bool on_target = false, any_ok = false;
    auto next = started;
    while (!stop_requested) {
        if (duration_s > 0 && clock_type::now() - started >= std::chrono::seconds(duration_s)) break;
        struct stat st {};
        if (!on_target && ::stat(switch_file.c_str(), &st) == 0) {
            on_target = true;
            switched = clock_type::now();
        }
        const bool ok = (on_target ? target : source).write(sql);
        const auto now = clock_type::now();
        if (ok) {
            if (any_ok && now - last_ok > gap_to - gap_from) {
                gap_from = last_ok;
                gap_to = now;
            }
            any_ok = true;
            last_ok = now;
        }
        next += std::chrono::milliseconds(interval_ms);
        if (next > clock_type::now()) std::this_thread::sleep_until(next);
        else next = clock_type::now();
    }
    // A client that never wrote again saw the downtime last until the end.
    const auto ended = clock_type::now();
    if (ended - last_ok > gap_to - gap_from) {
        gap_from = last_ok;
        gap_to = ended;
    }
    std::printf("{\"source_writes\": %lld, \"target_writes\": %lld, \"failed_attempts\": %lld, "
                "\"longest_gap_seconds\": %.4f, \"gap_started_vs_switch_seconds\": %.4f, \"switched\": %s}\n",
                source.ok, target.ok, source.failed + target.failed, seconds(gap_to - gap_from),
                on_target ? seconds(gap_from - switched) : 0.0, on_target ? "true" : "false");
    if (source.conn) PQfinish(source.conn);
    if (target.conn) PQfinish(target.conn);
    return 0;
}
