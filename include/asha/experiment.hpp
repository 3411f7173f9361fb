#pragma once
/// The whole experiment config file, parsed and validated before anything starts.
/// Field names follow Syne Tune; the README's "Config reference" documents every key.

#include "asha/config_space.hpp"

#include <optional>
#include <string>
#include <vector>

namespace asha {

enum class Mode { min, max };

enum class SchedulerType { fifo, asha, sync_sh, pasha };
enum class AshaVariant { stopping, promotion };
enum class ReportFormat { tune_metric, key_value };
/// When journal.jsonl is fdatasync'ed (journal.hpp).
enum class JournalSync { batch, always, never };
/// How MO-ASHA orders a rung of several objectives (README "Several objectives and constraints").
enum class MoPriority { non_dominated, linear_scalarization };

/// One objective: a reported key, minimised or maximised.
struct Objective {
    std::string name;
    Mode mode = Mode::min;
};

/// A bound on a reported value: a report outside it is infeasible.
struct Constraint {
    std::string name;
    std::optional<double> min, max;  ///< at least one is set
};

struct SchedulerSpec {
    SchedulerType type = SchedulerType::asha;
    AshaVariant variant = AshaVariant::stopping;
    double grace_period = 1;
    double reduction_factor = 3;
    int brackets = 1;
    /// sync_sh: how many rounds may run at once (1 = strictly one round at a time).
    int rounds_in_flight = 2;
    /// Several objectives: how a rung is ordered, and the weights of linear_scalarization
    /// (empty: all 1).
    MoPriority priority = MoPriority::non_dominated;
    std::vector<double> weights;
};

/// Any criterion that is set ends the run (see README "Stopping").
struct StopCriteria {
    std::optional<double> max_wallclock_time;
    std::optional<std::int64_t> max_num_trials_started;
    std::optional<std::int64_t> max_num_trials_completed;
    std::optional<std::int64_t> max_num_trials_finished;
    std::optional<double> max_cost;
    std::optional<double> min_metric_value;
    std::optional<double> max_metric_value;
};

/// How GPUs are given to trials (local backend).
/// How new configurations are chosen (`searcher`, `searcher_options`).
struct SearcherSpec {
    enum class Type { random, bohb, tpe } type = Type::random;
    // bohb (HpBandSter's defaults)
    double top_fraction = 0.15;        ///< the share of observations that are "good"
    int num_samples = 64;              ///< candidates scored per suggestion
    double random_fraction = 1.0 / 3;  ///< suggestions drawn at random
    double bandwidth_factor = 3;       ///< widens the good density when drawing candidates
    double min_bandwidth = 1e-3;  ///< HpBandSter's; kMinBandwidthWithoutAvoidPending without it
    /// Syne Tune's BOHB default, for BOHB with avoid_pending false (unless min_bandwidth is given)
    static constexpr double kMinBandwidthWithoutAvoidPending = 0.1;
    int min_points_in_model = 0;  ///< 0: the number of hyperparameters + 1
    // tpe (Optuna's TPESampler defaults)
    int n_startup_trials = 10;  ///< random until this many trials have results
    int n_ei_candidates = 24;
    double prior_weight = 1.0;
    // both
    /// Trials still running without a result: TPE counts them as bad (a constant liar); BOHB
    /// suggests nothing in their neighbourhood.
    bool avoid_pending = true;
    int max_points = 512;  ///< per density, evenly spaced by rank
};

struct GpuSpec {
    enum class Source { automatic, none, list } source = Source::automatic;
    std::vector<int> ids;  ///< Source::list
    int gpus_per_trial = 1;
    int trials_per_gpu = 1;
};

/// Where trials run: this machine, or a Slurm cluster (each leg a job launched with srun).
struct BackendSpec {
    enum class Type { local, slurm } type = Type::local;
    // Slurm only.
    /// How legs run: as jobs of their own, or as steps of the allocation the tuner runs in
    /// (automatic: steps when SLURM_JOB_ID is set).
    enum class SlurmMode { automatic, jobs, steps } mode = SlurmMode::automatic;
    std::string partition;                ///< "" = the cluster's default
    int gpus_per_trial = 0;               ///< --gres=gpu:K (0: none requested)
    int cpus_per_trial = 0;               ///< --cpus-per-task (0: Slurm's default)
    std::string mem;                      ///< --mem, e.g. "16G" ("" = default)
    std::string time_limit;               ///< --time, e.g. "2:00:00" ("" = the partition's)
    std::vector<std::string> extra_args;  ///< more srun arguments, e.g. "--account=ml"
};

struct ExperimentConfig {
    std::string file;  ///< where it was read from, for messages
    std::string name = "experiment";
    std::vector<std::string> command;
    ConfigSpace config_space;
    std::vector<Config> points_to_evaluate;  ///< completed with midpoints
    std::string metric;  ///< the first objective (the only one of a single-objective run)
    Mode mode = Mode::min;
    /// Every objective, the first being metric / mode: `"metric"` (and `"mode"`) as lists.
    std::vector<Objective> objectives;
    std::vector<Constraint> constraints;  ///< `"constraints"`, in the order written
    std::string resource_attr = "epoch";
    std::string max_resource_attr;  ///< "" if unset
    double max_t = 0;               ///< 0 if unknown (fifo without max_t)
    SchedulerSpec scheduler;
    StopCriteria stop;
    int workers = 1;
    std::uint64_t seed = 0;

    BackendSpec backend;
    SearcherSpec searcher;

    // Running trials (local backend).
    GpuSpec gpus;
    double stop_grace_period = 5;
    /// Seconds a local leg's supervisor waits for a tuner after the one that started it died
    /// (kill -9, a crash, a reboot of the login shell) before it stops the trial: a resume
    /// within this time takes the trial over as it runs; an abandoned run trains nothing.
    double orphan_timeout = 120;
    std::optional<std::int64_t> max_failures;
    /// End the run (exit 4) when the first this-many trials to end all failed with the same
    /// error: a broken command should not burn the budget. 0 disables.
    std::int64_t abort_on_identical_failures = 3;
    int max_retries = 0;                   ///< relaunches of a failed or timed-out leg
    std::optional<double> trial_timeout;   ///< seconds one leg may run
    std::optional<double> report_timeout;  ///< seconds a leg may go without a report
    double print_update_interval = 30;
    /// Seconds between rewrites of report.html while the run goes on (the page then reloads
    /// itself at this interval); 0: written only at the end.
    double report_update_interval = 30;
    ReportFormat report_format = ReportFormat::tune_metric;
    std::string working_dir;  ///< "" = the directory the tuner was started in
    std::vector<std::pair<std::string, std::string>> env;
    JournalSync journal_fsync = JournalSync::batch;

    // Simulated runs.
    std::string benchmark = "lenet";
    /// Recorded curves to replay instead of a benchmark (simulator.curves): tables of learning
    /// curves (CSV, optionally gzip) or finished run directories; absolute once the file is read.
    std::vector<std::string> curves;
    double time_scale = 1;

    /// The document it was parsed from, as the user wrote it after ${config_dir} and the command
    /// line's overrides were applied; defaults are NOT filled in. The journal keeps it, so that
    /// a resume parses the same experiment (metadata.json adds the defaults for people).
    json document;
};

/// Whether the run optimises several objectives (MO-ASHA, a Pareto front instead of a best).
inline bool multi_objective(const ExperimentConfig& c) {
    return c.objectives.size() > 1;
}

/// Parses and validates; throws ConfigError naming `file` and the JSON path.
ExperimentConfig parse_experiment(const json& document, const std::string& file);

/// Reads the JSON file (ConfigError if it cannot be read or is not JSON), applies `overrides`
/// (merged into the document, as if written in the file) and parses it.
ExperimentConfig load_experiment(const std::string& path, const json& overrides = json::object());

/// Merges `patch` into `target` recursively (objects merge, other values replace).
void merge_json(json& target, const json& patch);

}  // namespace asha
