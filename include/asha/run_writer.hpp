#pragma once
/// What the tuner tells the outside world as the run goes: the run directory implements it, and
/// tests use it (or a fake) to see every result and trial end in order.

#include "asha/scheduler.hpp"
#include "asha/trial.hpp"

#include <string>

namespace asha {

/// The end of a run, as printed and written to disk.
struct RunSummary {
    std::string stop_reason;
    double wallclock = 0;  ///< tuner seconds from start to the last trial's end
    double busy_time = 0;  ///< worker-seconds spent in trial legs
    int workers = 0;
    std::size_t started = 0, running = 0, completed = 0, stopped = 0, paused = 0, failed = 0;
    std::optional<TrialId> best_trial;
    double best_metric = 0;
    double best_resource = 0;
    /// Several objectives: the non-dominated feasible full-fidelity results, best first in the
    /// first objective (policy/pareto_front.hpp); a run of several objectives has no one best.
    bool multi_objective = false;
    std::vector<FrontPoint> front;
    StatusCounts counts() const { return {started, running, completed, stopped, paused, failed}; }
    void set_counts(const StatusCounts& c) {
        started = c.started, running = c.running, completed = c.completed, stopped = c.stopped,
        paused = c.paused, failed = c.failed;
    }
    /// busy_time / (workers * wallclock); 1 when nothing ran.
    double utilisation() const {
        return wallclock > 0 && workers > 0 ? busy_time / (workers * wallclock) : 1.0;
    }
};

class RunWriter {
  public:
    virtual ~RunWriter() = default;
    /// Before the trial's leg is started (its directory must exist by then).
    virtual void trial_started(const TrialRecord&) {}
    /// An accepted report and the decision taken on it.
    virtual void result(const TrialRecord&, const Report&, Decision, double /*tuner_time*/) {}
    virtual void trial_ended(const TrialRecord&, const std::vector<TrialRecord>& /*all*/) {}
    /// Called after every event, so that periodic outputs (snapshots, reports) can be refreshed.
    virtual void tick(const std::vector<TrialRecord>& /*all*/) {}
    /// The tuner is about to wait for the next event: make everything written so far durable
    /// enough for readers (flush buffers).
    virtual void flush() {}
    virtual void finished(const RunSummary&, const std::vector<TrialRecord>&,
                          const std::vector<RungSummary>&) {}
};

}  // namespace asha
