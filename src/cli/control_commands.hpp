#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pghandoff::cli {

struct cutover_args {
    std::string state_dir = "pghandoff-state";
};
struct status_args {
    std::string state_dir = "pghandoff-state";
    bool json = false;
};
struct cleanup_args {
    std::string source, target, state_dir;
};

struct verify_args {
    std::string source, target;
    int jobs = 2;
    bool json = false;
    std::size_t max_rows = 20;
    std::vector<std::string> include_schemas, exclude_schemas, exclude_tables, exclude_table_data;
    std::string state_dir;
    std::string chunk_size = "auto";
};
void add_verify_options(CLI::App& cmd, verify_args& a);
/// `pghandoff verify`: 0 when equal, 1 when any difference is found, 2 on error.
int run_verify_command(const verify_args& a);

void add_cutover_options(CLI::App& cmd, cutover_args& a);
void add_status_options(CLI::App& cmd, status_args& a);
void add_cleanup_options(CLI::App& cmd, cleanup_args& a);

/// `pghandoff cutover`: exit 0 once the cutover is done, 1 when it failed or could not start.
int run_cutover(const cutover_args& a);
/// `pghandoff status`: exit 0 when the status could be read, 1 when there is none.
int run_status(const status_args& a);
/// `pghandoff cleanup`: exit 0 when everything was removed, 1 otherwise.
int run_cleanup(const cleanup_args& a);

}  // namespace pghandoff::cli
