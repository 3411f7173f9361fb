#pragma once
/// The command line: parse flags, build the config, run, map errors to exit codes.

namespace asha {

/// Runs asha-tune with these arguments and returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace asha
