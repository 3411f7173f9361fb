#pragma once
/// Renders the status table and summary lines as strings. Time is passed in, so every output is
/// tested as an exact string without a clock or a terminal.

#include "asha/experiment.hpp"
#include "asha/run_writer.hpp"
#include "asha/scheduler.hpp"
#include "asha/trial.hpp"
#include "run/run_reader.hpp"

#include <string>
#include <vector>

namespace asha {

/// The book's table: trial_id, status, iter, each hyperparameter, resource, metric, worker-time.
/// With more than `max_rows` trials it shows the running and the best ones first (by id), then a
/// line saying how many are left out. `now` adds the running legs' time to worker-time.
std::string render_table(const std::vector<TrialRecord>& trials, const ExperimentConfig& config,
                         std::size_t max_rows, double now);

/// "2 trials running, 9 finished (5 until the end), 185.40s wallclock-time"
std::string render_progress_line(const RunSummary& summary);

/// "validation_error: best 0.134 for trial-id 4" (or a line saying there is no result yet).
std::string render_best_line(const RunSummary& summary, const ExperimentConfig& config);
/// A run of several objectives: its Pareto front, one line per point (the first 10).
std::string render_front(const RunSummary& summary, const ExperimentConfig& config);

/// How the metric fell rung by rung, one rung per line (empty without rungs, e.g. FIFO):
/// "  bracket 1, epoch 4: 7 trials, best 0.5455, cutoff 0.898" (the bracket only with several).
std::string render_rungs(const std::vector<RungSummary>& rungs, const std::string& resource_attr);

/// PASHA's top rung: "PASHA: trials go up to epoch 8 of 12; raised once, the last at 139.9 s
/// (epsilon 0.0216)".
std::string render_top_rung(const TopRungState& top, const ExperimentConfig& config);

/// Worker utilisation and the reason the run ended.
std::string render_run_end(const RunSummary& summary);

}  // namespace asha
