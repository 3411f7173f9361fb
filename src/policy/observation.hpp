#pragma once
/// What a report tells a scheduler in a run of several objectives or with constraints (README
/// "Several objectives and constraints"): each objective's value and how far the report is from
/// feasible. Pure: reads the report's fields, nothing else.

#include "asha/experiment.hpp"
#include "asha/trial.hpp"

#include <vector>

namespace asha {

/// How far `fields` is from satisfying every constraint: the sum over the constraints of the
/// distance to the bound crossed, relative to the bound's size (|bound|; absolute for a bound of
/// 0). 0: feasible. +inf: a constrained value is missing, not a number, or not finite.
double constraint_violation(const json& fields, const std::vector<Constraint>& constraints);

/// The report's objectives in the config's order (NaN where the report lacks one or it is not a
/// number; the first is the report's metric) and its violation.
Observation observe(const Report& report, const ExperimentConfig& config);

/// Whether the run needs more than the metric of each report: several objectives or a constraint.
inline bool needs_observations(const ExperimentConfig& config) {
    return config.objectives.size() > 1 || !config.constraints.empty();
}

}  // namespace asha
