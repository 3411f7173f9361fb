#pragma once
/// POSIX process plumbing for the local backend: spawn a command in its own session with its
/// stdout/stderr on pipes, and a move-only owner for file descriptors.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace asha {

/// Owns one file descriptor; closes it on destruction.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.release();
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset();

  private:
    int fd_ = -1;
};

struct SpawnSpec {
    std::vector<std::string> argv;  ///< argv[0] is looked up in PATH unless it has a '/'
    std::vector<std::string> env;   ///< complete environment, "KEY=value"
    std::string cwd;                ///< "" = inherit
    /// "": stdout and stderr on pipes (Child's fds); else both appended to this file.
    std::string output_file;
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

/// The contents of /proc/PID/`name`, or nullopt once the process is gone.
std::optional<std::string> read_proc_file(pid_t pid, const char* name);

/// The start time of process `pid` (field 22 of /proc/PID/stat, clock ticks since boot), or 0
/// when it is gone or a zombie. With the pid it names one process for good: pids are reused,
/// (pid, start time) pairs are not.
unsigned long long process_start_ticks(pid_t pid);

/// Runs `argv` (found in PATH) to its end with `env` (empty: the tuner's), stdin from /dev/null;
/// returns its exit status (-N when killed by signal N, 127 when it cannot start) and, if asked,
/// its stdout. For short control commands (scancel, squeue): it waits.
int run_command(const std::vector<std::string>& argv, std::string* output = nullptr,
                const std::vector<std::string>& env = {});

/// SIGKILLs process group `pgid` and reaps those of its members that are our children. With
/// become_subreaper() that is every member whose parent has died, so when it returns nothing of
/// the group is left running (setsid'd escapees are not in the group).
void kill_and_reap_group(pid_t pgid);

/// Orphaned descendants of our children are re-parented to us rather than to init, so that
/// kill_and_reap_group() can wait for them (PR_SET_CHILD_SUBREAPER).
void become_subreaper();

/// SIGKILLs every child of this process, and every descendant that the deaths re-parent to it
/// (a subreaper's), and reaps them all: when it returns, this process has no children.
void kill_and_reap_descendants();

/// Kills what is left of a run's trials and waits until it is gone: every process whose
/// environment holds `marker` (e.g. "ASHA_RUN_DIR=/abs/run", which each trial inherits, so
/// double-forked and setsid'd descendants are found too) and every process in one of `pgids`
/// (groups recorded in the journal) that holds it. Returns how many processes it killed. A
/// process that survives SIGKILL for 10 s (stuck in the kernel) is named in a warning.
/// Processes in the sessions `spared` (supervisors a resume takes over) are left alone.
std::size_t kill_marked_processes(const std::string& marker, const std::vector<pid_t>& pgids = {},
                                  const std::vector<pid_t>& spared = {});

/// "ASHA_RUN_DIR=<canonical run dir>": in the environment of every trial process of the run and
/// of everything they start, which is how leftovers are found (kill_marked_processes).
std::string trial_marker(const std::string& run_dir);

/// The current environment as "KEY=value" strings.
std::vector<std::string> current_environment();

/// Finds `program` the way execvp would: "" if it is not an executable file.
std::string find_executable(const std::string& program, const std::string& cwd = "");

}  // namespace asha
