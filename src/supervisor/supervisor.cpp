#include "supervisor/supervisor.hpp"

#include "supervisor/keeper.hpp"

#include "sys/fd.hpp"
#include "sys/leg_records.hpp"
#include "sys/proc.hpp"
#include "sys/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>

namespace asha {

namespace {

void say_to_stderr(const std::string& line) {
    write_all(2, line.data(), line.size());
}

}  // namespace

namespace {

/// The program, and asha-tune's hidden mode where it is not asha-supervise.
std::vector<std::string> program_command(const std::string& program) {
    std::vector<std::string> argv = {program};
    if (program.size() < 14 || program.compare(program.size() - 14, 14, "asha-supervise") != 0)
        argv.push_back(kSuperviseMode);
    return argv;
}

}  // namespace

std::vector<std::string> keeper_command(const std::string& program, const std::string& run_dir,
                                        double grace_period, double orphan_timeout) {
    std::vector<std::string> argv = program_command(program);
    argv.insert(argv.end(),
                {"--keeper", "--version-check", ASHA_VERSION, "--run-dir", run_dir, "--grace",
                 seconds_text(grace_period), "--orphan-timeout", seconds_text(orphan_timeout)});
    return argv;
}

std::vector<std::string> supervisor_command(const std::string& program, const SupervisorSpec& s) {
    std::vector<std::string> argv = program_command(program);
    argv.insert(argv.end(),
                {"--version-check", ASHA_VERSION, "--run-dir", s.run_dir, "--trial-dir",
                 s.trial_dir, "--leg", std::to_string(s.leg), "--grace",
                 seconds_text(s.grace_period), "--orphan-timeout", seconds_text(s.orphan_timeout)});
    if (!s.cwd.empty()) argv.insert(argv.end(), {"--cwd", s.cwd});
    argv.push_back("--");
    argv.insert(argv.end(), s.argv.begin(), s.argv.end());
    return argv;
}

namespace {

using Clock = SupervisorClock;

class Supervisor {
  public:
    explicit Supervisor(SupervisorSpec spec) : spec_(std::move(spec)) {}
    int run();

  private:
    void say(const std::string& what) const {
        say_to_stderr("asha-tune supervisor (leg " + std::to_string(spec_.leg) + "): " + what +
                      "\n");
    }
    bool wait_for_go() const;
    bool start_trial();
    void on_signals();
    void stop(bool kill_now);
    void record(const std::string& text);
    void record_end(int exit_code, int signal);
    int wait_ms() const;

    SupervisorSpec spec_;
    pid_t trial_ = -1;
    Fd trial_fd_, signal_fd_;
    TunerWatch tuner_;
    Fd records_;  // the leg's records file, open from the first record on
    std::optional<Clock::time_point> kill_at_, orphan_at_;
    bool stopped_ = false, orphaned_ = false;
};

/// The tuner's go: it comes once the tuner has journaled this leg. End of file instead: the
/// tuner died first, and a resume runs the leg again; this one never starts.
bool Supervisor::wait_for_go() const {
    char go = 0;
    ssize_t got = 0;
    while ((got = ::read(0, &go, 1)) < 0 && errno == EINTR) {
    }
    return got == 1;
}

bool Supervisor::start_trial() {
    // Its own process group (so that stopping it reaches everything it starts), in our session
    // (which no terminal's signals reach), no blocked signals, default dispositions, and our
    // stdout and stderr: the trial's logs, which the tuner opened for us (appended).
    SpawnRequest request;
    request.argv = spec_.argv;
    request.cwd = spec_.cwd;
    request.group = SpawnRequest::Group::group;
    try {
        trial_ = spawn_process(request);
    } catch (const std::system_error& e) {
        say(std::string(e.what()));
        return false;
    }
    trial_fd_ = open_pidfd(trial_);
    if (!trial_fd_.valid()) say(std::string("pidfd_open: ") + std::strerror(errno));
    return trial_fd_.valid();
}

void Supervisor::stop(bool kill_now) {
    if (kill_now || spec_.grace_period <= 0) {
        ::kill(-trial_, SIGKILL);
        kill_at_.reset();
    } else if (!stopped_) {
        ::kill(-trial_, SIGTERM);
        kill_at_ = Clock::now() + to_duration(spec_.grace_period);
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

void Supervisor::record(const std::string& text) {
    const std::string error =
        append_leg_record(records_, leg_records_path(spec_.trial_dir, spec_.leg), text);
    if (!error.empty()) say(error);
}

void Supervisor::record_end(int exit_code, int signal) {
    record(encode_leg_end({spec_.leg, exit_code, signal, stopped_, orphaned_}));
}

int Supervisor::run() {
    become_subreaper();  // what the trial leaves behind comes back to us
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&mask, sig);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);  // blocked since the spawn; now read as events
    signal_fd_ = Fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    std::string problem;
    if (!signal_fd_.valid()) problem = std::string("signalfd: ") + std::strerror(errno);
    if (!signal_fd_.valid() || !tuner_.open(spec_.run_dir, problem)) {
        say("cannot set up its descriptors: " + problem);
        return 1;  // before the go: the tuner sees it end with no record and runs it again
    }
    if (!wait_for_go()) return 0;
    if (!start_trial()) {
        record_end(127, 0);
        return 0;
    }
    const pid_t self = ::getpid();
    record(encode_leg_run({spec_.leg, self, process_start_ticks(self), trial_}));
    if (!tuner_.attach()) orphan_at_ = Clock::now() + to_duration(spec_.orphan_timeout);
    for (;;) {
        pollfd fds[4] = {{trial_fd_.get(), POLLIN, 0},
                         {signal_fd_.get(), POLLIN, 0},
                         {tuner_.inotify_fd(), POLLIN, 0},
                         {tuner_.tuner_fd(), POLLIN, 0}};  // a negative fd is skipped
        const int n = ::poll(fds, 4, wait_ms());
        if (n < 0 && errno != EINTR) break;
        if (fds[0].revents) break;  // the trial ended
        if (fds[1].revents) on_signals();
        if (fds[2].revents && tuner_.on_inotify()) orphan_at_.reset();
        // The tuner died: wait orphan_timeout for another.
        if (fds[3].revents && !tuner_.on_tuner_exit() && !orphan_at_)
            orphan_at_ = Clock::now() + to_duration(spec_.orphan_timeout);
        const auto now = Clock::now();
        if (kill_at_ && now >= *kill_at_) stop(true);
        if (orphan_at_ && now >= *orphan_at_) {
            say("no tuner for " + seconds_text(spec_.orphan_timeout) +
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

/// A number of `flag`'s, or nullopt.
template <typename T>
std::optional<T> number(const std::string& text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

/// The spec from the command line, or the reason it is malformed.
std::optional<SupervisorSpec> parse_spec(int argc, char** argv, bool& keeper,
                                         std::string& problem) {
    SupervisorSpec spec;
    int i = argc > 1 && std::strcmp(argv[1], kSuperviseMode) == 0 ? 2 : 1;
    for (; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") break;
        if (arg == "--keeper") {
            keeper = true;
            continue;
        }
        if (i + 1 >= argc) {
            problem = arg + " needs a value";
            return std::nullopt;
        }
        const std::string value = argv[++i];
        std::optional<double> seconds;
        if (arg == "--version-check") {
            if (value != ASHA_VERSION) {
                problem = "it is version " ASHA_VERSION ", asked for by version " + value +
                          " (install asha-tune and asha-supervise together)";
                return std::nullopt;
            }
        } else if (arg == "--run-dir") {
            spec.run_dir = value;
        } else if (arg == "--trial-dir") {
            spec.trial_dir = value;
        } else if (arg == "--cwd") {
            spec.cwd = value;
        } else if (arg == "--leg" && number<int>(value)) {
            spec.leg = *number<int>(value);
        } else if (arg == "--grace" && (seconds = number<double>(value))) {
            spec.grace_period = *seconds;
        } else if (arg == "--orphan-timeout" && (seconds = number<double>(value))) {
            spec.orphan_timeout = *seconds;
        } else {
            problem = "unknown option or bad value: " + arg + " " + value;
            return std::nullopt;
        }
    }
    for (++i; i < argc; ++i) spec.argv.emplace_back(argv[i]);
    if (keeper && !spec.run_dir.empty()) return spec;
    if (spec.argv.empty() || spec.run_dir.empty() || spec.trial_dir.empty()) {
        problem = "needs --run-dir, --trial-dir and -- COMMAND";
        return std::nullopt;
    }
    return spec;
}

}  // namespace

int supervise_main(int argc, char** argv) {
    std::string problem;
    bool keeper = false;
    std::optional<SupervisorSpec> spec = parse_spec(argc, argv, keeper, problem);
    if (!spec) {
        say_to_stderr("asha-supervise: " + problem +
                      " (it is started by asha-tune, one per trial leg; see README "
                      "\"Reliability\")\n");
        return 2;
    }
    if (keeper) return keeper_main({spec->run_dir, spec->grace_period, spec->orphan_timeout}, 0);
    return Supervisor(std::move(*spec)).run();
}

}  // namespace asha
