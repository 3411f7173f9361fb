#pragma once
/// The Pareto front of a run of several objectives: its non-dominated feasible full-fidelity
/// results (pareto.json, summary.json, `status`, the report). Pure.
///
/// A result counts when its trial reached max_t with it (the first such result of the trial; a
/// run without max_t counts every result), every objective is finite and it violates no
/// constraint. Among those, the front is the results no other dominates (equal results are all
/// on it).

#include "asha/experiment.hpp"
#include "asha/trial.hpp"

#include <vector>

namespace asha {

/// Collects the results that may be on the front as a run reports them.
class FrontCandidates {
  public:
    explicit FrontCandidates(double max_t) : max_t_(max_t) {}
    /// A result of `trial`; kept if it is the trial's first at full fidelity, finite and feasible.
    void offer(TrialId trial, double resource, const Observation& seen);
    const std::vector<FrontPoint>& points() const { return points_; }

  private:
    double max_t_;
    std::vector<FrontPoint> points_;
    std::vector<bool> counted_;  // by trial id: a full-fidelity result was seen
};

/// The non-dominated points of `candidates` under `objectives`' modes, best first in the first
/// objective (ties: by trial). O(n f d) for a front of f.
std::vector<FrontPoint> pareto_front(const std::vector<FrontPoint>& candidates,
                                     const std::vector<Objective>& objectives);

/// The area (two objectives; the volume for more) dominated by `front` and bounded by
/// `reference`, in the objectives' own units (a maximised objective counts from the reference
/// up). Points beyond the reference add nothing. Exact: a sweep for two objectives, O(f log f);
/// slices for more, O(f^(d-1) log f).
double hypervolume(const std::vector<FrontPoint>& front, const std::vector<Objective>& objectives,
                   const std::vector<double>& reference);

}  // namespace asha
