#pragma once
/// Where trials run, as the config says it: the local GPUs ("gpus", "gpus_per_trial",
/// "trials_per_gpu") and the backend ("backend": "local", "slurm", or an object with Slurm's
/// settings). Part of parse_experiment (experiment.cpp).

#include "asha/experiment.hpp"
#include "asha/json_check.hpp"

namespace asha {

/// Reads the GPU keys of the top-level `doc` into `gpus`.
void parse_gpus(const json& doc, const JsonPath& where, GpuSpec& gpus);
/// Reads "backend" (`spec`, at `where`).
BackendSpec parse_backend(const json& spec, const JsonPath& where);

}  // namespace asha
