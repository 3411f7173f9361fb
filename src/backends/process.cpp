#include "backends/process.hpp"

#include "sys/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
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
#include <system_error>
#include <tuple>

extern char** environ;

namespace asha {

namespace fs = std::filesystem;

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
        set_nonblocking(fd->get(), false);
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

namespace {

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
        Fd fd = open_pidfd(pid);
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

std::string sweep_leftovers(const std::string& run_dir, std::string said,
                            const std::vector<pid_t>& pgids, const std::vector<pid_t>& spared) {
    if (std::size_t n = kill_marked_processes(trial_marker(run_dir), pgids, spared))
        said += (said.empty() ? "" : "; ") + std::string("killed ") + std::to_string(n) +
                " leftover process(es) of the previous tuner";
    return said;
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
    const bool pipes = spec.stdout_fd < 0 || spec.stderr_fd < 0;
    Fd out_read, out_write, err_read, err_write, in_read, in_write;
    if (pipes) {
        std::tie(out_read, out_write) = make_pipe();
        std::tie(err_read, err_write) = make_pipe();
    }
    if (spec.stdin_pipe) std::tie(in_read, in_write) = make_pipe();
    // A new session: the child leads its own process group, so kill(-pid) reaches everything it
    // starts, and a Ctrl-C in the tuner's terminal goes to the tuner alone, which stops trials.
    SpawnRequest request;
    request.argv = spec.argv;
    request.env = spec.env;
    request.cwd = spec.cwd;
    request.stdin_fd = in_read.get();  // -1: /dev/null
    request.stdout_fd = pipes ? out_write.get() : spec.stdout_fd;
    request.stderr_fd = pipes ? err_write.get() : spec.stderr_fd;
    request.group = SpawnRequest::Group::session;
    request.blocked_signals = spec.blocked_signals;
    Child child;
    child.pid = spawn_process(request);
    child.stdin_fd = std::move(in_write);
    child.stdout_fd = std::move(out_read);
    child.stderr_fd = std::move(err_read);
    child.pidfd = open_pidfd(child.pid);
    if (!child.pidfd.valid()) throw std::system_error(errno, std::generic_category(), "pidfd_open");
    if (pipes)
        for (Fd* fd : {&child.stdout_fd, &child.stderr_fd}) set_nonblocking(fd->get(), true);
    return child;
}

}  // namespace asha
