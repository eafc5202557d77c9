#pragma once

namespace pghandoff::cli {

/// Parses the command line, runs the command, and returns the process exit code. Every error
/// ends as one line per problem on stderr ("pghandoff: error: ...").
int run(int argc, char** argv);

}  // namespace pghandoff::cli
