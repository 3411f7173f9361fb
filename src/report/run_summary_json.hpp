#pragma once
/// A run's summary as JSON, in one shape for `--json` at the end of a run, `status --json` and
/// the dashboard (`serve`): what a script or a page reads is the same document everywhere.

#include "asha/experiment.hpp"
#include "asha/run_writer.hpp"
#include "run/run_reader.hpp"

#include <string>

namespace asha {

/// The counts by status: started, running, completed, stopped, paused, failed.
json counts_json(const RunSummary& s);

/// The best result, or null. "value" is the metric's value, as in best.json; "metric" holds the
/// same value for scripts written before 0.2 (deprecated: elsewhere "metric" is the name).
json best_json(const RunSummary& s, const ExperimentConfig& c, const json& config);

/// run_dir, run_id, state (finished, running, interrupted), metric, mode, best, stop_reason (null
/// while the run has not ended), wallclock, utilisation, trials. A run of several objectives has
/// `objectives` ([{name, mode}]) and `front` (pareto.json's points, `trials` giving the configs)
/// instead of metric, mode and best.
json run_summary_json(const std::string& run_dir, const std::string& run_id, const char* state,
                      const ExperimentConfig& c, const RunSummary& s, const json& best_config,
                      bool ended, const std::vector<TrialRecord>& trials = {});

/// The state of a run read back: "finished", "running" (its tuner lives) or "interrupted".
const char* run_state(const RunData& run);

/// `status --json` of a run read back (summarize(run) gives the numbers).
json status_json(const std::string& run_dir, const RunData& run, const RunSummary& s);

}  // namespace asha
