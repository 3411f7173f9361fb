#pragma once
/// What a leg is before anything runs: its command line, environment and directories (the
/// README's "The trial protocol"), computed from the run's settings and the Tuner's launch
/// alone, so that it is tested without starting a process.

#include "asha/backend.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace asha {

/// A leg as the engine starts it.
struct LegSpec {
    TrialId trial = 0;
    int leg = 0;
    std::vector<std::string> argv;
    std::vector<std::string> env;  ///< complete, "KEY=value"
    std::string cwd;               ///< "" = the tuner's
    std::filesystem::path trial_dir;
    std::filesystem::path checkpoint_dir;
};

/// What every leg of a run shares.
struct TrialCommand {
    std::vector<std::string> command;
    std::string max_resource_attr;     ///< "" = not passed
    std::filesystem::path trials_dir;  ///< absolute: <run dir>/trials
    std::string working_dir;           ///< "" = the tuner's
    std::vector<std::string> env;      ///< trial_environment()
};

/// The argv of one leg: command, --<hp> <value> for the config (max_resource_attr set to the
/// leg's milestone), --st_checkpoint_dir <dir>.
std::vector<std::string> trial_argv(const std::vector<std::string>& command, const Config& config,
                                    const std::string& max_resource_attr, double milestone,
                                    const std::string& checkpoint_dir);

/// The environment every leg of a run starts from: `inherited` (the tuner's) without the
/// variables set per leg (ASHA_TRIAL_ID, ASHA_TRIAL_DIR, ASHA_CHECKPOINT_DIR, ASHA_RUN_DIR) and
/// those the config's "env" sets, then the config's, PYTHONUNBUFFERED=1 unless either set it
/// (Python block-buffers stdout into a pipe or file: reports printed without flush=True would
/// arrive at exit, too late for early stopping), and `marker` (how the run's processes are found).
std::vector<std::string> trial_environment(
    std::vector<std::string> inherited,
    const std::vector<std::pair<std::string, std::string>>& overrides, const std::string& marker);

/// The leg `launch` of `run`: its argv, its environment (with ASHA_TRIAL_ID, ASHA_TRIAL_DIR and
/// ASHA_CHECKPOINT_DIR), its working directory and its trial's directories.
LegSpec leg_spec(const TrialCommand& run, const TrialLaunch& launch);

}  // namespace asha
