#pragma once
/// Chooses and builds the backend of a run: the simulator, or the process engine with the
/// launcher the config asks for (local supervised processes, Slurm jobs or steps). In two
/// steps, so that everything a backend needs is checked before the run directory exists.

#include "asha/backend.hpp"
#include "asha/experiment.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace asha {

class Benchmark;
struct LocalLauncherOptions;
struct RecordedCurves;

class BackendFactory {
  public:
    /// Checks what the backend needs and throws the error a user should see before anything is
    /// created: a command that does not exist, GPUs that are not there, Slurm's commands
    /// missing, a simulated benchmark that reads none of the config space's hyperparameters.
    /// `config` (and `recorded`: the curves a simulation replays instead of a benchmark) must
    /// outlive the factory and what it creates.
    BackendFactory(const ExperimentConfig& config, bool simulate,
                   const RecordedCurves* recorded = nullptr);
    ~BackendFactory();
    BackendFactory(const BackendFactory&) = delete;
    BackendFactory& operator=(const BackendFactory&) = delete;

    /// "simulate" or "local" (the journal header's `backend`; Slurm is a local kind).
    std::string journal_name() const { return simulate_ ? "simulate" : "local"; }
    bool simulated() const { return simulate_; }

    /// The backend of the run in `run_dir`, whose id is `run_id` (what it leaves outside the
    /// directory is named with it); `wake_fd` (a SignalWatcher's, or -1) interrupts its wait
    /// for events. The factory must outlive it (the simulator reads its benchmark).
    std::unique_ptr<Backend> create(const std::filesystem::path& run_dir, const std::string& run_id,
                                    int wake_fd);

  private:
    const ExperimentConfig& config_;
    bool simulate_;
    std::unique_ptr<Benchmark> benchmark_;         // simulate
    const RecordedCurves* recorded_ = nullptr;     // simulate on recorded curves
    std::vector<std::string> sim_extras_;          // simulate: objectives and constrained values
    std::unique_ptr<LocalLauncherOptions> local_;  // local processes
};

}  // namespace asha
