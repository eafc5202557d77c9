#include "cli/demo_command.hpp"

#include "util/error.hpp"

namespace pghandoff::cli {

void add_demo_options(CLI::App& cmd, demo_args& args) {
    cmd.add_option("--rows", args.rows, "rows in the largest sample table");
    cmd.add_flag("--keep", args.keep, "leave the two servers running at the end");
    cmd.add_option("--port-base", args.port_base, "ports of the source and target servers (base, base+1)");
    cmd.add_option("--work-dir", args.work_dir, "where the throwaway clusters live (default: a new temporary directory)");
}

int run_demo(const demo_args&) { throw error("demo is being written"); }

}  // namespace pghandoff::cli
