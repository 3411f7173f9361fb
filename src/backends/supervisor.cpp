#include "backends/supervisor.hpp"

#include "asha/run_files.hpp"
#include "backends/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace asha {

namespace fs = std::filesystem;

namespace {
std::string seconds(double x) {
    std::ostringstream out;
    out << x;
    return out.str();
}
}  // namespace

std::vector<std::string> supervisor_command(const std::string& self, const SupervisorSpec& s) {
    std::vector<std::string> argv = {self,
                                     kSuperviseMode,
                                     "--run-dir",
                                     s.run_dir.string(),
                                     "--trial-dir",
                                     s.trial_dir.string(),
                                     "--leg",
                                     std::to_string(s.leg),
                                     "--grace",
                                     seconds(s.grace_period),
                                     "--orphan-timeout",
                                     seconds(s.orphan_timeout)};
    if (!s.cwd.empty()) argv.insert(argv.end(), {"--cwd", s.cwd});
    argv.push_back("--");
    argv.insert(argv.end(), s.argv.begin(), s.argv.end());
    return argv;
}

fs::path leg_run_path(const fs::path& trial_dir, int leg) {
    return trial_dir / ("leg-" + std::to_string(leg) + ".run");
}

std::optional<std::pair<pid_t, unsigned long long>> read_leg_run(const fs::path& trial_dir,
                                                                 int leg) {
    std::ifstream in(leg_run_path(trial_dir, leg));
    if (!in) return std::nullopt;
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object() || !doc.contains("supervisor") || !doc.contains("ticks"))
        return std::nullopt;
    return std::pair{static_cast<pid_t>(doc.value("supervisor", 0)), doc.value("ticks", 0ULL)};
}

fs::path leg_end_path(const fs::path& trial_dir, int leg) {
    return trial_dir / ("leg-" + std::to_string(leg) + ".exit");
}

std::optional<SupervisedExit> read_leg_end(const fs::path& trial_dir, int leg) {
    std::ifstream in(leg_end_path(trial_dir, leg));
    if (!in) return std::nullopt;
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object()) return std::nullopt;  // cannot be half-written: renamed into place
    SupervisedExit end;
    end.exit_code = doc.value("exit_code", 0);
    end.signal = doc.value("signal", 0);
    end.stopped = doc.value("stopped", false);
    end.orphaned = doc.value("orphaned", false);
    return end;
}

namespace {

using Clock = std::chrono::steady_clock;

class Supervisor {
  public:
    explicit Supervisor(SupervisorSpec spec) : spec_(std::move(spec)) {}
    int run();

  private:
    void say(const std::string& what) const {
        const std::string line =
            "asha-tune supervisor (leg " + std::to_string(spec_.leg) + "): " + what + "\n";
        ssize_t ignored = ::write(2, line.data(), line.size());
        (void)ignored;
    }
    bool start_trial();
    void attach_tuner();
    void on_signals();
    void stop(bool kill_now);
    void write_record(const fs::path& path, const nlohmann::json& doc) const;
    void record_end(int exit_code, int signal) const;
    int wait_ms() const;

    SupervisorSpec spec_;
    pid_t trial_ = -1;
    Fd trial_fd_, signal_fd_, inotify_fd_, tuner_fd_;
    int watch_ = -1;  // on the run directory, only while no tuner is attached
    std::optional<Clock::time_point> kill_at_, orphan_at_;
    bool stopped_ = false, killed_ = false, orphaned_ = false;
};

bool Supervisor::start_trial() {
    auto open_log = [&](const char* name) {
        return Fd(::open((spec_.trial_dir / name).c_str(),
                         O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    };
    Fd out = open_log(run_files::trial_stdout), err = open_log(run_files::trial_stderr);
    if (!out.valid() || !err.valid()) {
        say(std::string("cannot open the trial's logs: ") + std::strerror(errno));
        return false;
    }
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
    // Its own process group (so that stopping it reaches everything it starts), no blocked
    // signals, default dispositions.
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, defaults;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD, SIGUSR1})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err.get(), 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (!spec_.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec_.cwd.c_str());
    std::vector<char*> argv;
    for (auto& a : spec_.argv) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawnp(&trial_, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        say("cannot start " + spec_.argv[0] + ": " + std::strerror(rc));
        return false;
    }
    trial_fd_ = Fd(static_cast<int>(::syscall(SYS_pidfd_open, trial_, 0)));
    return trial_fd_.valid();
}

/// The tuner is whoever holds the write lock on tuner.pid (run_lock.hpp); F_GETLK names it and
/// its pidfd says when it dies. While none is attached, inotify on the run directory says when
/// one may have taken the lock (a resume writes its pid into tuner.pid); while one is, nothing
/// in the run directory wakes the supervisor (the tuner writes there all the time).
void Supervisor::attach_tuner() {
    if (watch_ < 0)  // before looking: a lock taken after the look still wakes us
        watch_ = ::inotify_add_watch(inotify_fd_.get(), spec_.run_dir.c_str(),
                                     IN_CREATE | IN_MODIFY | IN_MOVED_TO);
    Fd fd(::open((spec_.run_dir / run_files::tuner_pid).c_str(), O_RDONLY | O_CLOEXEC));
    struct flock fl {};
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    if (!fd.valid() || ::fcntl(fd.get(), F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) return;
    tuner_fd_ = Fd(static_cast<int>(::syscall(SYS_pidfd_open, fl.l_pid, 0)));
    if (!tuner_fd_.valid()) return;
    orphan_at_.reset();
    ::inotify_rm_watch(inotify_fd_.get(), watch_);
    watch_ = -1;
}

void Supervisor::stop(bool kill_now) {
    if (kill_now || spec_.grace_period <= 0) {
        ::kill(-trial_, SIGKILL);
        killed_ = true;
        kill_at_.reset();
    } else if (!stopped_) {
        ::kill(-trial_, SIGTERM);
        kill_at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(spec_.grace_period));
    }
    stopped_ = true;
}

void Supervisor::on_signals() {
    signalfd_siginfo info{};
    while (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
        stop(info.ssi_signo == SIGUSR1);
}

int Supervisor::wait_ms() const {
    std::optional<Clock::time_point> next = kill_at_;
    if (orphan_at_ && (!next || *orphan_at_ < *next)) next = orphan_at_;
    if (!next) return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now());
    return static_cast<int>(std::clamp<long long>(left.count() + 1, 0, 3600 * 1000));
}

void Supervisor::write_record(const fs::path& path, const nlohmann::json& doc) const {
    fs::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << doc.dump() << "\n";
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);  // readers never see half of it
    if (ec) say("cannot write " + path.string() + ": " + ec.message());
}

void Supervisor::record_end(int exit_code, int signal) const {
    write_record(leg_end_path(spec_.trial_dir, spec_.leg), {{"leg", spec_.leg},
                                                            {"exit_code", exit_code},
                                                            {"signal", signal},
                                                            {"stopped", stopped_},
                                                            {"orphaned", orphaned_}});
}

int Supervisor::run() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);  // what the trial leaves behind comes back to us
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&mask, sig);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal_fd_ = Fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    // The tuner's go: it comes once the tuner has journaled this leg. End of file instead: the
    // tuner died first, and a resume runs the leg again; this one never starts.
    char go = 0;
    ssize_t got = 0;
    while ((got = ::read(0, &go, 1)) < 0 && errno == EINTR) {
    }
    if (got != 1) return 0;
    if (!start_trial()) {
        record_end(127, 0);
        return 0;
    }
    write_record(leg_run_path(spec_.trial_dir, spec_.leg),
                 {{"leg", spec_.leg},
                  {"supervisor", ::getpid()},
                  {"ticks", process_start_ticks(::getpid())},
                  {"trial", trial_}});
    inotify_fd_ = Fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    attach_tuner();
    const auto orphan_timeout = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(spec_.orphan_timeout));
    if (!tuner_fd_.valid()) orphan_at_ = Clock::now() + orphan_timeout;
    for (;;) {
        pollfd fds[4] = {{trial_fd_.get(), POLLIN, 0},
                         {signal_fd_.get(), POLLIN, 0},
                         {inotify_fd_.get(), POLLIN, 0},
                         {tuner_fd_.get(), POLLIN, 0}};  // a negative fd is skipped
        const int n = ::poll(fds, 4, wait_ms());
        if (n < 0 && errno != EINTR) break;
        if (fds[0].revents) break;  // the trial ended
        if (fds[1].revents) on_signals();
        if (fds[2].revents) {
            alignas(inotify_event) char buf[4096];
            bool lock_file = false;
            for (ssize_t n_read; (n_read = ::read(inotify_fd_.get(), buf, sizeof buf)) > 0;)
                for (ssize_t i = 0; i < n_read;) {
                    const auto* event = reinterpret_cast<const inotify_event*>(buf + i);
                    i += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
                    lock_file |=
                        event->len > 0 && std::strcmp(event->name, run_files::tuner_pid) == 0;
                }
            if (lock_file && !tuner_fd_.valid()) attach_tuner();
        }
        if (fds[3].revents) {  // the tuner died: wait orphan_timeout for another
            tuner_fd_.reset();
            attach_tuner();
            if (!tuner_fd_.valid() && !orphan_at_) orphan_at_ = Clock::now() + orphan_timeout;
        }
        const auto now = Clock::now();
        if (kill_at_ && now >= *kill_at_) stop(true);
        if (orphan_at_ && now >= *orphan_at_) {
            say("no tuner for " + seconds(spec_.orphan_timeout) +
                " s (orphan_timeout): stopping the trial");
            orphan_at_.reset();
            orphaned_ = true;
            stop(false);
        }
    }
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(trial_), &info, WEXITED) != 0 && errno == EINTR) {
    }
    kill_and_reap_group(trial_);
    kill_and_reap_descendants();
    const bool signalled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
    record_end(signalled ? 0 : info.si_status, signalled ? info.si_status : 0);
    return 0;
}

}  // namespace

int supervise_main(int argc, char** argv) {
    SupervisorSpec spec;
    int i = 2;
    auto value = [&](const char* flag) -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + " needs a value");
        return argv[++i];
    };
    try {
        for (; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--") break;
            if (arg == "--run-dir")
                spec.run_dir = value("--run-dir");
            else if (arg == "--trial-dir")
                spec.trial_dir = value("--trial-dir");
            else if (arg == "--leg")
                spec.leg = std::stoi(value("--leg"));
            else if (arg == "--grace")
                spec.grace_period = std::stod(value("--grace"));
            else if (arg == "--orphan-timeout")
                spec.orphan_timeout = std::stod(value("--orphan-timeout"));
            else if (arg == "--cwd")
                spec.cwd = value("--cwd");
            else
                throw std::invalid_argument("unknown option " + arg);
        }
        for (++i; i < argc; ++i) spec.argv.emplace_back(argv[i]);
        if (spec.argv.empty() || spec.run_dir.empty() || spec.trial_dir.empty())
            throw std::invalid_argument("needs --run-dir, --trial-dir and -- COMMAND");
    } catch (const std::exception& e) {
        const std::string line = std::string("asha-tune ") + kSuperviseMode + ": " + e.what() +
                                 " (an internal mode of asha-tune)\n";
        ssize_t ignored = ::write(2, line.data(), line.size());
        (void)ignored;
        return 2;
    }
    return Supervisor(std::move(spec)).run();
}

}  // namespace asha
