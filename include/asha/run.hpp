#pragma once
/// The library's entry point: run or resume one experiment. It is the composition root: it
/// builds the scheduler, the backend (through the factory), the run directory, the journal and
/// the Tuner, replays a journal to resume, and returns how the run ended. The command line
/// (src/cli/), the tests, the fuzzers and the benchmarks all run experiments through it.
///
///     asha::RunRequest request = asha::plan_run(asha::load_experiment("lenet.json"), {});
///     asha::RunOutcome outcome = asha::run_experiment(request);
///     // outcome.exit_code, outcome.summary.best_trial, outcome.dir / "results.csv", ...

#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "asha/run_writer.hpp"
#include "asha/scheduler.hpp"
#include "asha/trial.hpp"
#include "asha/tuner.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace asha {

/// One experiment to run: a new run, or one to continue from its journal.
struct RunRequest {
    ExperimentConfig config;    ///< validated (load_experiment / parse_experiment)
    std::filesystem::path dir;  ///< the run directory: created for a new run, existing to resume
    bool simulate = false;      ///< virtual time on a synthetic benchmark (config.benchmark)
    bool resume = false;        ///< continue `dir` from its journal.jsonl
    std::string command_line;   ///< for metadata.json and the journal header
};

/// How to plan a new run.
struct NewRunOptions {
    std::filesystem::path dir;  ///< empty: runs/<name>-<UTC time>
    bool simulate = false;
    bool resume_if_exists = false;  ///< `--resume`: continue `dir` if it has a journal
    std::string command_line;
};

/// A new run of `config`. With `resume_if_exists`, a `dir` that already holds a journal started
/// from the same config (workers may differ) is continued instead (plan_resume), and one from a
/// different config is a ConfigError naming the first difference.
RunRequest plan_run(ExperimentConfig config, const NewRunOptions& options);

/// Continue the run in `dir` (`asha-tune resume`): its experiment is the one its journal was
/// started with, with `overrides` (the keys a resume may change, e.g. workers) merged in.
/// Changes into the directory the run was started in, so that relative paths in `command` and
/// `working_dir` mean what they meant then. Error(bad_config) when `dir` has no journal.
RunRequest plan_resume(const std::filesystem::path& dir, const json& overrides,
                       const std::string& command_line);

/// What the caller brings to a run.
struct RunEnvironment {
    ProgressSink* progress = nullptr;  ///< redrawn after events (the CLI's terminal table)
    /// Readable when the run must be interrupted (a SignalWatcher's fd; real runs), or -1.
    int wake_fd = -1;
};

/// How a run ended.
struct RunOutcome {
    std::filesystem::path dir;
    std::string run_id;  ///< as the journal and metadata.json record it ("" before run ids)
    /// A resume found the run over (its journal says it finished): nothing ran; its end-of-run
    /// files were rewritten from the journal.
    bool already_ended = false;
    RunSummary summary;
    ExitCode exit_code = ExitCode::ok;
    std::vector<TrialRecord> trials;
    std::vector<RungSummary> rungs;
};

/// Brings the files of the run in `dir` in line with its journal when a tuner died before it
/// wrote them: results.csv, legs.csv, trials.csv and, for a run that had ended, best.json,
/// summary.json and the final report. Does nothing while a tuner holds the run (it keeps them
/// itself) or when its last tuner ended normally. Returns whether it rewrote them.
/// `asha-tune status` calls it; a resume rebuilds them the same way.
bool refresh_run(const std::filesystem::path& dir);

/// Runs `request` to its end. Throws Error (its code says which exit status) for what stops a
/// run from starting or going on: a bad config, a run directory another tuner holds, a journal
/// that cannot be replayed, a disk that cannot be written.
RunOutcome run_experiment(const RunRequest& request, const RunEnvironment& environment = {});

}  // namespace asha
