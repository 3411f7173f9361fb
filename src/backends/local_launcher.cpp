#include "backends/local_launcher.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"
#include "supervisor/supervisor.hpp"
#include "sys/leg_records.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace asha {

namespace fs = std::filesystem;

namespace {

std::string own_executable() {
    std::error_code ec;
    fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.string();
}

/// asha-supervise beside the running executable (the build tree), or where the install puts
/// it (PREFIX/bin/asha-tune, PREFIX/libexec/asha-tune/asha-supervise); else the executable
/// itself, whose hidden mode is the same supervisor at the cost of its own start-up.
std::string supervisor_program(const std::string& self) {
    const fs::path dir = fs::path(self).parent_path();
    for (const fs::path& candidate :
         {dir / "asha-supervise", dir / ".." / "libexec" / "asha-tune" / "asha-supervise"})
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.lexically_normal().string();
    return self;
}

}  // namespace

std::string LocalHandle::encode() const {
    if (supervisor == 0) return "pgid " + std::to_string(group);
    return (keeper ? "keeper " : "supervisor ") + std::to_string(supervisor) + " " +
           std::to_string(ticks);
}

std::optional<LocalHandle> LocalHandle::decode(const std::string& handle) {
    std::istringstream in(handle);
    std::string kind, rest;
    long pid = 0;
    LocalHandle h;
    if (!(in >> kind >> pid) || pid <= 1) return std::nullopt;
    if (kind == "supervisor" || kind == "keeper") {
        if (!(in >> h.ticks)) return std::nullopt;
        h.supervisor = static_cast<pid_t>(pid);
        h.keeper = kind == "keeper";
    } else if (kind == "pgid") {
        h.group = static_cast<pid_t>(pid);
    } else {
        return std::nullopt;
    }
    if (in >> rest) return std::nullopt;
    return h;
}

LocalLauncherOptions local_launcher_options(const ExperimentConfig& c) {
    LocalLauncherOptions o;
    o.supervisor = supervisor_program(own_executable());
    const char* per_leg = std::getenv("ASHA_TUNE_SUPERVISOR_PER_LEG");
    o.keeper = per_leg == nullptr || std::string(per_leg) != "1";
    o.stop_grace_period = c.stop_grace_period;
    o.orphan_timeout = c.orphan_timeout;
    o.gpus_per_trial = c.gpus.gpus_per_trial;
    o.trials_per_gpu = c.gpus.trials_per_gpu;
    switch (c.gpus.source) {
        case GpuSpec::Source::none:
            break;
        case GpuSpec::Source::list:
            o.gpus = c.gpus.ids;
            break;
        case GpuSpec::Source::automatic:
            o.gpus = GpuPool::detect();
            if (o.gpus.empty())
                spdlog::info(
                    "no GPUs found (nvidia-smi missing or failing): CUDA_VISIBLE_DEVICES is left "
                    "as it is");
            else
                spdlog::info("detected {} GPUs: {}", o.gpus.size(), GpuPool::format(o.gpus));
            break;
    }
    if (!o.gpus.empty()) {
        if (o.gpus_per_trial > static_cast<int>(o.gpus.size()))
            throw ConfigError(c.file + ": $.gpus_per_trial: expected at most the " +
                              std::to_string(o.gpus.size()) + " GPUs available, found " +
                              std::to_string(o.gpus_per_trial));
        int capacity = GpuPool(o.gpus, o.gpus_per_trial, o.trials_per_gpu).capacity();
        if (c.workers > capacity)
            throw ConfigError(c.file + ": $.workers: expected at most " + std::to_string(capacity) +
                              " workers for " + std::to_string(o.gpus.size()) +
                              " GPUs with gpus_per_trial " + std::to_string(o.gpus_per_trial) +
                              " and trials_per_gpu " + std::to_string(o.trials_per_gpu) +
                              ", found " + std::to_string(c.workers) +
                              " (set trials_per_gpu to share GPUs)");
    }
    return o;
}

LocalLauncher::LocalLauncher(LocalLauncherOptions options)
    : options_(std::move(options)),
      pool_(options_.gpus, options_.gpus_per_trial, options_.trials_per_gpu),
      run_dir_(fs::absolute(options_.run_dir).string()),
      cwd_(fs::current_path()) {}

LocalLauncher::~LocalLauncher() = default;

KeeperLink* LocalLauncher::keeper() {
    if (!options_.keeper || keeper_failed_) return nullptr;
    if (keeper_) return keeper_.get();
    std::string problem;
    keeper_ = KeeperLink::start(keeper_command(options_.supervisor, run_dir_,
                                               options_.stop_grace_period, options_.orphan_timeout),
                                problem);
    if (!keeper_) {
        keeper_failed_ = true;
        spdlog::warn(
            "cannot start the run's keeper ({}): each trial leg gets a supervisor of its "
            "own, which costs a few ms of CPU more per leg",
            problem);
    }
    return keeper_.get();
}

void LocalLauncher::start_with_keeper(const LegSpec& leg, const SpawnSpec& spawn,
                                      TrialProcess& process) {
    // The keeper runs in /: paths it is given are absolute.
    const fs::path cwd = leg.cwd.empty() ? cwd_ : cwd_ / leg.cwd;
    auto started =
        keeper_->start_leg(process.trial, process.leg, (cwd_ / leg.trial_dir).string(),
                           cwd.string(), leg.argv, spawn.env, spawn.stdout_fd, spawn.stderr_fd);
    if (started) {
        LocalLeg& local = legs_[process.trial];
        // Ours to read once the engine has seen the leg end (the engine closes its own).
        local.end = Fd(::fcntl(started->end.get(), F_DUPFD_CLOEXEC, 0));
        if (local.end.valid()) set_nonblocking(local.end.get(), true);
        process.pid = keeper_->pid();
        process.pidfd = std::move(started->end);
        process.go = std::move(started->go);
        process.child = false;
        local.ticks = keeper_->ticks();
        local.keeper = keeper_.get();
        return;
    }
    if (errno != EMSGSIZE) {
        keeper_failed_ = true;
        spdlog::warn(
            "the run's keeper (pid {}) is gone: {}; each trial leg gets a supervisor of "
            "its own from now on",
            keeper_->pid(), std::strerror(errno));
    }
    Child child = spawn_child(spawn);  // a supervisor of its own, as plan() made it
    process.pid = child.pid;
    process.pidfd = std::move(child.pidfd);
    process.go = std::move(child.stdin_fd);
    spawned(process);
}

LaunchPlan LocalLauncher::plan(const LegSpec& leg, TrialProcess& process) {
    LaunchPlan plan;
    plan.spawn.env = leg.env;
    if (!pool_.empty()) {
        std::vector<int> gpus = pool_.acquire();
        if (gpus.empty())
            throw std::logic_error("no free GPU for a trial: more workers than GPU slots");
        std::erase_if(plan.spawn.env, [](const std::string& entry) {
            return entry.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0;
        });
        plan.spawn.env.push_back("CUDA_VISIBLE_DEVICES=" + GpuPool::format(gpus));
        legs_[process.trial].gpus = std::move(gpus);
    }
    // The records of an earlier try of this leg (stopped for want of a tuner, or lost with
    // its supervisor) are not this one's.
    remove_leg_records(leg.trial_dir, leg.leg);
    SupervisorSpec s;
    s.run_dir = run_dir_;
    s.trial_dir = leg.trial_dir;
    s.leg = leg.leg;
    s.grace_period = options_.stop_grace_period;
    s.orphan_timeout = options_.orphan_timeout;
    s.cwd = leg.cwd;
    s.argv = leg.argv;
    plan.spawn.argv = supervisor_command(options_.supervisor, s);
    // Its stdout and stderr are the trial's logs (the engine opens them, spawned(): the trial
    // inherits them, and what the supervisor has to say goes where the trial's stderr goes);
    // the signals it reads as requests stay blocked from its first instruction on.
    plan.spawn.blocked_signals = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    plan.spawn.stdin_pipe = true;  // it waits for the engine's go
    plan.output_in_files = true;
    // The run's keeper, where one answers, does it all without a process more.
    if (keeper())
        plan.start = [this, leg](const SpawnSpec& spawn, TrialProcess& started) {
            start_with_keeper(leg, spawn, started);
        };
    return plan;
}

void LocalLauncher::spawned(TrialProcess& process) {
    legs_[process.trial].ticks = process_start_ticks(process.pid);
}

KeeperLink* LocalLauncher::keeper_of(const TrialProcess& process) const {
    const auto it = legs_.find(process.trial);
    return it == legs_.end() ? nullptr : it->second.keeper;
}

void LocalLauncher::stop(TrialProcess& process, bool kill) {
    if (KeeperLink* keeper = keeper_of(process)) {
        keeper->stop(process.trial, process.leg, kill);  // the same, for one leg
        return;
    }
    // The supervisor sends SIGTERM to the trial's group and SIGKILL after the grace period
    // (its own timer, which holds while no tuner is alive); SIGUSR1: SIGKILL now.
    signal_pidfd(process.pidfd, kill ? SIGUSR1 : SIGTERM);
}

TrialExit LocalLauncher::describe_exit(TrialProcess& process) {
    TrialExit exit;
    if (auto end = read_leg_end(process.trial_dir, process.leg)) {
        exit.exit_code = end->exit_code;
        exit.signal = end->signal;
        exit.stopped_by_tuner = end->stopped;
        return exit;
    }
    // Its supervisor died before the trial did (killed from outside): the trial died with its
    // group's SIGKILL, or lives on as an orphan that the end of the run sweeps away.
    exit.signal =
        process.child && WIFSIGNALED(process.wait_status) ? WTERMSIG(process.wait_status) : SIGKILL;
    exit.stderr_tail = "the leg's supervisor (pid " + std::to_string(process.pid) +
                       ") ended before it recorded the trial's end";
    const auto it = legs_.find(process.trial);
    if (it == legs_.end() || !it->second.end.valid()) return exit;
    if (KeeperLink::let_go(it->second.end.get())) {
        // Alive, it could not write the record (a full disk?): the leg's stderr.log says why.
        exit.stderr_tail = "the run's keeper (pid " + std::to_string(process.pid) +
                           ") could not record the trial's end (see its stderr.log)";
    } else if (it->second.keeper == keeper_.get() && !keeper_failed_) {
        // It died (the legs sent to it as it died with it), or did not take this leg.
        keeper_failed_ = true;
        spdlog::warn(
            "the run's keeper (pid {}) is gone: it let trial {} go without its end; each trial "
            "leg gets a supervisor of its own from now on",
            process.pid, process.trial);
    }
    return exit;
}

void LocalLauncher::forget_end(const TrialProcess& process) {
    remove_leg_records(process.trial_dir, process.leg);
}

void LocalLauncher::release(TrialProcess& process) {
    if (auto it = legs_.find(process.trial); it != legs_.end()) {
        pool_.release(it->second.gpus);
        legs_.erase(it);
    }
}

LegStarted LocalLauncher::describe(const TrialProcess& process) const {
    const auto it = legs_.find(process.trial);
    if (it == legs_.end()) return {LocalHandle{process.pid, 0, 0, false}.encode(), "", 0};
    return {LocalHandle{process.pid, it->second.ticks, 0, it->second.keeper != nullptr}.encode(),
            GpuPool::format(it->second.gpus), 0};
}

std::string LocalLauncher::reclaim(const std::vector<RunningLeg>& legs) {
    std::vector<pid_t> groups, spared;
    for (const RunningLeg& leg : legs) {
        // At work: the supervisor the journal names is the one running (same start time), and
        // it has started its trial (its run record names it: it had its go).
        const auto h = LocalHandle::decode(leg.handle);
        if (!h) continue;
        if (h->group != 0) {  // asha-tune 0.1's: its group is killed
            groups.push_back(h->group);
            continue;
        }
        const fs::path dir = options_.run_dir / run_files::trials_dir / std::to_string(leg.trial);
        const auto run = read_leg_run(dir, leg.leg);
        if (h->ticks != 0 && process_start_ticks(h->supervisor) == h->ticks && run &&
            run->supervisor == h->supervisor && run->ticks == h->ticks) {
            at_work_[{leg.trial, leg.leg}] = *h;
            spared.push_back(h->supervisor);  // its session: the supervisor and its trial
        }
    }
    return sweep_leftovers(options_.run_dir.string(), "", groups, spared);
}

bool LocalLauncher::adopt(const LegProgress& progress, TrialProcess& process) {
    const auto end = read_leg_end(process.trial_dir, process.leg);
    // Stopped, but the journal holds no stop of it: for want of a tuner (orphaned), or by a
    // tuner that was ending on an error and killed what ran (a full disk): it did not fail and
    // nothing decided it, so it runs again (a leg that had reached its milestone is ended by
    // the caller instead).
    if (end && (end->orphaned || end->stopped) && !progress.stopping) return false;
    process.child = false;
    auto it = at_work_.find({process.trial, process.leg});
    if (it != at_work_.end() && process_start_ticks(it->second.supervisor) == it->second.ticks) {
        const LocalHandle& h = it->second;
        KeeperLink* keeper = h.keeper ? adopted_keeper(h) : nullptr;
        if (keeper) {
            if (auto end_pipe = keeper->adopt(process.trial, process.leg))
                process.pidfd = std::move(*end_pipe);
        } else if (!h.keeper) {
            process.pidfd = open_pidfd(h.supervisor);
        }
        if (process.pidfd.valid()) {
            process.pid = h.supervisor;
            LocalLeg& leg = legs_[process.trial];
            leg.ticks = h.ticks;
            leg.keeper = keeper;
            leg.gpus = GpuPool::parse(progress.gpus);
            pool_.take(leg.gpus);
            spdlog::info("(trial {}) taking over its leg {}, still running ({} {})", process.trial,
                         process.leg, h.keeper ? "keeper" : "supervisor", process.pid);
            return true;
        }
        if (h.keeper && !end) {
            // A keeper that is alive but does not answer: its trial must not run beside the
            // one a relaunch starts.
            if (const auto run = read_leg_run(process.trial_dir, process.leg))
                if (const auto stat = proc_stat(run->trial);
                    stat && stat->pgrp == run->trial && stat->session == h.supervisor)
                    kill_and_reap_group(run->trial);
            spdlog::warn(
                "(trial {}) the keeper of its leg {} (pid {}) does not answer: running "
                "the leg again",
                process.trial, process.leg, h.supervisor);
        }
    }
    if (!end) return false;  // its supervisor died with it: run it again
    spdlog::info("(trial {}) its leg {} ended while no tuner ran: reading what it printed",
                 process.trial, process.leg);
    return true;  // no pidfd: the engine reads its output, then its recorded end
}

KeeperLink* LocalLauncher::adopted_keeper(const LocalHandle& h) {
    auto& link = adopted_keepers_[h.supervisor];
    if (!link) link = KeeperLink::connect(h.supervisor, h.ticks);
    return link.get();
}

void LocalLauncher::kill_now(const std::vector<TrialProcess*>& legs) {
    for (TrialProcess* leg : legs)
        if (KeeperLink* keeper = keeper_of(*leg))
            keeper->stop(leg->trial, leg->leg, true);
        else
            signal_pidfd(leg->pidfd, SIGUSR1);
    // Each supervisor kills its trial's group, reaps it and records its end (a supervisor of
    // its own then exits): wait for that (bounded).
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (TrialProcess* leg : legs) {
        if (!leg->pidfd.valid()) continue;
        pollfd p{leg->pidfd.get(), POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            give_up - std::chrono::steady_clock::now());
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
            spdlog::warn("the supervisor of trial {} did not end it within 10 s: SIGKILL",
                         leg->trial);
            if (KeeperLink* keeper = keeper_of(*leg))
                keeper->kill();
            else
                signal_pidfd(leg->pidfd, SIGKILL);
        }
    }
}

}  // namespace asha
