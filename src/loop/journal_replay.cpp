// Tuner::restore: rebuilding a run from its journal (asha-tune resume). The journal is replayed
// through the same Tuner code paths that wrote it, with the backend and the journal switched
// off, so the scheduler receives exactly the calls it received the first time.
#include "asha/tuner.hpp"

#include "run/journal.hpp"

#include <spdlog/spdlog.h>

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

}  // namespace

ReplayResult Tuner::restore(const JournalContents& journal) {
    ReplayResult result;
    QuietLogs quiet;
    replaying_ = true;
    bool interrupted = false;  // an interrupt that ended the run, to be undone
    for (std::size_t i = 0; i < journal.size(); ++i) {
        const std::size_t line = i + 2;  // line 1 is the header
        try {
            replay(journal.record(i), line, interrupted, result);
        } catch (const json::exception& e) {
            replaying_ = false;
            throw Error(ExitCode::bad_config, "journal.jsonl line " + std::to_string(line) +
                                                  ": malformed record: " + e.what());
        } catch (const std::invalid_argument& e) {
            replaying_ = false;
            throw Error(ExitCode::bad_config, "journal.jsonl line " + std::to_string(line) +
                                                  ": malformed record: " + e.what());
        } catch (...) {
            replaying_ = false;
            throw;
        }
    }
    replaying_ = false;
    resumed_ = true;
    result.records = journal.size();
    result.running = running_.size();
    for (TrialId id : running_)
        if (auto it = handles_.find(id); it != handles_.end() && !it->second.empty())
            result.leftover_handles.push_back(it->second);
    return result;
}

void Tuner::rewrite_ended_run() {
    replaying_ = true;  // the clock stays where the journal ended
    const RunSummary ended = summary();
    replaying_ = false;
    if (writer_) writer_->finished(ended, trials_, scheduler_.rungs());
}

void Tuner::replay(const json& entry, std::size_t line, bool& interrupted, ReplayResult& result) {
    const std::string& event = entry.at("event").get_ref<const std::string&>();
    if (entry.contains("time"))
        replay_time_ = std::max(replay_time_, journal_double(entry["time"]));
    auto trial_of = [&]() -> TrialRecord& {
        auto id = entry.at("trial").get<TrialId>();
        if (id < 0 || static_cast<std::size_t>(id) >= trials_.size())
            throw diverged(line, "trial " + std::to_string(id) + " was never started");
        return trials_[static_cast<std::size_t>(id)];
    };
    if (event == "start") {
        replay_start(entry, line);
    } else if (event == "started") {
        TrialRecord& trial = trial_of();
        const double started = journal_double(entry.at("time"));
        if (!legs_[static_cast<std::size_t>(trial.id)].pending)
            running_leg_starts_ += started - trial.leg_started;
        trial.leg_started = started;
        trial.gpus = entry.value("gpus", "");
        handles_[trial.id] = entry.value("handle", "");
    } else if (event == "report") {
        TrialRecord& trial = trial_of();
        if (!running_.count(trial.id))
            throw diverged(
                line, "a report of trial " + std::to_string(trial.id) + ", which is not running");
        Report report;
        report.resource = journal_double(entry.at("resource"));
        report.metric = journal_double(entry.at("metric"));
        if (entry.contains("fields")) {
            report.fields = entry["fields"];
        } else {  // left out: it held the resource and the metric only
            report.fields = json::object();
            report.fields[config_.resource_attr] = report.resource;
            report.fields[config_.metric] = report.metric;
        }
        const std::size_t accepted = trial.reports;
        on_report(trial, report);
        if (trial.reports == accepted)
            throw diverged(line, "the report of trial " + std::to_string(trial.id) +
                                     " is not accepted on replay");
        const std::string& recorded = entry.at("decision").get_ref<const std::string&>();
        if (!interrupted && recorded != to_string(last_decision_))
            throw diverged(line, "trial " + std::to_string(trial.id) + " was decided " + recorded +
                                     ", the scheduler now decides " + to_string(last_decision_));
    } else if (event == "running") {
        on_running(trial_of());
    } else if (event == "timeout") {
        TrialRecord& trial = trial_of();
        LegState& leg = legs_[static_cast<std::size_t>(trial.id)];
        leg.timed_out = true;
        leg.timeout_reason = entry.value("reason", "timeout");
        stop_leg(trial.id);
    } else if (event == "exit") {
        TrialRecord& trial = trial_of();
        if (!running_.count(trial.id))
            throw diverged(line, "trial " + std::to_string(trial.id) + " ended twice");
        TrialExit exit;
        exit.exit_code = entry.value("exit_code", 0);
        exit.signal = entry.value("signal", 0);
        exit.stopped_by_tuner = entry.value("stopped_by_tuner", false);
        exit.stderr_tail = entry.value("stderr_tail", "");
        // Legs the interrupt stopped short of their milestone carry on after the resume.
        if (interrupted && exit.stopped_by_tuner &&
            !reached_level(trial.last_resource, trial.milestone))
            return;
        on_exit(trial, exit);
    } else if (event == "interrupt") {
        if (!ending_) interrupted = true;  // while ending anyway, it only hurried the end
    } else if (event == "end") {
        if (!interrupted)
            end_run(entry.value("reason", ""), static_cast<ExitCode>(entry.value("exit_code", 0)));
    } else if (event == "resume") {
        interrupted = false;
        result.finished = false;
    } else if (event == "finished") {
        result.finished = !interrupted;
        result.stop_reason = entry.value("reason", stop_reason_);
        result.exit_code = static_cast<ExitCode>(entry.value("exit_code", 0));
    } else if (event != "clock") {
        throw diverged(line, "unknown event \"" + event + "\"");
    }
}

void Tuner::replay_start(const json& entry, std::size_t line) {
    const auto id = entry.at("trial").get<TrialId>();
    const std::string& kind = entry.at("kind").get_ref<const std::string&>();
    if (kind == "retry") {
        if (retry_queue_.empty() || retry_queue_.front() != id)
            throw diverged(line, "trial " + std::to_string(id) + " is not waiting for a retry");
        retry_queue_.pop_front();
        const TrialRecord& trial = trials_[static_cast<std::size_t>(id)];
        Suggestion again;
        again.kind = Suggestion::Kind::resume;
        again.trial_id = id;
        again.milestone = trial.milestone;
        again.bracket = trial.bracket;
        launch(again, true);
        return;
    }
    auto suggestion = scheduler_.suggest(static_cast<TrialId>(trials_.size()), !no_new_trials_);
    const bool is_new = kind == "new";
    if (!suggestion || suggestion->trial_id != id ||
        (suggestion->kind == Suggestion::Kind::start) != is_new)
        throw diverged(line, "the scheduler does not suggest to " +
                                 std::string(is_new ? "start" : "promote") + " trial " +
                                 std::to_string(id) + " here");
    if (suggestion->milestone != journal_double(entry.at("milestone")))
        throw diverged(line, "trial " + std::to_string(id) + " now gets milestone " +
                                 format_value(json(suggestion->milestone)));
    if (is_new && suggestion->config != entry.at("config"))
        throw diverged(line, "trial " + std::to_string(id) + " now gets config " +
                                 suggestion->config.dump() + " instead of " +
                                 entry.at("config").dump());
    launch(*suggestion);
}

}  // namespace asha
