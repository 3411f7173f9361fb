#pragma once
/// Runs each trial leg as a subprocess on this machine (the README's "The trial protocol"): argv
/// and environment built from the config, its own session/process group, stdout and stderr logged
/// to the trial directory, stdout parsed into reports as lines arrive. One poll() waits on every
/// pipe, every child's pidfd and the signal pipe: no sleeping, no re-reading of files.

#include "asha/backend.hpp"
#include "asha/experiment.hpp"
#include "backends/gpu_pool.hpp"
#include "backends/process.hpp"
#include "backends/report_parser.hpp"
#include "backends/signals.hpp"

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>

namespace asha {

struct LocalBackendOptions {
    std::vector<std::string> command;
    std::string metric;
    std::string resource_attr;
    std::string max_resource_attr;  ///< "" = not passed
    ReportFormat report_format = ReportFormat::tune_metric;
    std::filesystem::path run_dir;
    std::string working_dir;  ///< "" = the tuner's
    std::vector<std::pair<std::string, std::string>> env;
    double stop_grace_period = 5;
    std::vector<int> gpus;  ///< empty: CUDA_VISIBLE_DEVICES is left alone
    int gpus_per_trial = 1;
    int trials_per_gpu = 1;
    int wake_fd = -1;  ///< SignalWatcher::fd(), or -1
    std::size_t max_line = 1 << 20;
    /// Set for the Slurm backend: each leg runs as `srun --job-name=<job_prefix>-<trial> ...
    /// <argv>` on the cluster; Slurm places it, binds its GPUs (CUDA_VISIBLE_DEVICES) and
    /// stops it (scancel). srun streams the task's stdout back through the same pipe.
    std::optional<BackendSpec> slurm;
    std::string job_prefix;  ///< "asha-<run directory name>"
};

/// Checks what a local run needs before anything starts: a command that exists (Error
/// cannot_start), GPUs for the workers (ConfigError). Detects GPUs for "auto".
LocalBackendOptions make_local_options(const ExperimentConfig& config);

/// The argv of one leg: command, --<hp> <value> for the config (max_resource_attr set to the
/// leg's milestone), --st_checkpoint_dir <dir>.
std::vector<std::string> trial_argv(const std::vector<std::string>& command, const Config& config,
                                    const std::string& max_resource_attr, double milestone,
                                    const std::string& checkpoint_dir);

/// Cancels Slurm jobs by name (scancel --name), e.g. those of a dead tuner. Returns how many
/// names scancel accepted.
std::size_t cancel_slurm_jobs(const std::vector<std::string>& job_names);

/// "ASHA_RUN_DIR=<canonical run dir>": in the environment of every trial process of the run and
/// of everything they start, which is how leftovers are found (kill_marked_processes).
std::string trial_marker(const std::filesystem::path& run_dir);

class LocalBackend : public Backend {
  public:
    explicit LocalBackend(LocalBackendOptions options);
    ~LocalBackend() override;

    double now() const override;
    void start(const TrialLaunch& launch) override;
    void stop(TrialId trial, bool immediately = false) override;
    std::optional<BackendEvent> next_event(double deadline) override;
    std::size_t running() const override { return children_.size(); }
    bool event_ready() const override { return !pending_.empty(); }
    std::string gpus_of(TrialId trial) const override;
    /// A leg that was being stopped, or had reached its milestone, ends at once (its old
    /// process was killed by the resume); any other is started again from its checkpoint.
    void resume_leg(const TrialLaunch& launch, const LegProgress& progress) override;
    /// "pgid <process group id>", or "slurm <job name>" on Slurm.
    std::string handle_of(TrialId trial) const override;
    /// Cancels the Slurm jobs among `handles` and kills every process that carries this run's
    /// trial marker (those of the listed process groups first).
    std::string reclaim(const std::vector<std::string>& handles) override;
    bool legs_wait_in_queue() const override { return options_.slurm.has_value(); }

  private:
    struct RunningChild {
        TrialId trial = 0;
        Child child;
        std::FILE* stdout_log = nullptr;
        std::FILE* stderr_log = nullptr;
        LineSplitter lines;
        std::string stderr_tail;
        std::vector<int> gpus;
        bool stopping = false;
        double kill_at = 0;  // SIGKILL time while stopping
        bool killed = false;
        bool running = false;  // Slurm: the job has started (its marker line was seen)
        std::string job_name;  // Slurm
        explicit RunningChild(std::size_t max_line) : lines(max_line) {}
        ~RunningChild();
    };

    void write_log(const RunningChild& rc, std::FILE* log, std::string_view bytes,
                   const char* name) const;
    void read_stdout(RunningChild& rc, bool until_eof);
    void read_stderr(RunningChild& rc, bool until_eof);
    void on_line(RunningChild& rc, std::string_view line, bool cut);
    void reap(std::map<TrialId, std::unique_ptr<RunningChild>>::iterator it);
    void kill_overdue();
    void signal_leg(RunningChild& rc, bool kill);
    std::vector<std::string> srun_argv(const RunningChild& rc,
                                       const std::vector<std::string>& trial) const;
    void kill_all_now();

    LocalBackendOptions options_;
    ReportParser parser_;
    GpuPool gpu_pool_;
    std::vector<std::string> base_env_;
    std::chrono::steady_clock::time_point epoch_;
    std::map<TrialId, std::unique_ptr<RunningChild>> children_;
    std::deque<BackendEvent> pending_;
    std::vector<char> buffer_;
};

}  // namespace asha
