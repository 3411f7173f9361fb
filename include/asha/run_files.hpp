#pragma once
/// The schema of a run directory: its file names, the CSV columns and the JSON keys, declared
/// once and used by the writer (run/run_dir.cpp), the reader (run/run_reader.cpp) and whoever
/// reads a run from C++. The README's "The run directory" documents them for people, pandas
/// and shell scripts: a name changed here changes a format that users' scripts read.
///
/// Two columns are named by the experiment instead: the resource (`resource_attr`, e.g.
/// `epoch`) and the metric (`metric`); each hyperparameter is a column `config_<name>`.

#include <array>
#include <string>
#include <string_view>

namespace asha::run_files {

// Files in the run directory.
inline constexpr const char* metadata = "metadata.json";
inline constexpr const char* journal = "journal.jsonl";
inline constexpr const char* results = "results.csv";
inline constexpr const char* trials = "trials.csv";
inline constexpr const char* legs = "legs.csv";
inline constexpr const char* best = "best.json";
inline constexpr const char* summary = "summary.json";
inline constexpr const char* pareto = "pareto.json";  ///< several objectives: the front
inline constexpr const char* report = "report.html";
inline constexpr const char* tuner_pid = "tuner.pid";
/// trials/<id>/ holds one trial's files.
inline constexpr const char* trials_dir = "trials";
inline constexpr const char* trial_config = "config.json";
inline constexpr const char* trial_stdout = "stdout.log";
inline constexpr const char* trial_stderr = "stderr.log";
inline constexpr const char* trial_checkpoints = "checkpoints";

/// The column of hyperparameter `name` in results.csv and trials.csv.
inline std::string config_column(std::string_view name) {
    return "config_" + std::string(name);
}

/// results.csv: one row per accepted report. Columns in order: trial_id, tuner_time,
/// worker_time, <resource>, <metric>, the other objectives and the constrained values (in the
/// config's order), the other keys of the run's first report, decision, status, config_<hp>...
namespace results_csv {
inline constexpr const char* trial_id = "trial_id";
inline constexpr const char* tuner_time = "st_tuner_time";
inline constexpr const char* worker_time = "st_worker_time";
inline constexpr const char* decision = "st_decision";
inline constexpr const char* status = "st_status";
}  // namespace results_csv

/// trials.csv: one row per trial. Columns in order: `before_resource`, <resource>, <metric>,
/// (several objectives: each other objective), `after_metric`, config_<hp>...
namespace trials_csv {
inline constexpr const char* trial_id = "trial_id";
inline constexpr const char* status = "status";
inline constexpr const char* bracket = "bracket";
inline constexpr const char* legs = "legs";
inline constexpr const char* iter = "iter";  ///< accepted reports
inline constexpr const char* worker_time = "worker_time";
inline constexpr const char* leg_started = "leg_started";
inline constexpr const char* retries = "retries";
inline constexpr const char* gpus = "gpus";
inline constexpr const char* exit_code = "exit_code";  ///< -N: killed by signal N
inline constexpr const char* error = "error";
inline constexpr std::array before_resource = {trial_id, status, bracket, legs, iter};
inline constexpr std::array after_metric = {worker_time, leg_started, retries,
                                            gpus,        exit_code,   error};
}  // namespace trials_csv

/// legs.csv: one row per ended leg, columns in the order of `columns`.
namespace legs_csv {
inline constexpr const char* trial_id = "trial_id";
inline constexpr const char* leg = "leg";
inline constexpr const char* start = "start";
inline constexpr const char* end = "end";
inline constexpr const char* status = "status";
inline constexpr const char* exit_code = "exit_code";
inline constexpr const char* gpus = "gpus";
inline constexpr std::array columns = {trial_id, leg, start, end, status, exit_code, gpus};
}  // namespace legs_csv

/// best.json: the best trial. Also holds <resource>: the level of its best report.
namespace best_json {
inline constexpr const char* trial_id = "trial_id";
inline constexpr const char* metric = "metric";  ///< the metric's name
inline constexpr const char* mode = "mode";
inline constexpr const char* value = "value";  ///< the best value
inline constexpr const char* status = "status";
inline constexpr const char* config = "config";
inline constexpr const char* trial_dir = "trial_dir";
}  // namespace best_json

/// pareto.json: the Pareto front of a run of several objectives (policy/pareto_front.hpp).
/// `front` lists its points, best first in the first objective, each with `trial_id`,
/// <resource>, `values` ({objective: value}), `config` and `trial_dir`.
namespace pareto_json {
inline constexpr const char* objectives = "objectives";  ///< [{"name", "mode"}]
inline constexpr const char* front = "front";
inline constexpr const char* trial_id = "trial_id";
inline constexpr const char* values = "values";
inline constexpr const char* config = "config";
inline constexpr const char* trial_dir = "trial_dir";
}  // namespace pareto_json

/// summary.json: how the run ended (written at its end).
namespace summary_json {
inline constexpr const char* stop_reason = "stop_reason";
inline constexpr const char* wallclock = "wallclock";
inline constexpr const char* busy_worker_seconds = "busy_worker_seconds";
inline constexpr const char* workers = "workers";
inline constexpr const char* utilisation = "utilisation";
inline constexpr const char* started = "started";
inline constexpr const char* completed = "completed";
inline constexpr const char* stopped = "stopped";
inline constexpr const char* paused = "paused";
inline constexpr const char* failed = "failed";
inline constexpr const char* rungs = "rungs";
inline constexpr const char* front = "front";  ///< several objectives: pareto.json's `front`
/// Keys of each element of `rungs`.
namespace rung {
inline constexpr const char* bracket = "bracket";
inline constexpr const char* level = "level";
inline constexpr const char* recorded = "recorded";
inline constexpr const char* promoted = "promoted";
inline constexpr const char* cutoff = "cutoff";
inline constexpr const char* best = "best";
}  // namespace rung
}  // namespace summary_json

}  // namespace asha::run_files
