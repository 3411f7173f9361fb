#pragma once
/// Legs on this machine, supervised in a session of their own: by the run's keeper
/// (supervisor/keeper.hpp, one process for every leg this tuner starts; keeper_link.hpp), or,
/// where no keeper answers, by a supervisor per leg (supervisor/supervisor.hpp). The trial
/// writes its logs itself, its supervisor keeps its process group killable and records its
/// end, so a tuner that dies costs nothing and a resume takes the legs over where they are.
/// GPUs come from a pool (CUDA_VISIBLE_DEVICES per leg).

#include "asha/experiment.hpp"
#include "backends/gpu_pool.hpp"
#include "backends/keeper_link.hpp"
#include "backends/launcher.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>

namespace asha {

/// A local leg's handle in the journal, one encoding:
///   "keeper PID TICKS"      the run's keeper that supervises the leg, and its start time
///   "supervisor PID TICKS"  the leg's own supervisor and its start time (one process, for
///                           good)
///   "pgid N"                asha-tune 0.1's: the trial's process group (read, never written)
struct LocalHandle {
    pid_t supervisor = 0;  ///< the keeper's or the supervisor's pid
    unsigned long long ticks = 0;
    pid_t group = 0;      ///< an old handle's process group; then supervisor is 0
    bool keeper = false;  ///< supervisor is the run's keeper
    std::string encode() const;
    /// nullopt for any other handle (a Slurm leg's, or malformed text).
    static std::optional<LocalHandle> decode(const std::string& handle);
};

struct LocalLauncherOptions {
    std::filesystem::path run_dir;
    /// What runs a leg's supervisor: asha-supervise, or asha-tune itself (its hidden mode).
    std::string supervisor;
    double stop_grace_period = 5;
    double orphan_timeout = 120;
    /// One keeper for every leg (false: a supervisor per leg, as where no keeper answers;
    /// ASHA_TUNE_SUPERVISOR_PER_LEG=1 in the tuner's environment).
    bool keeper = true;
    std::vector<int> gpus;  ///< empty: CUDA_VISIBLE_DEVICES is left alone
    int gpus_per_trial = 1;
    int trials_per_gpu = 1;
};

/// What a local run needs, checked before anything starts: GPUs for the workers (ConfigError);
/// detects GPUs for "auto"; finds the supervisor program.
LocalLauncherOptions local_launcher_options(const ExperimentConfig& config);

class LocalLauncher : public Launcher {
  public:
    explicit LocalLauncher(LocalLauncherOptions options);
    ~LocalLauncher() override;

    LaunchPlan plan(const LegSpec& leg, TrialProcess& process) override;
    void spawned(TrialProcess& process) override;
    void stop(TrialProcess& process, bool kill) override;
    LauncherTraits traits() const override { return {false, true}; }
    TrialExit describe_exit(TrialProcess& process) override;
    void release(TrialProcess& process) override;
    /// Removes the leg's records (its supervisor has ended).
    void forget_end(const TrialProcess& process) override;
    /// "supervisor <pid> <start time>", and the GPUs it holds.
    LegStarted describe(const TrialProcess& process) const override;
    /// Finds the supervisors of the running legs still at work (the journaled handle names a
    /// live supervisor that has started its trial) for adopt() to take over, and kills every
    /// other process of the run; "pgid N" (asha-tune 0.1's handles) names groups to kill.
    std::string reclaim(const std::vector<RunningLeg>& legs) override;
    bool adopt(const LegProgress& progress, TrialProcess& process) override;
    void kill_now(const std::vector<TrialProcess*>& legs) override;

  private:
    /// The keeper this tuner's legs go to; nullptr when none answers (then, and from then on,
    /// each leg gets a supervisor of its own).
    KeeperLink* keeper();
    void start_with_keeper(const LegSpec& leg, const SpawnSpec& spawn, TrialProcess& process);
    /// The link to keeper `h` (a dead tuner's), connecting once; nullptr when it is gone.
    KeeperLink* adopted_keeper(const LocalHandle& h);
    /// The keeper that supervises the leg; nullptr when it has a supervisor of its own.
    KeeperLink* keeper_of(const TrialProcess& process) const;

    LocalLauncherOptions options_;
    GpuPool pool_;
    std::string run_dir_;              // absolute
    std::filesystem::path cwd_;        // the tuner's (a leg without working_dir runs there)
    struct LocalLeg {                  // what this launcher keeps of a leg
        std::vector<int> gpus;         // the GPUs it holds
        unsigned long long ticks = 0;  // its supervisor's start time (/proc/PID/stat)
        KeeperLink* keeper = nullptr;  // the keeper that supervises it; nullptr: its own
        Fd end;                        // ours: a copy of the end pipe a keeper was sent
    };
    std::map<TrialId, LocalLeg> legs_;  // the legs started or taken over, until release()
    // The supervisors reclaim() found at work, by (trial, leg).
    std::map<std::pair<TrialId, int>, LocalHandle> at_work_;
    std::unique_ptr<KeeperLink> keeper_;  // ours, once started
    bool keeper_failed_ = false;          // none said hello, or ours is gone
    std::map<pid_t, std::unique_ptr<KeeperLink>> adopted_keepers_;  // dead tuners' keepers
};

}  // namespace asha
