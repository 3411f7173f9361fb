#pragma once
/// The scheduler API (after Syne Tune's): `suggest()` when a worker is free, `on_report()` for
/// every accepted report, `on_leg_end()` when a trial's process ends. Pure policy: no I/O, no
/// clock, no threads; randomness comes from the Rng it is given.

#include "asha/experiment.hpp"
#include "asha/searcher.hpp"
#include "asha/trial.hpp"

#include <memory>
#include <optional>
#include <string>

namespace asha {

/// One row of the per-rung summary shown in status output and reports.
struct RungSummary {
    int bracket = 0;
    double level = 0;
    std::size_t recorded = 0;
    std::size_t promoted = 0;  ///< promotion variants: trials promoted from this rung
    double cutoff = 0;         ///< the rung's current q_k quantile of the metric (NaN if empty)
    double best = 0;           ///< the best metric recorded at this rung (NaN if none is finite)
};

class Scheduler {
  public:
    virtual ~Scheduler() = default;

    /// What a free worker should do, or nullopt if nothing can run now (sync_sh waiting on a rung).
    /// A new trial gets the id `next_id`; with `allow_new` false only paused trials may resume
    /// (the run has started as many trials as it may).
    virtual std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) = 0;
    /// A report whose resource grew past the trial's previous one: the decision, and why when a
    /// rung or max_t was reached. O(log n).
    virtual Verdict on_report(TrialId trial, double resource, double metric) = 0;
    /// A report of a run with several objectives or constraints (MO-ASHA ranks all of it); the
    /// other schedulers rank its first objective.
    virtual Verdict on_observation(TrialId trial, double resource, const Observation& seen) {
        return on_report(trial, resource, seen.metric());
    }
    virtual void on_leg_end(TrialId trial, LegEnd how) = 0;
    virtual std::vector<RungSummary> rungs() const { return {}; }
};

struct RecordedCurves;

/// Builds the searcher described by the config (random, bohb, tpe); `rng` must outlive it.
/// `recorded` (a simulation on recorded curves, which must outlive it): its configurations are
/// the search space.
std::unique_ptr<Searcher> make_searcher(const ExperimentConfig& config, Rng& rng,
                                        const RecordedCurves* recorded = nullptr);

/// Builds the scheduler described by the config, with its searcher; `rng` (and `recorded`)
/// must outlive it.
std::unique_ptr<Scheduler> make_scheduler(const ExperimentConfig& config, Rng& rng,
                                          const RecordedCurves* recorded = nullptr);

}  // namespace asha
