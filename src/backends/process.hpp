#pragma once
/// POSIX process plumbing for the local backend: spawn a command in its own session with its
/// stdout/stderr on pipes, and a move-only owner for file descriptors.

#include <sys/types.h>

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
};

/// A started child: its pid (= its process group and session id), its output pipes, and a
/// pidfd that becomes readable when it exits.
struct Child {
    pid_t pid = -1;
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

/// SIGKILLs process group `pgid` and reaps those of its members that are our children. With
/// become_subreaper() that is every member whose parent has died, so when it returns nothing of
/// the group is left running (setsid'd escapees are not in the group).
void kill_and_reap_group(pid_t pgid);

/// Orphaned descendants of our children are re-parented to us rather than to init, so that
/// kill_and_reap_group() can wait for them (PR_SET_CHILD_SUBREAPER).
void become_subreaper();

/// Kills what is left of a run's trials and waits until it is gone: every process whose
/// environment holds `marker` (e.g. "ASHA_RUN_DIR=/abs/run", which each trial inherits, so
/// double-forked and setsid'd descendants are found too) and every process in one of `pgids`
/// (groups recorded in the journal) that holds it. Returns how many processes it killed. A
/// process that survives SIGKILL for 10 s (stuck in the kernel) is named in a warning.
std::size_t kill_marked_processes(const std::string& marker, const std::vector<pid_t>& pgids = {});

/// The current environment as "KEY=value" strings.
std::vector<std::string> current_environment();

/// Finds `program` the way execvp would: "" if it is not an executable file.
std::string find_executable(const std::string& program, const std::string& cwd = "");

}  // namespace asha
