// Tuner::restore: rebuilding a run from its journal (asha-tune resume). The journal's records
// are decoded (run/journal_records.hpp) and fed, in order, into the same Tuner handlers that
// wrote them, so the scheduler receives exactly the calls it received the first time. While
// the feed runs, the Tuner's journal is set aside and its backend is a NullBackend, whose clock
// is the time of the record at hand and which starts and stops nothing: the Tuner itself does
// not know that it is being replayed. Then Tuner::resume_running_legs decides what becomes of
// the legs that were running when the last tuner died.
#include "asha/tuner.hpp"

#include "loop/leg_state.hpp"
#include "loop/null_backend.hpp"
#include "run/journal.hpp"
#include "run/journal_records.hpp"

#include <spdlog/spdlog.h>

#include <csignal>

#include <utility>

namespace asha {

namespace {

/// Old warnings and failures were logged the first time: replaying them stays silent.
class QuietLogs {
  public:
    QuietLogs() : level_(spdlog::get_level()) { spdlog::set_level(spdlog::level::err); }
    ~QuietLogs() { spdlog::set_level(level_); }
    QuietLogs(const QuietLogs&) = delete;
    QuietLogs& operator=(const QuietLogs&) = delete;

  private:
    spdlog::level::level_enum level_;
};

Error diverged(std::size_t line, const std::string& what) {
    return Error(ExitCode::bad_config,
                 "journal.jsonl line " + std::to_string(line) + ": " + what +
                     "; the run cannot be resumed exactly (was it started by another version of "
                     "asha-tune, or was its journal edited?)");
}

/// The error for a `start` record the scheduler does not reproduce.
Error not_suggested(std::size_t line, const StartRecord& r) {
    const char* verb = r.kind == LaunchKind::new_trial ? "start"
                       : r.kind == LaunchKind::retry   ? "retry"
                                                       : "promote";
    return diverged(line, std::string("the scheduler does not suggest to ") + verb + " trial " +
                              std::to_string(r.trial) + " here");
}

/// Whether `launch` is the leg of `start` record `r`; throws the divergence if not.
void check_start(const TrialLaunch& launch, const StartRecord& r, std::size_t line) {
    const std::string id = std::to_string(r.trial);
    if (launch.trial_id != r.trial || launch.kind != r.kind) throw not_suggested(line, r);
    if (launch.milestone != r.milestone)
        throw diverged(
            line, "trial " + id + " now gets milestone " + format_value(json(launch.milestone)));
    if (r.kind == LaunchKind::new_trial && (!r.config || launch.config != *r.config))
        throw diverged(line, "trial " + id + " now gets config " + launch.config.dump() +
                                 " instead of " + (r.config ? r.config->dump() : "none"));
}

}  // namespace

/// Feeds one journal through a Tuner: one method per record kind.
class JournalReplay {
  public:
    JournalReplay(Tuner& tuner, ReplayResult& result)
        : tuner_(tuner), clock_(tuner.backend_->legs_wait_in_queue()), result_(result) {
        // Each leg the Tuner starts is checked against the `start` record at hand, by
        // reference (a replay of a long run starts some 100,000 legs).
        clock_.on_start = [this](const TrialLaunch& launch) {
            if (!expected_) throw diverged(line_, "a leg starts where the journal has none");
            check_start(launch, *std::exchange(expected_, nullptr), line_);
        };
    }

    void feed(const JournalContents& journal) {
        {
            const SetAside aside(tuner_, clock_);  // however the feed ends, they come back
            for (std::size_t i = 0; i < journal.size(); ++i) {
                line_ = i + 2;  // line 1 is the header
                JournalRecord record;
                try {
                    record = journal.record(i);
                } catch (const json::exception& e) {
                    throw malformed(e.what());
                } catch (const std::invalid_argument& e) {
                    throw malformed(e.what());
                }
                clock_.advance_to(record_time(record));
                std::visit([this](const auto& r) { apply(r); }, record);
            }
        }
        tuner_.resumed_at_ = clock_.now();
    }

  private:
    /// While the journal is fed, the Tuner's backend is the NullBackend and its journal is
    /// set aside (nothing is written twice); the destructor puts both back.
    class SetAside {
      public:
        SetAside(Tuner& tuner, Backend& clock)
            : tuner_(tuner),
              backend_(std::exchange(tuner.backend_, &clock)),
              journal_(std::exchange(tuner.journal_, nullptr)) {}
        ~SetAside() {
            tuner_.backend_ = backend_;
            tuner_.journal_ = journal_;
        }
        SetAside(const SetAside&) = delete;
        SetAside& operator=(const SetAside&) = delete;

      private:
        Tuner& tuner_;
        Backend* backend_;
        JournalWriter* journal_;
    };

    Error malformed(const std::string& what) const {
        return Error(ExitCode::bad_config,
                     "journal.jsonl line " + std::to_string(line_) + ": malformed record: " + what);
    }

    TrialRecord& trial(TrialId id) {
        if (id < 0 || static_cast<std::size_t>(id) >= tuner_.trials_.size())
            throw diverged(line_, "trial " + std::to_string(id) + " was never started");
        return tuner_.trials_[static_cast<std::size_t>(id)];
    }
    LegState& leg(TrialId id) { return tuner_.legs_[static_cast<std::size_t>(id)]; }

    void apply(const StartRecord& r) {
        // The Tuner picks its next leg as a free worker would; the clock checks it is this one.
        auto next = tuner_.next_leg();
        if (!next) throw not_suggested(line_, r);
        expected_ = &r;
        tuner_.launch(next->suggestion, next->kind);
        if (expected_) throw not_suggested(line_, r);  // no leg started
        if (r.why && next->suggestion.why != r.why)    // journals of version 1 have none
            throw diverged(
                line_, "trial " + std::to_string(r.trial) + " is now promoted for another reason");
        // Nothing started: the journal's `started` record follows.
    }

    void apply(const StartedRecord& r) {
        TrialRecord& t = trial(r.trial);
        if (!leg(t.id).queued()) tuner_.running_leg_starts_ += r.time - t.leg_started;
        t.leg_started = r.time;
        t.gpus = r.gpus;
        tuner_.handles_[t.id] = r.handle;
        leg(t.id).set_output_offset(r.offset);
    }

    void apply(const ReportRecord& r) {
        TrialRecord& t = trial(r.trial);
        if (!tuner_.running_.count(t.id))
            throw diverged(line_,
                           "a report of trial " + std::to_string(t.id) + ", which is not running");
        const Report report{r.resource, r.metric,
                            report_fields(r, tuner_.config_.resource_attr, tuner_.config_.metric)};
        const std::size_t accepted = t.reports;
        tuner_.on_report(t, report, r.offset);
        if (t.reports == accepted)
            throw diverged(line_, "the report of trial " + std::to_string(t.id) +
                                      " is not accepted on replay");
        if (!interrupted_ && r.decision != tuner_.last_decision_)
            throw diverged(line_, "trial " + std::to_string(t.id) + " was decided " +
                                      to_string(r.decision) + ", the scheduler now decides " +
                                      to_string(tuner_.last_decision_));
        if (!interrupted_ && r.why && r.why != tuner_.last_why_)
            throw diverged(line_,
                           "trial " + std::to_string(t.id) + " is now decided for another reason");
        if (!interrupted_ && r.raised != tuner_.last_raised_)
            throw diverged(line_, std::string("PASHA's top rung ") +
                                      (r.raised ? "was raised after" : "is now raised after") +
                                      " this report of trial " + std::to_string(t.id) +
                                      (r.raised ? ", and is not now" : ", and was not then"));
    }

    void apply(const RunningRecord& r) { tuner_.on_running(trial(r.trial), r.handle); }

    void apply(const TimeoutRecord& r) { tuner_.time_out(trial(r.trial).id, r.reason, r.time); }

    void apply(const ExitRecord& r) {
        TrialRecord& t = trial(r.trial);
        if (!tuner_.running_.count(t.id))
            throw diverged(line_, "trial " + std::to_string(t.id) + " ended twice");
        // Legs the interrupt stopped short of their milestone carry on after the resume.
        if (interrupted_ && r.stopped_by_tuner && !reached_level(t.last_resource, t.milestone))
            return;
        tuner_.on_exit(t, TrialExit{r.exit_code, r.signal, r.stopped_by_tuner, r.stderr_tail});
    }

    void apply(const InterruptRecord&) {
        if (!tuner_.ending_) interrupted_ = true;  // while ending anyway, it only hurried the end
    }

    void apply(const EndRecord& r) {
        if (!interrupted_) tuner_.end_run(r.reason, static_cast<ExitCode>(r.exit_code));
    }

    void apply(const ResumeRecord&) {
        interrupted_ = false;
        result_.finished = false;
    }

    void apply(const FinishedRecord& r) {
        result_.finished = !interrupted_;
        result_.stop_reason = r.reason;
        result_.exit_code = static_cast<ExitCode>(r.exit_code);
    }

    void apply(const ClockRecord&) {}

    Tuner& tuner_;
    NullBackend clock_;
    const StartRecord* expected_ = nullptr;  // the `start` record the next start() must match
    ReplayResult& result_;
    std::size_t line_ = 0;
    bool interrupted_ = false;  // an interrupt that ended the run, to be undone
};

ReplayResult Tuner::restore(const JournalContents& journal) {
    ReplayResult result;
    QuietLogs quiet;
    JournalReplay(*this, result).feed(journal);
    result.records = journal.size();
    result.running = running_.size();
    for (TrialId id : running_) {
        RunningLeg leg{id, trials_[static_cast<std::size_t>(id)].legs - 1, ""};
        if (auto it = handles_.find(id); it != handles_.end()) leg.handle = it->second;
        result.running_legs.push_back(std::move(leg));
    }
    return result;
}

void Tuner::resume_running_legs() {
    // The backend says what it found; what becomes of each leg is decided here, the same way
    // for every backend.
    std::vector<TrialId> ended;
    for (TrialId id : std::vector<TrialId>(running_.begin(), running_.end())) {
        TrialRecord& trial = trials_[static_cast<std::size_t>(id)];
        LegState& leg = legs_[static_cast<std::size_t>(id)];
        leg.mark_resumed();
        LegProgress progress;
        progress.started = trial.leg_started;
        progress.last_report = std::max(trial.leg_started, leg.last_report());
        progress.resource = trial.last_resource;
        progress.stopping = leg.stop_sent();
        auto handle = handles_.find(id);
        if (handle != handles_.end()) progress.handle = handle->second;
        progress.gpus = trial.gpus;
        progress.output_offset = leg.output_offset();
        TrialLaunch launch{id,
                           leg.kind(),
                           trial.config,
                           trial.milestone,
                           trial.legs - 1,
                           trial.last_resource,
                           std::nullopt};
        if (auto taken = backend_->take_over(launch, progress)) {
            trial.gpus = taken->gpus;
            record_started(trial, *taken);
            // Asked again: the grace period of the first request died with the old tuner.
            if (progress.stopping) backend_->stop(id);
            continue;
        }
        // Gone with the old tuner (or ended by reclaim()): a leg being stopped, or one that had
        // reached its milestone, has nothing left to do; any other starts again.
        const bool done = progress.stopping || reached_level(progress.resource, trial.milestone);
        spdlog::info("(trial {}) {} its leg {} (it was running when the tuner stopped)", id,
                     done ? "ending" : "relaunching", launch.leg);
        if (done) {
            ended.push_back(id);
            continue;
        }
        if (progress.output_offset) launch.read_output_from = progress.output_offset;
        const LegStarted started = backend_->start(launch);
        trial.gpus = started.gpus;
        record_started(trial, started);
    }
    for (TrialId id : ended) {
        // What the resume's cleanup did to it: a stopping leg was killed.
        const bool stopping = legs_[static_cast<std::size_t>(id)].stop_sent();
        on_exit(trials_[static_cast<std::size_t>(id)],
                TrialExit{0, stopping ? SIGKILL : 0, stopping, ""});
    }
}

RunSummary Tuner::rewrite_ended_run() {
    // The clock stays where the journal ended.
    const RunSummary ended = summary_at(resumed_at_.value_or(0));
    if (writer_) writer_->finished(ended, trials_, scheduler_.rungs());
    return ended;
}

}  // namespace asha
