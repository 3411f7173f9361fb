#pragma once
/// What the report shows of one run, computed once from what read_run() read (the page only
/// draws it): each trial's curve and best value, the best trial, the best-so-far steps, the
/// makespan, each leg's worker slot and each worker's utilisation, the rung levels.

#include "run/run_reader.hpp"

#include <cmath>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace asha {

/// One trial's reports, in the order of results.csv.
struct TrialCurve {
    TrialId id = 0;
    std::vector<const ResultRow*> points;  ///< into RunData::results
    double best = INFINITY;                ///< its best badness (+inf: none finite)
};

/// Points into the RunData it was computed from, which must outlive it.
struct RunAnalysis {
    std::vector<TrialCurve> curves;  ///< by trial id
    std::optional<TrialId> best;     ///< the trial with the lowest best badness
    double best_badness = INFINITY;
    /// (time, metric) each time the best value so far improved, in time order.
    std::vector<std::pair<double, double>> best_so_far;
    double makespan = 0;     ///< when the last leg or report ended (or the summary's wall-clock)
    std::vector<int> slots;  ///< per leg (RunData::legs): its worker slot
    int workers = 0;         ///< the config's workers, or more slots if legs needed them
    std::vector<double> utilisation;  ///< per worker slot: busy time over the makespan
    std::set<double> rung_levels;     ///< every bracket's (none for FIFO)
};

RunAnalysis analyse_run(const RunData& run);

/// Gives each leg a worker slot (the lowest free one, legs taken in start order), so that legs
/// of one slot never overlap. Returns the slot per leg, in the order of `legs`.
std::vector<int> assign_worker_slots(const std::vector<LegRow>& legs);

/// The trial with id `id` in `run.trials`, or nullptr.
const TrialRecord* find_trial(const RunData& run, TrialId id);

/// The run's metric as a badness (lower is better) and back.
double badness_of(const RunData& run, double metric);
double metric_of(const RunData& run, double badness);

}  // namespace asha
