#include "backends/leg_spec.hpp"

#include "asha/run_files.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace asha {

std::vector<std::string> trial_argv(const std::vector<std::string>& command, const Config& config,
                                    const std::string& max_resource_attr, double milestone,
                                    const std::string& checkpoint_dir) {
    std::vector<std::string> argv = command;
    bool milestone_written = false;
    auto milestone_text = [&] {
        return format_value(std::floor(milestone) == milestone
                                ? json(static_cast<std::int64_t>(milestone))
                                : json(milestone));
    };
    for (const auto& [name, value] : config.items()) {
        argv.push_back("--" + name);
        if (name == max_resource_attr && milestone > 0) {
            argv.push_back(milestone_text());
            milestone_written = true;
        } else {
            argv.push_back(format_value(value));
        }
    }
    if (!max_resource_attr.empty() && !milestone_written && milestone > 0) {
        argv.push_back("--" + max_resource_attr);
        argv.push_back(milestone_text());
    }
    argv.push_back("--st_checkpoint_dir");
    argv.push_back(checkpoint_dir);
    return argv;
}

std::vector<std::string> trial_environment(
    std::vector<std::string> inherited,
    const std::vector<std::pair<std::string, std::string>>& overrides, const std::string& marker) {
    std::vector<std::string> set_here = {"ASHA_TRIAL_ID", "ASHA_TRIAL_DIR", "ASHA_CHECKPOINT_DIR",
                                         "ASHA_RUN_DIR"};
    for (const auto& [key, value] : overrides) set_here.push_back(key);
    std::erase_if(inherited, [&](const std::string& entry) {
        const std::string key = entry.substr(0, entry.find('='));
        return std::find(set_here.begin(), set_here.end(), key) != set_here.end();
    });
    for (const auto& [key, value] : overrides) inherited.push_back(key + "=" + value);
    const bool buffering_set = std::any_of(
        inherited.begin(), inherited.end(),
        [](const std::string& entry) { return entry.rfind("PYTHONUNBUFFERED=", 0) == 0; });
    if (!buffering_set) inherited.push_back("PYTHONUNBUFFERED=1");
    inherited.push_back(marker);
    return inherited;
}

LegSpec leg_spec(const TrialCommand& run, const TrialLaunch& launch) {
    LegSpec spec;
    spec.trial = launch.trial_id;
    spec.leg = launch.leg;
    spec.trial_dir = run.trials_dir / std::to_string(launch.trial_id);
    spec.checkpoint_dir = spec.trial_dir / run_files::trial_checkpoints;
    spec.argv = trial_argv(run.command, launch.config, run.max_resource_attr, launch.milestone,
                           spec.checkpoint_dir.string());
    spec.env = run.env;
    spec.env.push_back("ASHA_TRIAL_ID=" + std::to_string(launch.trial_id));
    spec.env.push_back("ASHA_TRIAL_DIR=" + spec.trial_dir.string());
    spec.env.push_back("ASHA_CHECKPOINT_DIR=" + spec.checkpoint_dir.string());
    spec.cwd = run.working_dir;
    return spec;
}

}  // namespace asha
