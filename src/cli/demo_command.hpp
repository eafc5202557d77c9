#pragma once
#include <string>

#include <CLI/CLI.hpp>

namespace pghandoff::cli {

struct demo_args {
    int rows = 200000;
    bool keep = false;
    bool offline = false;
    int cutover_after = 15;  ///< seconds from the start of the migration to the scheduled cutover
    int port_base = 55800;
    std::string work_dir;
};

void add_demo_options(CLI::App& cmd, demo_args& args);
/// Starts two throwaway clusters, loads sample data, migrates, shows the result, stops them.
int run_demo(const demo_args& args);

}  // namespace pghandoff::cli
