#include "backends/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

extern char** environ;

namespace asha {

namespace fs = std::filesystem;

void Fd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

namespace {

struct SpawnAttributes {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnAttributes() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnAttributes() {
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
    }
};

void check(int rc, const char* what) {
    if (rc != 0) throw std::system_error(rc, std::generic_category(), what);
}

std::pair<Fd, Fd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    return {Fd(fds[0]), Fd(fds[1])};
}

}  // namespace

int run_command(const std::vector<std::string>& argv, std::string* output,
                const std::vector<std::string>& env) {
    SpawnSpec spec;
    spec.argv = argv;
    spec.env = env.empty() ? current_environment() : env;
    Child child;
    try {
        child = spawn_child(spec);
    } catch (const std::system_error&) {
        return 127;
    }
    // Small outputs: drain stdout, then stderr (which is dropped).
    for (Fd* fd : {&child.stdout_fd, &child.stderr_fd}) {
        ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) & ~O_NONBLOCK);
        char buf[4096];
        for (ssize_t n; (n = ::read(fd->get(), buf, sizeof buf)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            if (output && fd == &child.stdout_fd) output->append(buf, static_cast<std::size_t>(n));
        }
    }
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

void kill_and_reap_group(pid_t pgid) {
    if (::kill(-pgid, SIGKILL) != 0) return;  // nothing left in the group
    siginfo_t info;
    // Blocks only while SIGKILLed members die; ends with ECHILD when none of them is ours.
    while (::waitid(P_PGID, static_cast<id_t>(pgid), &info, WEXITED) == 0 || errno == EINTR) {
    }
}

void become_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

// Read with read(2): a process that exits while it is read makes read() fail with ESRCH, which
// std::ifstream turns into an exception (libstdc++'s filebuf::underflow) — fatal in a
// destructor, where the end of a run calls this.
std::optional<std::string> read_proc_file(pid_t pid, const char* name) {
    const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return std::nullopt;
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return std::nullopt;
        if (n == 0) return text;
        text.append(buf, static_cast<std::size_t>(n));
    }
}

void kill_and_reap_descendants() {
    const std::string children = "task/" + std::to_string(::getpid()) + "/children";
    for (;;) {
        // Our children (zombies included) as "pid pid ...": kill them all, then reap one; the
        // deaths re-parent their own children to us, and the next turn finds those.
        if (auto list = read_proc_file(::getpid(), children.c_str())) {
            std::istringstream pids(*list);
            for (long pid; pids >> pid;) ::kill(static_cast<pid_t>(pid), SIGKILL);
        }
        int status = 0;
        if (::waitpid(-1, &status, 0) < 0 && errno != EINTR) return;  // ECHILD: none left
    }
}

namespace {

/// Fields of /proc/PID/stat that we use.
struct ProcStat {
    pid_t pgrp = -1;
    pid_t session = -1;
    unsigned long long start_ticks = 0;
};

/// /proc/PID/stat, or nullopt (gone, or a zombie: already dead).
std::optional<ProcStat> proc_stat(pid_t pid) {
    const auto text = read_proc_file(pid, "stat");
    if (!text) return std::nullopt;
    // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice threads itrealvalue starttime ...": comm may hold spaces
    // and parentheses, so the fields are counted from the last ')'.
    std::size_t close = text->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text->substr(close + 1));
    std::string state;
    long ppid = 0, pgrp = -1, session = -1;
    fields >> state >> ppid >> pgrp >> session;
    std::string skip;
    for (int i = 0; i < 15; ++i) fields >> skip;  // tty_nr ... itrealvalue
    ProcStat st;
    fields >> st.start_ticks;
    if (state == "Z" || !fields) return std::nullopt;
    st.pgrp = static_cast<pid_t>(pgrp);
    st.session = static_cast<pid_t>(session);
    return st;
}

bool environment_has(pid_t pid, const std::string& marker) {
    const auto env = read_proc_file(pid, "environ");
    if (!env) return false;
    for (std::size_t start = 0; start < env->size();) {
        std::size_t end = env->find('\0', start);
        if (end == std::string::npos) end = env->size();
        if (env->compare(start, end - start, marker) == 0) return true;
        start = end + 1;
    }
    return false;
}

}  // namespace

unsigned long long process_start_ticks(pid_t pid) {
    const auto st = proc_stat(pid);
    return st ? st->start_ticks : 0;
}

std::size_t kill_marked_processes(const std::string& marker, const std::vector<pid_t>& pgids,
                                  const std::vector<pid_t>& spared) {
    const pid_t self = ::getpid();
    std::vector<std::pair<pid_t, pid_t>> processes;  // (pid, pgid)
    std::set<pid_t> marked_groups;
    std::vector<pid_t> victims;
    std::error_code ec;
    for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stol(name));
        if (pid == self) continue;
        const auto st = proc_stat(pid);
        if (!st) continue;
        if (std::find(spared.begin(), spared.end(), st->session) != spared.end()) continue;
        const pid_t pgid = st->pgrp;
        processes.emplace_back(pid, pgid);
        if (environment_has(pid, marker)) {
            victims.push_back(pid);
            marked_groups.insert(pgid);
        }
    }
    // A recorded group is ours only if one of its members carries the marker: a pid number
    // can have been reused by an unrelated process since the journal named it.
    for (const auto& [pid, pgid] : processes)
        if (std::find(pgids.begin(), pgids.end(), pgid) != pgids.end() &&
            marked_groups.count(pgid) &&
            std::find(victims.begin(), victims.end(), pid) == victims.end())
            victims.push_back(pid);
    std::vector<std::pair<pid_t, Fd>> pidfds;
    for (pid_t pid : victims) {
        Fd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
        if (::kill(pid, SIGKILL) == 0 && fd.valid()) pidfds.emplace_back(pid, std::move(fd));
    }
    // Not our children: wait on their pidfds, which become readable when they die.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (auto& [pid, fd] : pidfds) {
        pollfd p{fd.get(), POLLIN, 0};
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                give_up - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                spdlog::warn("leftover trial process {} survived SIGKILL for 10 s", pid);
                break;
            }
            int n = ::poll(&p, 1, static_cast<int>(left.count()));
            if (n > 0 || (n < 0 && errno != EINTR)) break;
        }
    }
    return victims.size();
}

std::string trial_marker(const std::string& run_dir) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(run_dir), ec);
    return "ASHA_RUN_DIR=" + (ec ? fs::absolute(run_dir) : canonical).string();
}

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    return env;
}

std::string find_executable(const std::string& program, const std::string& cwd) {
    auto executable = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
               ::access(path.c_str(), X_OK) == 0;
    };
    if (program.empty()) return "";
    if (program.find('/') != std::string::npos) {
        std::string path = program[0] == '/' || cwd.empty() ? program : cwd + "/" + program;
        return executable(path) ? path : "";
    }
    const char* path_env = std::getenv("PATH");
    std::string path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (executable(candidate)) return candidate;
        start = end + 1;
    }
    return "";
}

Child spawn_child(const SpawnSpec& spec) {
    const bool pipes = spec.output_file.empty();
    Fd out_read, out_write, err_read, err_write;
    if (pipes) {
        std::tie(out_read, out_write) = make_pipe();
        std::tie(err_read, err_write) = make_pipe();
    } else {
        out_write =
            Fd(::open(spec.output_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
        if (!out_write.valid())
            throw std::system_error(errno, std::generic_category(), "open " + spec.output_file);
    }
    SpawnAttributes sa;
    // A new session: the child leads its own process group, so kill(-pid) reaches everything it
    // starts, and a Ctrl-C in the tuner's terminal goes to the tuner alone, which stops trials.
    short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    check(posix_spawnattr_setflags(&sa.attr, flags), "posix_spawnattr_setflags");
    sigset_t blocked, defaults;
    sigemptyset(&blocked);
    for (int sig : spec.blocked_signals) sigaddset(&blocked, sig);
    check(posix_spawnattr_setsigmask(&sa.attr, &blocked), "posix_spawnattr_setsigmask");
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
    check(posix_spawnattr_setsigdefault(&sa.attr, &defaults), "posix_spawnattr_setsigdefault");
    Fd in_read, in_write;
    if (spec.stdin_pipe) {
        std::tie(in_read, in_write) = make_pipe();
        check(posix_spawn_file_actions_adddup2(&sa.actions, in_read.get(), 0), "adddup2");
    } else {
        check(posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0),
              "addopen");
    }
    check(posix_spawn_file_actions_adddup2(&sa.actions, out_write.get(), 1), "adddup2");
    check(posix_spawn_file_actions_adddup2(&sa.actions, (pipes ? err_write : out_write).get(), 2),
          "adddup2");
    // Nothing else of the tuner's leaks into a trial (another trial's pipe would keep that
    // trial's stdout open; the run's lock would outlive the tuner).
    check(posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3), "addclosefrom");
    if (!spec.cwd.empty())
        check(posix_spawn_file_actions_addchdir_np(&sa.actions, spec.cwd.c_str()), "addchdir");

    std::vector<char*> argv, envp;
    for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    Child child;
    int rc = posix_spawnp(&child.pid, argv[0], &sa.actions, &sa.attr, argv.data(), envp.data());
    if (rc != 0)
        throw std::system_error(rc, std::generic_category(), "cannot start " + spec.argv[0]);
    child.stdin_fd = std::move(in_write);
    child.stdout_fd = std::move(out_read);
    child.stderr_fd = std::move(err_read);
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
    if (pidfd < 0) throw std::system_error(errno, std::generic_category(), "pidfd_open");
    child.pidfd = Fd(pidfd);
    if (pipes)
        for (Fd* fd : {&child.stdout_fd, &child.stderr_fd})
            ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
    return child;
}

}  // namespace asha
