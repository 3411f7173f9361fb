#include "report/run_summary_json.hpp"

#include "asha/config_space.hpp"
#include "policy/config_names.hpp"
#include "run/run_dir.hpp"

#include <cmath>

namespace asha {

json counts_json(const RunSummary& s) {
    return {{"started", s.started}, {"running", s.running}, {"completed", s.completed},
            {"stopped", s.stopped}, {"paused", s.paused},   {"failed", s.failed}};
}

json best_json(const RunSummary& s, const ExperimentConfig& c, const json& config) {
    if (!s.best_trial) return nullptr;
    json value = std::isfinite(s.best_metric) ? json(s.best_metric)
                                              : json(format_value(json(s.best_metric)));
    return {{"trial_id", *s.best_trial},
            {"value", value},
            {"metric", value},
            {c.resource_attr, s.best_resource},
            {"config", config}};
}

json run_summary_json(const std::string& run_dir, const std::string& run_id, const char* state,
                      const ExperimentConfig& c, const RunSummary& s, const json& best_config,
                      bool ended, const std::vector<TrialRecord>& trials) {
    if (s.multi_objective) {  // the front instead of one best
        return {{"run_dir", run_dir},
                {"run_id", run_id},
                {"state", state},
                {"objectives", objectives_json(c)},
                {"front", front_points_json(s.front, c, trials)},
                {"stop_reason", ended ? json(s.stop_reason) : json()},
                {"wallclock", s.wallclock},
                {"utilisation", s.utilisation()},
                {"trials", counts_json(s)}};
    }
    return {{"run_dir", run_dir},
            {"run_id", run_id},
            {"state", state},
            {"metric", c.metric},
            {"mode", name_of(kModeNames, c.mode)},
            {"best", best_json(s, c, best_config)},
            {"stop_reason", ended ? json(s.stop_reason) : json()},
            {"wallclock", s.wallclock},
            {"utilisation", s.utilisation()},
            {"trials", counts_json(s)}};
}

const char* run_state(const RunData& run) {
    return run.finished ? "finished" : run.running ? "running" : "interrupted";
}

json status_json(const std::string& run_dir, const RunData& run, const RunSummary& s) {
    json config;
    for (const auto& t : run.trials)
        if (s.best_trial && t.id == *s.best_trial) config = t.config;
    json out = run_summary_json(run_dir, run.run_id, run_state(run), run.config, s, config,
                                run.summary.is_object(), run.trials);
    if (run.top_rung)
        out["pasha"] = {{"top_level", run.top_rung->level},
                        {"raises", run.top_rung->raises},
                        {"last_raise_time", run.top_rung->since},
                        {"epsilon", run.top_rung->epsilon}};
    return out;
}

}  // namespace asha
