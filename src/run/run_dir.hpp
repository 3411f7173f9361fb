#pragma once
// clang-format off
/// Everything a run writes to disk, in a directory that people, pandas and shell scripts read:
///   metadata.json  resolved config, seed, version, host, start time, command line
///   results.csv    one row per accepted report, appended as reports arrive and flushed
///                  before the tuner waits for the next event
///   trials.csv     one row per trial (rewritten atomically at most once a second, and at the end)
///   legs.csv       one row per ended leg: trial, leg, start, end, status, exit code, GPUs
///   best.json      the best trial, its config and metric (with trials.csv)
///   summary.json   why the run ended, utilisation, counts, per-rung table (at the end)
///   report.html    the HTML report (asha-tune report), rewritten while the run goes
///   journal.jsonl  every event, appended before it takes effect: the source of truth, from which
//                  `asha-tune resume` rebuilds everything else (journal.hpp)
//   tuner.pid      the running tuner's pid, locked while it runs (run_lock.hpp); removed at the end
///   trials/<id>/   config.json, stdout.log, stderr.log, checkpoints/ (real runs)
// clang-format on

#include "asha/experiment.hpp"
#include "asha/run_files.hpp"
#include "asha/run_writer.hpp"
#include "run/run_lock.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>

namespace asha {

/// [{"name", "mode"}] of the config's objectives (pareto.json, summary and status JSON).
json objectives_json(const ExperimentConfig& config);
/// The points of a Pareto front as pareto.json lists them, without their trial_dir: trial_id,
/// <resource>, values ({objective: value}) and config (from `trials`, by id).
json front_points_json(const std::vector<FrontPoint>& front, const ExperimentConfig& config,
                       const std::vector<TrialRecord>& trials);

struct RunDirOptions {
    bool trial_dirs = true;  ///< create trials/<id>/ with config.json (real runs)
    bool flush_when_idle =
        true;  ///< flush results.csv / legs.csv whenever the tuner waits (simulations: at the end)
    std::string command_line;  ///< for metadata.json
    std::string run_id;        ///< for metadata.json (run/run_id.hpp)
    /// Writes report.html from the run directory (`ended`: the final, static page). RunDir only
    /// decides when; the HTML layer draws it (report/html_report.hpp: write_html_report), so
    /// that the run layer does not depend on the layer that reads runs back. Empty: no report.
    std::function<void(bool ended)> write_page;
    double page_interval = 30;  ///< seconds between live report rewrites while running; 0: never
    /// Continue the existing run in `path` (asha-tune resume): results.csv and legs.csv are
    /// rebuilt from the journal's replay into temporary files that replay_done() puts in place.
    bool resume = false;
};

class RunDir : public RunWriter {
  public:
    /// Creates `path` (it must not exist: a run is never overwritten), locks it and writes
    /// metadata.json; with options.resume, locks the existing run instead. Throws
    /// Error(cannot_start) if that fails or another tuner holds the run.
    RunDir(std::filesystem::path path, const ExperimentConfig& config, RunDirOptions options);
    ~RunDir() override;
    RunDir(const RunDir&) = delete;
    RunDir& operator=(const RunDir&) = delete;

    /// runs/<name>-<UTC timestamp>, with a -2, -3... suffix if that exists already.
    static std::filesystem::path default_path(const ExperimentConfig& config);

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path trial_dir(TrialId id) const {
        return path_ / run_files::trials_dir / std::to_string(id);
    }

    /// Resume: the replay has rewritten results.csv and legs.csv; they replace the old ones.
    void replay_done();
    /// Writes trials.csv for `trials` now (a run rebuilt from its journal that has not ended).
    void snapshot(const std::vector<TrialRecord>& trials) { write_snapshot(trials, nullptr); }
    /// Every file of the run is written: tuner.pid goes (finished() does it at the end of a
    /// run). One left behind tells `status` that a tuner died before it wrote them.
    void files_complete() { lock_->remove_file(); }

    void trial_started(const TrialRecord& trial) override;
    void result(const TrialRecord& trial, const Report& report, Decision decision,
                double tuner_time) override;
    void trial_ended(const TrialRecord& trial, const std::vector<TrialRecord>& all) override;
    void flush() override;
    void tick(const std::vector<TrialRecord>& all) override;
    void finished(const RunSummary& summary, const std::vector<TrialRecord>& trials,
                  const std::vector<RungSummary>& rungs) override;

  private:
    void write_header(const Report& first);
    /// pareto.json's document: the objectives and the front with each trial's config.
    json pareto_json(const std::vector<FrontPoint>& front,
                     const std::vector<TrialRecord>& trials) const;
    void write_snapshot(const std::vector<TrialRecord>& trials, const RunSummary* summary);
    void check_write(bool ok, const char* what) const;

    void open_csv_files(const char* suffix);

    std::filesystem::path path_;
    const ExperimentConfig& config_;
    RunDirOptions options_;
    std::unique_ptr<RunLock> lock_;
    std::FILE* results_ = nullptr;
    std::FILE* legs_ = nullptr;
    bool header_written_ = false;
    std::vector<std::string> extra_columns_;
    std::set<std::string> warned_keys_;
    std::chrono::steady_clock::time_point last_snapshot_{};
    /// None until the first live report, which the first event writes.
    std::optional<std::chrono::steady_clock::time_point> last_page_;
};

/// Writes `content` to `path` through a temporary file and a rename, so readers never see half.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

/// One CSV field, quoted when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

}  // namespace asha
