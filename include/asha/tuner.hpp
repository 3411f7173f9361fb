#pragma once
/// The one loop: start work while workers are free, wait for the next event, apply the
/// scheduler's decision, check the stop criteria. The same loop drives real processes and the
/// simulator. Only the Tuner knows both a scheduler and a backend.

#include "asha/backend.hpp"
#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "asha/run_writer.hpp"
#include "asha/scheduler.hpp"

#include <optional>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>

namespace asha {

class FrontCandidates;

class JournalWriter;
struct JournalContents;
class LegState;       // loop/leg_state.hpp
class FailurePolicy;  // policy/run_limits.hpp

/// Called after every event with the tuner, so a progress display can redraw when it likes;
/// `next_update` returns the backend time at which it wants to be called again without an event.
class ProgressSink {
  public:
    virtual ~ProgressSink() = default;
    virtual void update(const class Tuner& tuner, double now, bool final) = 0;
    virtual double next_update(double now) const = 0;
};

/// What replaying a journal found (Tuner::restore).
struct ReplayResult {
    std::size_t records = 0;
    bool finished = false;    ///< the run had ended (not by an interrupt): nothing to resume
    std::string stop_reason;  ///< why it ended, when finished
    ExitCode exit_code = ExitCode::ok;
    std::size_t running = 0;  ///< legs that were running, to relaunch or end
    /// The legs that were running, with their backend handles: their processes may have
    /// outlived the old tuner (Backend::reclaim).
    std::vector<RunningLeg> running_legs;
};

struct RunResult {
    RunSummary summary;
    ExitCode exit_code = ExitCode::ok;
};

class Tuner {
  public:
    Tuner(const ExperimentConfig& config, Scheduler& scheduler, Backend& backend,
          RunWriter* writer = nullptr, ProgressSink* progress = nullptr);
    ~Tuner();  // in tuner.cpp, where LegState is complete
    Tuner(const Tuner&) = delete;
    Tuner& operator=(const Tuner&) = delete;

    RunResult run();

    /// Every event is appended to `journal` before it has any effect (see journal.hpp).
    void set_journal(JournalWriter* journal) { journal_ = journal; }

    /// Rebuilds the state of an interrupted run by feeding its journal's records through this
    /// tuner and its (fresh) scheduler (loop/journal_replay.cpp): the same calls in the same
    /// order, so rungs, promotions and the RNG position come back exactly, and the writer
    /// rebuilds the derived files. Nothing is started or stopped while replaying; run() then
    /// continues the legs that were running. Throws Error(bad_config) naming the journal line
    /// where the replay disagrees with the record (a different config or asha-tune version).
    ReplayResult restore(const JournalContents& journal);
    /// After restore() found the run finished: writes its end-of-run files again (trials.csv,
    /// best.json, summary.json, the report) from the replayed state, since the tuner that
    /// ended it may have died before it wrote them. Returns the run's summary as it ended.
    RunSummary rewrite_ended_run();

    const ExperimentConfig& config() const { return config_; }
    const std::vector<TrialRecord>& trials() const { return trials_; }
    const Scheduler& scheduler() const { return scheduler_; }
    RunSummary summary() const { return summary_at(now()); }
    /// Tuner seconds since the run started, counted across resumes.
    double now() const { return backend_->now() - start_time_; }

  private:
    friend class JournalReplay;  // feeds the records of a journal through the handlers below

    struct NextLeg {
        Suggestion suggestion;
        LaunchKind kind;
    };
    void fill_free_workers();
    /// The leg a free worker takes next: a failed leg to retry first, else the scheduler's
    /// suggestion (which may be nothing).
    std::optional<NextLeg> next_leg();
    void launch(const Suggestion& suggestion, LaunchKind kind);
    void stop_leg(TrialId trial, bool immediately = false);
    void time_out(TrialId trial, const std::string& reason, double t);
    /// Appends one of journal_records.hpp's records (defined and used in tuner.cpp only).
    template <typename Record>
    void record(const Record& record);
    void record_started(const TrialRecord& trial, const LegStarted& started);
    void resume_running_legs();
    void handle(const BackendEvent& event);
    /// `offset`: where the report's line ends in the trial's stdout.log (0: not known).
    void on_report(TrialRecord& trial, const Report& report, std::uint64_t offset = 0);
    void on_running(TrialRecord& trial, const std::string& handle = "");
    void on_exit(TrialRecord& trial, const TrialExit& exit);
    void apply(TrialRecord& trial, Decision decision, double resource);
    void check_stop_criteria();
    void check_timeouts();
    double next_timeout() const;
    void end_run(const std::string& reason, ExitCode code);
    void warn_once(TrialId trial, const std::string& kind, const std::string& message);
    double cost_at(double t) const;
    RunSummary summary_at(double t) const;
    double next_deadline() const;

    const ExperimentConfig& config_;
    Scheduler& scheduler_;
    Backend* backend_;  // a NullBackend while restore() runs, else the real one
    RunWriter* writer_;
    ProgressSink* progress_;

    std::vector<TrialRecord> trials_;
    std::vector<LegState> legs_;
    std::set<TrialId> running_;        // legs started, exit not seen yet
    std::deque<TrialId> retry_queue_;  // failed legs to relaunch before anything new
    std::unique_ptr<FailurePolicy> failures_;
    std::set<std::pair<TrialId, std::string>> warned_;
    double start_time_ = 0;
    // Trials started, and ended for good by status (running and paused are counted when asked).
    StatusCounts counts_;
    double finished_leg_time_ = 0;   // worker-seconds of ended legs
    double running_leg_starts_ = 0;  // sum of leg start times of running legs, for cost in O(1)
    std::size_t pending_legs_ = 0;   // legs started but still queued (not counted as busy)
    std::optional<TrialId> best_trial_;
    double best_badness_ = 0, best_metric_ = 0, best_resource_ = 0;
    std::unique_ptr<FrontCandidates> front_;  // several objectives: results that may be on it
    bool ending_ = false;
    bool no_new_trials_ = false;
    int interrupts_ = 0;
    std::string stop_reason_;
    ExitCode exit_code_ = ExitCode::ok;

    JournalWriter* journal_ = nullptr;
    double last_record_ = 0;            // tuner time of the last journal record
    std::optional<double> resumed_at_;  // restore() ran: run() continues the clock from here
    Decision last_decision_ = Decision::proceed;  // of the last accepted report
    std::optional<DecisionReason> last_why_;      // and why (the replay compares it)
    std::optional<TopRaise> last_raised_;         // and PASHA's raise, if any (likewise)
    std::map<TrialId, std::string> handles_;      // backend handle of each trial's latest leg
};

}  // namespace asha
