#pragma once
/// The one fatal error type of asha-tune. Expected failures (a bad report line, a failed trial)
/// are values handled where they happen; anything that must end the run throws `Error`, which
/// carries the process exit code. The lowest layer (src/sys) reports system calls' failures as
/// std::system_error or as values, and the layers above turn those they expect into an `Error`
/// with the file or command they concern; whatever escapes all of them is caught once, in the
/// command line's entry point (src/cli/cli.cpp, `exit_code_for`), and exits 1.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace asha {

/// Process exit codes, documented in the README.
enum class ExitCode : int {
    ok = 0,
    runtime = 1,       ///< an unexpected failure while running
    bad_config = 2,    ///< the config file or a flag is invalid
    cannot_start = 3,  ///< the run could not start (command not found, run dir not writable)
    too_many_failures = 4,
    interrupted_int = 130,
    interrupted_term = 143,
};

class Error : public std::runtime_error {
  public:
    Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ExitCode code() const { return code_; }

  private:
    ExitCode code_;
};

/// A problem with the experiment config; the message names file, JSON path, expected, found.
class ConfigError : public Error {
  public:
    explicit ConfigError(const std::string& message) : Error(ExitCode::bad_config, message) {}
};

/// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace asha
