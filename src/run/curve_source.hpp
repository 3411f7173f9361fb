#pragma once
/// Reads the recorded curves a simulation replays (`simulator.curves`, `simulate --curves`):
/// tables of learning curves (CSV, gzip-compressed or not) or finished run directories, whose
/// results.csv is such a table and whose trials.csv says which trials failed.

#include "asha/experiment.hpp"
#include "policy/recorded_curves.hpp"

#include <memory>

namespace asha {

/// The curves of `config.curves` (nullptr when it names none), checked against the config: its
/// space, resource_attr, metrics and constrained values. Bad input is a ConfigError naming the
/// file and line.
std::shared_ptr<const RecordedCurves> load_recorded_curves(const ExperimentConfig& config);

/// `curves` as a table in the format load_recorded_curves reads (README "Simulating on your own
/// curves"): `config_<name>` for every hyperparameter of `space`, `resource_attr`, every value,
/// st_worker_time and status (Failed or Completed), one row per curve and level.
std::string curves_table_csv(const RecordedCurves& curves, const ConfigSpace& space,
                             const std::string& resource_attr);

/// Writes `text` to `path` atomically, gzip-compressed when `path` ends in ".gz".
void write_maybe_gzipped(const std::string& path, const std::string& text);

/// The text of `path`, decompressed when it is gzip (by its first two bytes); ConfigError if it
/// cannot be read.
std::string read_maybe_gzipped(const std::string& path);

}  // namespace asha
