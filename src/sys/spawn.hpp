#pragma once
/// Starting a child with posix_spawn, the one way every layer starts a process (the tuner's
/// supervisors, srun, control commands; a supervisor's trial). Every attribute call is checked,
/// the attributes are released whatever happens, and the child never inherits a descriptor
/// beyond its three standard ones.

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace asha {

/// The signals a child starts with default dispositions: those a parent may ignore or catch
/// (the tuner's and the supervisor's handlers, SIGPIPE ignored) and a trial expects at their
/// defaults.
inline constexpr int kResetSignals[] = {SIGINT,  SIGTERM, SIGHUP, SIGPIPE,
                                        SIGQUIT, SIGCHLD, SIGUSR1};

struct SpawnRequest {
    std::vector<std::string> argv;  ///< argv[0] is looked up in PATH unless it has a '/'
    /// The complete environment ("KEY=value"); empty: the parent's own.
    std::vector<std::string> env;
    std::string cwd;  ///< "" = the parent's
    /// The child's standard descriptors; -1: /dev/null (stdin) or the parent's (stdout, stderr).
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
    enum class Group {
        session,  ///< a session of its own (it leads its group; no terminal's signals reach it)
        group,    ///< a process group of its own in the parent's session
    } group = Group::session;
    /// Signals the child starts with blocked; the others start unblocked.
    std::vector<int> blocked_signals;
};

/// Starts the child; returns its pid (= its process group id). Throws std::system_error with
/// the reason (ENOENT for a command that does not exist).
pid_t spawn_process(const SpawnRequest& request);

}  // namespace asha
