#pragma once
/// The HTML report's view of a run of several objectives: its Pareto front (a scatter of every
/// full-fidelity result with the front drawn, for two objectives; a table for more) and its
/// hypervolume against time.

#include "run/run_reader.hpp"

#include <string>

namespace asha {

/// The "Pareto front" part of a run's section ("" for a run of one objective).
std::string pareto_section(const RunData& run);

}  // namespace asha
