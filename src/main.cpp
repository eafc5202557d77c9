#include "cli/cli.hpp"

int main(int argc, char** argv) { return pghandoff::cli::run(argc, argv); }
