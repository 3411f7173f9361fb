#include "sys/spawn.hpp"

#include <fcntl.h>
#include <spawn.h>

#include <system_error>

extern char** environ;

namespace asha {

namespace {

void check(int rc, const char* what) {
    if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

/// posix_spawn's attributes and file actions, released however the spawn ends.
struct SpawnAttributes {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnAttributes() {
        check(posix_spawnattr_init(&attr), "posix_spawnattr_init");
        if (const int rc = posix_spawn_file_actions_init(&actions)) {
            posix_spawnattr_destroy(&attr);
            check(rc, "posix_spawn_file_actions_init");
        }
    }
    ~SpawnAttributes() {
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
    }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

}  // namespace

pid_t spawn_process(const SpawnRequest& r) {
    if (r.argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "no command");
    SpawnAttributes sa;
    const bool session = r.group == SpawnRequest::Group::session;
    check(posix_spawnattr_setflags(
              &sa.attr, static_cast<short>((session ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP) |
                                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)),
          "posix_spawnattr_setflags");
    if (!session) check(posix_spawnattr_setpgroup(&sa.attr, 0), "posix_spawnattr_setpgroup");
    sigset_t blocked, defaults;
    sigemptyset(&blocked);
    for (int sig : r.blocked_signals) sigaddset(&blocked, sig);
    check(posix_spawnattr_setsigmask(&sa.attr, &blocked), "posix_spawnattr_setsigmask");
    sigemptyset(&defaults);
    for (int sig : kResetSignals) sigaddset(&defaults, sig);
    check(posix_spawnattr_setsigdefault(&sa.attr, &defaults), "posix_spawnattr_setsigdefault");

    if (r.stdin_fd >= 0)
        check(posix_spawn_file_actions_adddup2(&sa.actions, r.stdin_fd, 0), "adddup2 stdin");
    else
        check(posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0),
              "addopen /dev/null");
    if (r.stdout_fd >= 0)
        check(posix_spawn_file_actions_adddup2(&sa.actions, r.stdout_fd, 1), "adddup2 stdout");
    if (r.stderr_fd >= 0)
        check(posix_spawn_file_actions_adddup2(&sa.actions, r.stderr_fd, 2), "adddup2 stderr");
    // Nothing else leaks into the child (another leg's pipe would keep that leg's output open;
    // the run's lock would outlive the tuner).
    check(posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3), "addclosefrom");
    if (!r.cwd.empty())
        check(posix_spawn_file_actions_addchdir_np(&sa.actions, r.cwd.c_str()), "addchdir");

    std::vector<char*> argv, envp;
    for (const auto& a : r.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : r.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &sa.actions, &sa.attr, argv.data(),
                                r.env.empty() ? environ : envp.data());
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "cannot start " + r.argv[0]);
    return pid;
}

}  // namespace asha
