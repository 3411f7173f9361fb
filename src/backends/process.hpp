#pragma once
/// The tuner's side of process plumbing: spawn a command in its own session with its
/// stdout/stderr on pipes (over sys/spawn.hpp), run short control commands, and find and kill
/// what a run's trials left behind. /proc, reaping and descriptors are sys/'s.

#include "sys/fd.hpp"
#include "sys/proc.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace asha {

struct SpawnSpec {
    std::vector<std::string> argv;  ///< argv[0] is looked up in PATH unless it has a '/'
    std::vector<std::string> env;   ///< complete environment, "KEY=value"
    std::string cwd;                ///< "" = inherit
    /// Descriptors (the caller's, left open) that become the child's stdout and stderr; -1:
    /// both on pipes (Child's stdout_fd, stderr_fd).
    int stdout_fd = -1, stderr_fd = -1;
    /// stdin from a pipe (Child's stdin_fd) rather than /dev/null.
    bool stdin_pipe = false;
    /// Signals the child starts with blocked (a supervisor blocks those it reads as events, so
    /// that none can end it before it is ready); the others start unblocked, with default
    /// dispositions.
    std::vector<int> blocked_signals;
};

/// A started child: its pid (= its process group and session id), its output pipes (unless
/// its output goes to a file), and a pidfd that becomes readable when it exits.
struct Child {
    pid_t pid = -1;
    Fd stdin_fd;  ///< the write end, with SpawnSpec::stdin_pipe
    Fd stdout_fd;
    Fd stderr_fd;
    Fd pidfd;
};

/// Starts the command with stdin from /dev/null, in a new session (so it leads its own process
/// group), with default signal dispositions. Throws std::system_error when it cannot start
/// (e.g. ENOENT for a command that does not exist).
Child spawn_child(const SpawnSpec& spec);

/// Runs `argv` (found in PATH) to its end with `env` (empty: the tuner's), stdin from /dev/null;
/// returns its exit status (-N when killed by signal N, 127 when it cannot start) and, if asked,
/// its stdout. For short control commands (scancel, squeue): it waits.
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr,
                const std::vector<std::string>& env = {});

/// Kills what is left of a run's trials and waits until it is gone: every process whose
/// environment holds `marker` (e.g. "ASHA_RUN_DIR=/abs/run", which each trial inherits, so
/// double-forked and setsid'd descendants are found too) and every process in one of `pgids`
/// (groups recorded in the journal) that holds it. Returns how many processes it killed. A
/// process that survives SIGKILL for 10 s (stuck in the kernel) is named in a warning.
/// Processes in the sessions `spared` (supervisors a resume takes over) are left alone.
std::size_t kill_marked_processes(const std::string& marker, const std::vector<pid_t>& pgids = {},
                                  const std::vector<pid_t>& spared = {});

/// A resume's sweep of what the dead tuner of the run in `run_dir` left on this machine
/// (kill_marked_processes with the run's marker): `said`, a line for the log, with "killed N
/// leftover process(es) of the previous tuner" appended when it killed any.
std::string sweep_leftovers(const std::string& run_dir, std::string said,
                            const std::vector<pid_t>& pgids = {},
                            const std::vector<pid_t>& spared = {});

/// "ASHA_RUN_DIR=<canonical run dir>": in the environment of every trial process of the run and
/// of everything they start, which is how leftovers are found (kill_marked_processes).
std::string trial_marker(const std::string& run_dir);

/// The current environment as "KEY=value" strings.
std::vector<std::string> current_environment();

/// Finds `program` the way execvp would: "" if it is not an executable file.
std::string find_executable(const std::string& program, const std::string& cwd = "");

}  // namespace asha
