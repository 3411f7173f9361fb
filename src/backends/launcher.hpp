#pragma once
/// How a leg is started, stopped, described and found again: the strategy of the process
/// engine (process_backend.hpp). The engine owns every wait (the poll set, the timers, the
/// control commands); a launcher only knows its kind of process:
///   LocalLauncher (local_launcher.hpp)   a supervisor per leg on this machine, GPUs from a pool
///   SlurmJobsLauncher (slurm_launcher.hpp)   srun per leg, a job of its own
///   SlurmStepsLauncher (slurm_launcher.hpp)  srun per leg, a step of the allocation the tuner
///                                            runs in
/// A leg's handle (in the journal's `started` record) is text that only its launcher parses.

#include "asha/backend.hpp"
#include "backends/leg_spec.hpp"
#include "backends/process.hpp"
#include "backends/trial_process.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asha {

/// What the engine starts for a leg, and where the leg's output comes from.
struct LaunchPlan {
    /// With spawn.stdin_pipe, the process waits for a go on its stdin, which the engine sends
    /// once the Tuner has journaled the leg (at its next wait for events).
    SpawnSpec spawn;
    /// The leg writes trials/<id>/stdout.log and stderr.log itself and the engine follows the
    /// files; otherwise the engine reads the process's pipes and writes the logs.
    bool output_in_files = false;
    /// When set, the launcher starts the leg itself (hands it to the run's keeper) instead of
    /// the engine spawning `spawn` (whose stdout_fd and stderr_fd the engine has set to the
    /// leg's logs): it fills the process's pid, pidfd (readable once the leg has ended), go and
    /// child. Throws std::system_error as a spawn does.
    std::function<void(const SpawnSpec& spawn, TrialProcess& process)> start;
};

/// A control command (scancel, squeue) the engine runs without waiting for it; `done` gets its
/// exit status and stdout.
struct ControlCommand {
    std::vector<std::string> argv;
    std::function<void(int status, const std::string& output)> done;
};

/// What kind of processes a launcher's legs are, as the engine needs to know it.
struct LauncherTraits {
    /// Started legs wait in a queue until take_line() sees them start (Slurm).
    bool legs_wait_in_queue = false;
    /// The leg kills itself once the grace period after stop() is over (a local supervisor
    /// keeps that timer, so that it holds when no tuner is alive); else the engine does.
    bool kills_after_grace_itself = false;
};

/// A query to run before a leg's exit is delivered (Slurm's word on a failed job), and what
/// its output adds to the exit.
struct ExitQuery {
    std::vector<std::string> argv;
    std::function<void(TrialExit& exit, const std::string& output)> explain;
};

class Launcher {
  public:
    virtual ~Launcher() = default;

    virtual LauncherTraits traits() const { return {}; }

    /// The process to start for `leg`; may fill the launcher's part of `process` (GPUs, names).
    /// Throws Error(cannot_start) when no leg can start at all.
    virtual LaunchPlan plan(const LegSpec& leg, TrialProcess& process) = 0;
    /// The engine has spawned it (`process.pid` is set; not called when LaunchPlan::start did).
    virtual void spawned(TrialProcess& /*process*/) {}
    /// A stdout line that is the launcher's own (the line a queued leg prints when it starts on
    /// a node); true if it was, and it is then no part of the trial's output.
    virtual bool take_line(TrialProcess& /*process*/, std::string_view /*line*/) { return false; }
    /// Asks the leg to stop: SIGTERM and the grace period, or at once (`kill`).
    virtual void stop(TrialProcess& process, bool kill) = 0;
    /// How the leg ended, once its process ended and its output was read to the end.
    virtual TrialExit describe_exit(TrialProcess& process) = 0;
    /// A query to run before the exit is delivered; nullopt: deliver it now.
    virtual std::optional<ExitQuery> exit_query(const TrialProcess& /*process*/,
                                                const TrialExit& /*exit*/) {
        return std::nullopt;
    }
    /// Control commands to start now (stops batched into one scancel per kind).
    virtual std::vector<ControlCommand> take_commands() { return {}; }
    /// The leg ended while the run directory's filesystem was full, so its output may be
    /// incomplete: whatever it recorded of its end is dropped, and a resume runs it again.
    virtual void forget_end(const TrialProcess& /*process*/) {}
    /// The leg has ended and its exit was delivered: give back what it held.
    virtual void release(TrialProcess& /*process*/) {}

    /// The leg's handle for the journal (how a resumed tuner finds what is left of it) and the
    /// GPUs it holds; output_offset is the engine's to fill.
    virtual LegStarted describe(const TrialProcess& process) const = 0;
    /// Resume, before anything is relaunched: ends what the dead tuner's running legs left that
    /// adopt() cannot take over. Returns a line for the log, "" when nothing.
    virtual std::string reclaim(const std::vector<RunningLeg>& legs) = 0;
    /// Resume: takes over the dead tuner's leg (`progress.handle`) if it still runs, or ended
    /// with its end on record: fills `process` and returns true. False: relaunch it.
    virtual bool adopt(const LegProgress& /*progress*/, TrialProcess& /*process*/) { return false; }
    /// The backend goes away with legs still running (an error unwinds the run): end them now.
    virtual void kill_now(const std::vector<TrialProcess*>& legs) = 0;
};

}  // namespace asha
