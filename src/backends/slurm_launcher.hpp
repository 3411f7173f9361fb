#pragma once
/// Legs on a Slurm cluster, each launched by its own `srun`, which streams the leg's stdout
/// and stderr back on pipes the engine reads:
///   jobs   outside an allocation (a login node): each leg is a job of its own, queued as Slurm
///          decides; stopped with `scancel --signal=TERM JOB`, then `scancel JOB`.
///   steps  inside an allocation (SLURM_JOB_ID is set: a batch script): each leg is a step of
///          it, `srun --exclusive`, so steps share the allocation without oversubscribing it
///          and a step waits for free resources (Pending); stopped with `scancel --signal=TERM
///          JOB.STEP`, then `scancel JOB.STEP`: only that step, never the allocation.
/// Slurm places the leg and binds its GPUs (`CUDA_VISIBLE_DEVICES` is Slurm's). On the node, a
/// line `[asha-running] JOB.STEP` is printed first: the leg left the queue. Every scancel and
/// squeue runs as a control command of the engine, batched, never waited for in the loop.

#include "asha/experiment.hpp"
#include "backends/launcher.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace asha {

struct SlurmLauncherOptions {
    BackendSpec spec;
    bool steps = false;      ///< legs are steps of `allocation`
    std::string allocation;  ///< the tuner's job id (steps)
    /// "asha-<label>-<run id>": legs are named <prefix>-<trial>, a name no other run's legs
    /// have (the label is only for people reading squeue: run directories can share names).
    std::string job_prefix;
    std::filesystem::path run_dir;
};

/// Checks what a Slurm run needs before anything starts (srun, scancel, squeue in PATH: Error
/// cannot_start) and chooses the mode: steps when the tuner runs inside an allocation.
SlurmLauncherOptions slurm_launcher_options(const ExperimentConfig& config,
                                            const std::filesystem::path& run_dir,
                                            const std::string& run_id);

/// "asha-<label>-<run_id>": the label is the run directory's last non-empty component (a
/// trailing slash has an empty one), with anything but letters, digits, '.', '_' and '-' as
/// '_', at most 24 characters ("run" when none is left), so that a name never has a space.
std::string slurm_job_prefix(const std::filesystem::path& run_dir, const std::string& run_id);

/// A Slurm leg's handle in the journal, one encoding for both modes:
///   jobs   "slurm NAME [JOB]"
///   steps  "slurm-step ALLOCATION NAME [JOB.STEP]"
/// The id is there once the leg ran (its `running` record); stops and a resume address a leg
/// by it, and by its name (unique to the run) only while the id was never learned.
struct SlurmHandle {
    bool step = false;
    std::string allocation;  ///< steps: the job they belong to
    std::string name;
    std::string id;  ///< "" until the leg runs
    std::string encode() const;
    /// nullopt for any other handle (a local leg's, or malformed text).
    static std::optional<SlurmHandle> decode(const std::string& handle);
};

/// The srun command line of one leg (`trial` is its own argv).
std::vector<std::string> srun_argv(const SlurmLauncherOptions& options, const std::string& job_name,
                                   const std::vector<std::string>& trial);

/// What the two modes share: srun per leg, its output on pipes, the running marker, batched
/// scancels (control commands), the exit from srun's status.
class SlurmLauncher : public Launcher {
  public:
    LaunchPlan plan(const LegSpec& leg, TrialProcess& process) override;
    LauncherTraits traits() const override { return {true, false}; }
    bool take_line(TrialProcess& process, std::string_view line) override;
    void stop(TrialProcess& process, bool kill) override;
    TrialExit describe_exit(TrialProcess& process) override;
    std::vector<ControlCommand> take_commands() override;
    void release(TrialProcess& process) override;
    void kill_now(const std::vector<TrialProcess*>& legs) override;

    /// What a leg prints on its node when it leaves the queue.
    static constexpr std::string_view kRunningMarker = "[asha-running]";

  protected:
    explicit SlurmLauncher(SlurmLauncherOptions options) : options_(std::move(options)) {}
    /// The id that addresses the leg, from the marker's "JOB.STEP".
    virtual std::string id_of(const std::string& job_dot_step) const = 0;
    /// Withdraws a leg still waiting for resources (it has no id yet).
    virtual void stop_queued(TrialProcess& process) = 0;
    /// The environment of srun, from the trial's.
    virtual void adapt_environment(std::vector<std::string>& /*env*/) const {}

    /// asha-<label>-<run id>-<trial>: unique to the run, so a name never reaches another run.
    std::string job_name(const TrialProcess& process) const;
    /// The job id (jobs) or JOB.STEP (steps) the leg runs under; "" while it waits in the queue.
    const std::string& slurm_id(const TrialProcess& process) const;

    SlurmLauncherOptions options_;
    std::map<TrialId, std::string> ids_;  // of the legs that run, from their running marker
    // Stops asked for since the last take_commands(), sent as one scancel per kind.
    std::set<std::string> term_, cancel_, cancel_names_;
};

/// Legs as jobs of their own (outside an allocation): addressed by job id, or by name while
/// queued; Slurm's word on a failed job comes from squeue.
class SlurmJobsLauncher final : public SlurmLauncher {
  public:
    explicit SlurmJobsLauncher(SlurmLauncherOptions options) : SlurmLauncher(std::move(options)) {}
    std::optional<ExitQuery> exit_query(const TrialProcess& process,
                                        const TrialExit& exit) override;
    LegStarted describe(const TrialProcess& process) const override;
    /// Cancels the dead tuner's jobs (by id; by name those it never saw run) and kills its
    /// srun processes on this machine.
    std::string reclaim(const std::vector<RunningLeg>& legs) override;

  protected:
    std::string id_of(const std::string& job_dot_step) const override;
    void stop_queued(TrialProcess& process) override;
    void adapt_environment(std::vector<std::string>& env) const override;
};

/// Legs as steps of the allocation the tuner runs in: addressed as JOB.STEP, never the job;
/// a step waiting for resources is withdrawn by ending its srun.
class SlurmStepsLauncher final : public SlurmLauncher {
  public:
    explicit SlurmStepsLauncher(SlurmLauncherOptions options) : SlurmLauncher(std::move(options)) {}
    LegStarted describe(const TrialProcess& process) const override;
    /// Cancels the dead tuner's steps (by id; those it never saw run, found by name with
    /// squeue -s) and kills its srun processes on this machine.
    std::string reclaim(const std::vector<RunningLeg>& legs) override;

  protected:
    std::string id_of(const std::string& job_dot_step) const override { return job_dot_step; }
    void stop_queued(TrialProcess& process) override;
};

/// The launcher of `options`' mode.
std::unique_ptr<Launcher> make_slurm_launcher(SlurmLauncherOptions options);

}  // namespace asha
