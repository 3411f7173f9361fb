#include "supervisor/keeper.hpp"

#include "supervisor/keeper_protocol.hpp"
#include "supervisor/tuner_watch.hpp"
#include "sys/fd.hpp"
#include "sys/leg_records.hpp"
#include "sys/proc.hpp"
#include "sys/spawn.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <list>
#include <optional>
#include <system_error>
#include <vector>

namespace asha {

namespace {

using Clock = SupervisorClock;

/// One leg, from its start message to its recorded end.
struct KeptLeg {
    std::string trial, leg;  // the key the tuner names it by (decimal text)
    int leg_number = 0;
    std::string trial_dir, cwd, trial_dir_variable;  // the last: "ASHA_TRIAL_DIR=..."
    std::vector<std::string> argv, env;
    Fd go, out, err;       // go until it came; out until the trial runs; err for what we say
    std::vector<Fd> ends;  // the tuners' end pipes: closed once the end is recorded
    Fd records;            // trials/<id>/leg-<N>.jsonl, from the first record on
    pid_t trial_pid = -1;  // once it runs
    bool stopped = false, orphaned = false;
    std::optional<Clock::time_point> kill_at;
};

class Keeper {
  public:
    Keeper(KeeperSpec spec, int control) : spec_(std::move(spec)) {
        clients_.emplace_back(control);
    }
    int run();

  private:
    void say(const KeptLeg& leg, const std::string& what) const;
    void on_client(std::size_t index);
    void accept_clients();
    void on_start(KeeperMessage& message);
    void on_go(KeptLeg& leg);
    void start_trial(KeptLeg& leg);
    void stop(KeptLeg& leg, bool kill_now);
    void on_signals();
    void reap();
    void end_leg(std::list<KeptLeg>::iterator leg, int exit_code, int signal);
    void let_go(const KeptLeg& leg);
    void kill_escapees(const KeptLeg& ended);
    void record(KeptLeg& leg, const std::string& text);
    KeptLeg* find(const std::string& trial, const std::string& leg);
    int wait_ms() const;

    KeeperSpec spec_;
    pid_t self_ = ::getpid();
    unsigned long long ticks_ = 0;
    std::vector<Fd> clients_;  // connections of tuners: the one that started us, resumed ones
    Fd listener_, signal_fd_;
    TunerWatch tuner_;
    std::list<KeptLeg> legs_;
    std::optional<Clock::time_point> orphan_at_;
};

void Keeper::say(const KeptLeg& leg, const std::string& what) const {
    const std::string line =
        "asha-tune keeper (leg " + std::to_string(leg.leg_number) + "): " + what + "\n";
    write_all(leg.err.valid() ? leg.err.get() : 2, line.data(), line.size());
}

KeptLeg* Keeper::find(const std::string& trial, const std::string& leg) {
    for (KeptLeg& l : legs_)
        if (l.trial == trial && l.leg == leg) return &l;
    return nullptr;
}

void Keeper::record(KeptLeg& leg, const std::string& text) {
    const std::string error =
        append_leg_record(leg.records, leg_records_path(leg.trial_dir, leg.leg_number), text);
    if (!error.empty()) say(leg, error);
}

/// start TRIAL LEG TRIAL_DIR CWD ARGC ARGV... ENV...; fds: go, stdout, stderr, end. Not
/// answered (keeper_protocol.hpp).
void Keeper::on_start(KeeperMessage& m) {
    const std::vector<std::string>& f = m.fields;
    std::size_t argc = 0;
    int leg_number = 0;
    const bool numbers =
        f.size() >= 6 &&
        std::from_chars(f[5].data(), f[5].data() + f[5].size(), argc).ec == std::errc() &&
        std::from_chars(f[2].data(), f[2].data() + f[2].size(), leg_number).ec == std::errc();
    if (!numbers || argc == 0 || f.size() < 6 + argc || m.fds.size() != 4 || find(f[1], f[2])) {
        // Not a start we can take: its descriptors close with the message, its end pipe
        // without kLetGo.
        return;
    }
    KeptLeg& leg = legs_.emplace_back();
    leg.trial = f[1];
    leg.leg = f[2];
    leg.leg_number = leg_number;
    leg.trial_dir = f[3];
    leg.cwd = f[4];
    leg.argv.assign(f.begin() + 6, f.begin() + 6 + static_cast<std::ptrdiff_t>(argc));
    leg.env.assign(f.begin() + 6 + static_cast<std::ptrdiff_t>(argc), f.end());
    for (const std::string& entry : leg.env)
        if (entry.rfind("ASHA_TRIAL_DIR=", 0) == 0) leg.trial_dir_variable = entry;
    leg.go = std::move(m.fds[0]);
    leg.out = std::move(m.fds[1]);
    leg.err = std::move(m.fds[2]);
    leg.ends.push_back(std::move(m.fds[3]));
}

/// The go pipe is readable: a byte (the leg is journaled: start it), or its end (the tuner
/// died before it journaled the leg: a resume runs it again, so this one never starts).
void Keeper::on_go(KeptLeg& leg) {
    char go = 0;
    ssize_t got = 0;
    while ((got = ::read(leg.go.get(), &go, 1)) < 0 && errno == EINTR) {
    }
    if (got < 0 && errno == EAGAIN) return;
    leg.go.reset();
    if (got != 1 || leg.stopped) {
        if (got == 1) record(leg, encode_leg_end({leg.leg_number, 0, SIGKILL, true, false}));
        let_go(leg);
        legs_.remove_if([&](const KeptLeg& l) { return &l == &leg; });
        return;
    }
    start_trial(leg);
}

void Keeper::start_trial(KeptLeg& leg) {
    // Its own process group (so that stopping it reaches everything it starts), in our session
    // (which no terminal's signals reach), no blocked signals, default dispositions, stdout
    // and stderr the trial's logs, which the tuner opened for it (appended).
    SpawnRequest request;
    request.argv = leg.argv;
    request.env = leg.env;
    request.cwd = leg.cwd;
    request.stdout_fd = leg.out.get();
    request.stderr_fd = leg.err.get();
    request.group = SpawnRequest::Group::group;
    try {
        leg.trial_pid = spawn_process(request);
    } catch (const std::system_error& e) {
        say(leg, e.what());
        record(leg, encode_leg_end({leg.leg_number, 127, 0, false, false}));
        let_go(leg);
        legs_.remove_if([&](const KeptLeg& l) { return &l == &leg; });
        return;
    }
    leg.out.reset();
    record(leg, encode_leg_run({leg.leg_number, self_, ticks_, leg.trial_pid}));
    if (!tuner_.attached() && !orphan_at_)
        orphan_at_ = Clock::now() + to_duration(spec_.orphan_timeout);
}

void Keeper::stop(KeptLeg& leg, bool kill_now) {
    if (leg.trial_pid <= 0) {  // not started yet: it never will be
        leg.stopped = true;
        return;
    }
    if (kill_now || spec_.grace_period <= 0) {
        ::kill(-leg.trial_pid, SIGKILL);
        leg.kill_at.reset();
    } else if (!leg.stopped) {
        ::kill(-leg.trial_pid, SIGTERM);
        leg.kill_at = Clock::now() + to_duration(spec_.grace_period);
    }
    leg.stopped = true;
}

void Keeper::on_client(std::size_t index) {
    for (;;) {
        bool closed = false;
        std::optional<KeeperMessage> m = receive_keeper_message(clients_[index].get(), closed);
        if (closed) {
            clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(index));
            return;
        }
        if (!m) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            continue;  // not a message: dropped
        }
        const std::vector<std::string>& f = m->fields;
        if (f[0] == "start") {
            on_start(*m);
        } else if (f[0] == "stop" && f.size() == 4) {
            if (KeptLeg* leg = find(f[1], f[2])) stop(*leg, f[3] == "kill");
        } else if (f[0] == "adopt" && f.size() == 3 && m->fds.size() == 1) {
            // A leg that has ended is no longer here: the descriptor closes, and the tuner
            // reads the leg's recorded end at once.
            if (KeptLeg* leg = find(f[1], f[2])) leg->ends.push_back(std::move(m->fds[0]));
        }
    }
}

/// A resumed tuner connects; anyone else's connection is closed at once.
void Keeper::accept_clients() {
    for (;;) {
        Fd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!client.valid()) return;
        if (peer_is_same_user(client.get())) clients_.push_back(std::move(client));
    }
}

void Keeper::on_signals() {
    signalfd_siginfo info{};
    bool child = false;
    while (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGCHLD) {
            child = true;
            continue;
        }
        for (KeptLeg& leg : legs_) stop(leg, info.ssi_signo == SIGUSR1);
    }
    if (child) reap();
}

/// Reaps every child that has ended; a trial's end is its leg's.
void Keeper::reap() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        const auto leg = std::find_if(legs_.begin(), legs_.end(),
                                      [&](const KeptLeg& l) { return l.trial_pid == pid; });
        if (leg == legs_.end()) continue;  // what a trial left behind
        const bool signalled = WIFSIGNALED(status);
        end_leg(leg, signalled ? 0 : WEXITSTATUS(status), signalled ? WTERMSIG(status) : 0);
    }
}

/// What left the trial's process group (a double fork and setsid) came back to us, the
/// subreaper: those that carry the trial's ASHA_TRIAL_DIR are its, and end with it.
void Keeper::kill_escapees(const KeptLeg& ended) {
    if (ended.trial_dir_variable.empty()) return;
    const std::string needle = std::string(1, '\0') + ended.trial_dir_variable + '\0';
    const std::string children = "task/" + std::to_string(self_) + "/children";
    for (bool found = true; found;) {
        found = false;
        const auto list = read_proc_file(self_, children.c_str());
        if (!list) return;
        for (pid_t pid : parse_pid_list(*list)) {
            if (std::any_of(legs_.begin(), legs_.end(),
                            [&](const KeptLeg& l) { return l.trial_pid == pid; }))
                continue;
            const auto env = read_proc_file(pid, "environ");
            if (!env || (std::string(1, '\0') + *env).find(needle) == std::string::npos) continue;
            ::kill(pid, SIGKILL);
            int status = 0;
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            found = true;  // its own children came back to us: look again
        }
    }
}

void Keeper::end_leg(std::list<KeptLeg>::iterator leg, int exit_code, int signal) {
    kill_and_reap_group(leg->trial_pid);
    kill_escapees(*leg);
    record(*leg, encode_leg_end({leg->leg_number, exit_code, signal, leg->stopped, leg->orphaned}));
    let_go(*leg);
    legs_.erase(leg);  // closes its end pipes: the tuners read its end now
}

/// Tells its tuners that we let the leg go on purpose (its end pipes close next): without
/// kLetGo, an end pipe that closes means that we died.
void Keeper::let_go(const KeptLeg& leg) {
    for (const Fd& end : leg.ends) write_all(end.get(), &kLetGo, 1);  // a tuner gone: EPIPE
}

int Keeper::wait_ms() const {
    std::optional<Clock::time_point> next = orphan_at_;
    for (const KeptLeg& leg : legs_)
        if (leg.kill_at && (!next || *leg.kill_at < *next)) next = leg.kill_at;
    if (!next) return -1;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now());
    return static_cast<int>(std::clamp<long long>(left.count() + 1, 0, 3600 * 1000));
}

int Keeper::run() {
    become_subreaper();  // what the trials leave behind comes back to us
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&mask, sig);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    signal_fd_ = Fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    ticks_ = process_start_ticks(self_);
    listener_ = listen_as_keeper(self_, ticks_);
    std::string problem;
    if (!signal_fd_.valid() || !listener_.valid() || !tuner_.open(spec_.run_dir, problem))
        return 1;  // no hello: the launcher gives each leg a supervisor of its own instead
    set_nonblocking(clients_[0].get(), true);
    if (!send_keeper_message(clients_[0].get(),
                             {"hello", std::to_string(self_), std::to_string(ticks_)}))
        return 1;
    tuner_.attach();
    std::vector<pollfd> fds;
    while (!legs_.empty() || !clients_.empty()) {
        // signals, inotify, the tuner, the listener, then the clients, then the go pipes
        fds.assign({{signal_fd_.get(), POLLIN, 0},
                    {tuner_.inotify_fd(), POLLIN, 0},
                    {tuner_.tuner_fd(), POLLIN, 0},  // a negative fd is skipped
                    {listener_.get(), POLLIN, 0}});
        for (const Fd& client : clients_) fds.push_back({client.get(), POLLIN, 0});
        for (const KeptLeg& leg : legs_) fds.push_back({leg.go.get(), POLLIN, 0});
        const std::size_t first_client = 4, first_go = 4 + clients_.size();
        const int n = ::poll(fds.data(), fds.size(), wait_ms());
        if (n < 0 && errno != EINTR) break;
        if (n > 0) {
            if (fds[0].revents) on_signals();  // may end legs
            if (fds[1].revents && tuner_.on_inotify()) orphan_at_.reset();
            // The tuner died: wait orphan_timeout for another, if there is anything to stop.
            if (fds[2].revents && !tuner_.on_tuner_exit() && !orphan_at_)
                orphan_at_ = Clock::now() + to_duration(spec_.orphan_timeout);
            for (std::size_t i = first_go; i < fds.size(); ++i) {
                if (!fds[i].revents) continue;
                const auto leg = std::find_if(legs_.begin(), legs_.end(), [&](const KeptLeg& l) {
                    return l.go.valid() && l.go.get() == fds[i].fd;
                });
                if (leg != legs_.end()) on_go(*leg);
            }
            // From the last: a connection that closed is erased.
            for (std::size_t i = first_go; i-- > first_client;)
                if (fds[i].revents) on_client(i - first_client);
            if (fds[3].revents) accept_clients();
        }
        const auto now = Clock::now();
        for (KeptLeg& leg : legs_)
            if (leg.kill_at && now >= *leg.kill_at) stop(leg, true);
        if (orphan_at_ && now >= *orphan_at_) {
            orphan_at_.reset();
            for (KeptLeg& leg : legs_) {
                if (leg.trial_pid <= 0 || leg.stopped) continue;
                say(leg, "no tuner for " + seconds_text(spec_.orphan_timeout) +
                             " s (orphan_timeout): stopping the trial");
                leg.orphaned = true;
                stop(leg, false);
            }
        }
    }
    kill_and_reap_descendants();
    return 0;
}

}  // namespace

int keeper_main(const KeeperSpec& spec, int control) {
    return Keeper(spec, control).run();
}

}  // namespace asha
