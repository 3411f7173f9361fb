#include "asha/tuner.hpp"

#include "loop/leg_state.hpp"
#include "policy/leg_outcome.hpp"
#include "policy/observation.hpp"
#include "policy/pareto_front.hpp"
#include "policy/run_limits.hpp"
#include "run/journal.hpp"
#include "run/journal_records.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>
#include <csignal>

#include <cmath>
#include <limits>

namespace asha {

namespace {
constexpr double kNever = std::numeric_limits<double>::infinity();
}  // namespace

Tuner::Tuner(const ExperimentConfig& config, Scheduler& scheduler, Backend& backend,
             RunWriter* writer, ProgressSink* progress)
    : config_(config),
      scheduler_(scheduler),
      backend_(&backend),
      writer_(writer),
      progress_(progress),
      failures_(std::make_unique<FailurePolicy>(config.max_failures,
                                                config.abort_on_identical_failures)) {
    if (multi_objective(config)) front_ = std::make_unique<FrontCandidates>(config.max_t);
}

Tuner::~Tuner() = default;

RunResult Tuner::run() {
    if (resumed_at_) backend_->resume_clock(*resumed_at_);
    start_time_ = backend_->now() - resumed_at_.value_or(0);
    if (resumed_at_) {
        record(ResumeRecord{now(), ::getpid()});
        resume_running_legs();
        check_timeouts();  // as the lost tuner did after its last event
        check_stop_criteria();
    }
    for (;;) {
        if (!ending_) fill_free_workers();
        if (running_.empty()) {
            if (!ending_)
                end_run(no_new_trials_
                            ? "reached max_num_trials_started (" +
                                  std::to_string(*config_.stop.max_num_trials_started) + ")"
                            : "the scheduler has nothing more to run",
                        ExitCode::ok);
            break;
        }
        if (!backend_->event_ready()) {      // about to wait: make what we have durable
            if (journal_) journal_->idle();  // the journal first: it is ahead of everything
            if (writer_) writer_->flush();   // readers see every row while we wait
        }
        if (auto event = backend_->next_event(next_deadline())) handle(*event);
        check_timeouts();
        check_stop_criteria();
        // A heartbeat bounds the time a crash can take off the run's clock (see resume).
        if (journal_ && now() - last_record_ >= 10) record(ClockRecord{now()});
        if (writer_) writer_->tick(trials_);
        if (progress_) progress_->update(*this, now(), false);
    }
    record(FinishedRecord{now(), stop_reason_, static_cast<int>(exit_code_)});
    if (journal_) journal_->close();
    RunResult result{summary(), exit_code_};
    if (progress_) progress_->update(*this, now(), true);
    if (writer_) writer_->finished(result.summary, trials_, scheduler_.rungs());
    return result;
}

double Tuner::next_deadline() const {
    double deadline = kNever;
    if (config_.stop.max_wallclock_time && !ending_)
        deadline = start_time_ + *config_.stop.max_wallclock_time;
    if (progress_) deadline = std::min(deadline, start_time_ + progress_->next_update(now()));
    deadline = std::min(deadline, next_timeout());
    return deadline;
}

template <typename Record>
void Tuner::record(const Record& record) {
    if (!journal_) return;  // none set, or set aside while a journal is replayed
    last_record_ = record.time;
    journal_->append(JournalRecord(record));
}

void Tuner::stop_leg(TrialId trial, bool immediately) {
    legs_[static_cast<std::size_t>(trial)].mark_stop_sent();
    backend_->stop(trial, immediately);
}

void Tuner::record_started(const TrialRecord& trial, const LegStarted& started) {
    if (started.handle.empty()) return;  // nothing outlives the tuner (simulator), or a replay
    handles_[trial.id] = started.handle;
    legs_[static_cast<std::size_t>(trial.id)].set_output_offset(started.output_offset);
    record(StartedRecord{trial.leg_started, trial.id, started.handle, trial.gpus,
                         started.output_offset});
}

void Tuner::fill_free_workers() {
    while (!ending_ && running_.size() < static_cast<std::size_t>(config_.workers)) {
        auto next = next_leg();
        if (!next) return;
        launch(next->suggestion, next->kind);
    }
}

std::optional<Tuner::NextLeg> Tuner::next_leg() {
    if (!retry_queue_.empty()) {
        const TrialRecord& trial = trials_[static_cast<std::size_t>(retry_queue_.front())];
        retry_queue_.pop_front();
        Suggestion again;
        again.kind = Suggestion::Kind::resume;
        again.trial_id = trial.id;
        again.milestone = trial.milestone;
        again.bracket = trial.bracket;
        return NextLeg{again, LaunchKind::retry};
    }
    auto suggestion = scheduler_.suggest(static_cast<TrialId>(trials_.size()), !no_new_trials_);
    if (!suggestion) return std::nullopt;
    return NextLeg{*suggestion, suggestion->kind == Suggestion::Kind::start ? LaunchKind::new_trial
                                                                            : LaunchKind::promote};
}

void Tuner::launch(const Suggestion& s, LaunchKind kind) {
    if (s.kind == Suggestion::Kind::start) {
        TrialRecord record;
        record.id = s.trial_id;
        record.config = s.config;
        record.bracket = s.bracket;
        trials_.push_back(std::move(record));
        legs_.emplace_back();
        ++counts_.started;
        if (config_.stop.max_num_trials_started &&
            counts_.started >= static_cast<std::size_t>(*config_.stop.max_num_trials_started))
            no_new_trials_ = true;
    }
    TrialRecord& trial = trials_.at(static_cast<std::size_t>(s.trial_id));
    trial.status = TrialStatus::in_progress;
    trial.milestone = s.milestone;
    LegState& leg = legs_[static_cast<std::size_t>(s.trial_id)];
    leg = LegState(kind, leg.output_offset());
    TrialLaunch launch{
        trial.id, kind, trial.config, s.milestone, trial.legs, trial.last_resource, std::nullopt};
    record(StartRecord{now(), trial.id, trial.legs, kind, trial.bracket, s.milestone,
                       kind == LaunchKind::new_trial ? std::optional(trial.config) : std::nullopt,
                       s.why});
    ++trial.legs;
    if (writer_) writer_->trial_started(trial);
    const LegStarted started = backend_->start(launch);
    trial.leg_started = now();  // after the spawn: an idle gap includes the cost of starting
    trial.gpus = started.gpus;
    running_.insert(trial.id);
    if (backend_->legs_wait_in_queue()) {  // busy from its `running` event on, not before
        leg.wait_in_queue();
        ++pending_legs_;
        trial.status = TrialStatus::pending;
    } else {
        running_leg_starts_ += trial.leg_started;
    }
    record_started(trial, started);
    spdlog::debug("(trial {}) - {} config {} up to {}", trial.id,
                  trial.legs == 1 ? "scheduled" : "resumed", trial.config.dump(), s.milestone);
}

void Tuner::handle(const BackendEvent& event) {
    switch (event.kind) {
        case BackendEvent::Kind::interrupted: {
            ++interrupts_;
            record(InterruptRecord{now(), event.signal});
            ExitCode code =
                event.signal == 2 ? ExitCode::interrupted_int : ExitCode::interrupted_term;
            if (interrupts_ == 1) {
                spdlog::warn(
                    "received signal {}: stopping all trials (again to skip the {} s grace period)",
                    event.signal, config_.stop_grace_period);
                end_run("interrupted by signal " + std::to_string(event.signal), code);
            } else {
                spdlog::warn("second interrupt: killing all trials now");
                for (TrialId id : running_) stop_leg(id, true);
            }
            return;
        }
        case BackendEvent::Kind::warning:
            // Shown with its tag, as users have seen it ("json: ignored a report: ...").
            warn_once(event.trial_id, event.warning_kind,
                      event.warning_kind + ": " + event.message);
            return;
        case BackendEvent::Kind::report:
            on_report(trials_.at(static_cast<std::size_t>(event.trial_id)), event.report,
                      event.offset);
            return;
        case BackendEvent::Kind::running:
            on_running(trials_.at(static_cast<std::size_t>(event.trial_id)), event.handle);
            return;
        case BackendEvent::Kind::exit:
            on_exit(trials_.at(static_cast<std::size_t>(event.trial_id)), event.exit);
            return;
    }
}

void Tuner::on_running(TrialRecord& trial, const std::string& handle) {
    LegState& leg = legs_[static_cast<std::size_t>(trial.id)];
    if (!leg.queued()) return;
    const double t = now();
    // Queued legs learn their address when they run (a Slurm job or step id): journal it, so
    // that a resume stops them by id rather than by name.
    if (!handle.empty()) handles_[trial.id] = handle;
    record(RunningRecord{t, trial.id, handle});
    leg.leave_queue();
    --pending_legs_;
    trial.leg_started = t;
    running_leg_starts_ += t;
    if (trial.status == TrialStatus::pending) trial.status = TrialStatus::in_progress;
}

void Tuner::warn_once(TrialId trial, const std::string& kind, const std::string& message) {
    if (!warned_.emplace(trial, kind).second) return;
    spdlog::warn("(trial {}) {} (further warnings of this kind for this trial are not shown)",
                 trial, message);
}

void Tuner::on_report(TrialRecord& trial, const Report& report, std::uint64_t offset) {
    if (!std::isfinite(report.resource) || report.resource <= trial.last_resource) {
        // A resumed script that does not checkpoint replays its earlier epochs: ignore those.
        if (trial.legs <= 1 && !legs_[static_cast<std::size_t>(trial.id)].resumed())
            warn_once(trial.id, "resource",
                      "ignored a report with " + config_.resource_attr + " = " +
                          format_value(json(report.resource)) + ": it must grow past " +
                          format_value(json(trial.last_resource)));
        return;
    }
    LegState& leg = legs_[static_cast<std::size_t>(trial.id)];
    const double t = now();  // one time for the journal, the results row and the timeouts
    leg.accept_report(t, offset);
    ++trial.reports;
    trial.last_resource = report.resource;
    trial.last_metric = report.metric;
    // Several objectives or constraints: the scheduler ranks every objective and the
    // constraints; an infeasible report is never the best.
    std::optional<Observation> seen;
    if (needs_observations(config_)) seen = observe(report, config_);
    if (front_) {
        front_->offer(trial.id, report.resource, *seen);
        trial.last_objectives.assign(seen->values.begin() + 1, seen->values.end());
    }
    double key = badness(report.metric, config_.mode == Mode::max);
    if (can_be_best(report.metric) && (!seen || seen->violation == 0) &&
        (!best_trial_ || key < best_badness_)) {
        best_trial_ = trial.id;
        best_badness_ = key;
        best_metric_ = report.metric;
        best_resource_ = report.resource;
    }
    Verdict verdict{Decision::stop, std::nullopt};
    const bool asks_scheduler = leg.asks_scheduler();
    if (asks_scheduler) {
        verdict = seen ? scheduler_.on_observation(trial.id, report.resource, *seen)
                       : scheduler_.on_report(trial.id, report.resource, report.metric);
    } else if (leg.stop_cause() == StopCause::run_ending) {
        // The scheduler is not asked: the run's end decides.
        verdict.why = DecisionReason::unranked(DecisionReason::Rule::run_ending, trial.bracket,
                                               report.resource, report.metric);
    }
    const Decision decision = verdict.decision;
    last_decision_ = decision;
    last_why_ = verdict.why;
    last_raised_ = verdict.raised;
    if (verdict.raised)
        spdlog::info(
            "PASHA: trials now go up to {} {}: at {} {} trial {} ranks at place {}, outside its "
            "group (values within epsilon {}) one rung below",
            config_.resource_attr, format_value(json(verdict.raised->level)), config_.resource_attr,
            format_value(json(verdict.raised->compared)), verdict.raised->trial,
            verdict.raised->place + 1, format_value(json(verdict.raised->epsilon)));
    if (journal_) {
        // "fields" is left out when it holds only the resource and the metric (the replay puts
        // them back): most reports are such, and this is the most frequent record.
        const bool plain = report.fields.size() == 2 &&
                           report.fields.contains(config_.resource_attr) &&
                           report.fields.contains(config_.metric);
        record(ReportRecord{t, trial.id, report.resource, report.metric, decision,
                            plain ? std::nullopt : std::optional(report.fields), offset,
                            verdict.why, verdict.raised});
    }
    if (writer_) writer_->result(trial, report, decision, t);
    if (asks_scheduler) apply(trial, decision, report.resource);
    if (auto reached = reached_metric_target(config_.stop, config_.metric, trial.id, report.metric))
        end_run(*reached, ExitCode::ok);
}

void Tuner::apply(TrialRecord& trial, Decision decision, double resource) {
    LegState& leg = legs_[static_cast<std::size_t>(trial.id)];
    // A script told its milestone through max_resource_attr ends its leg by itself; one that is
    // not told, or that reports past its milestone anyway, is stopped.
    const bool told_milestone = !config_.max_resource_attr.empty();
    switch (decision) {
        case Decision::stop:
            leg.request_stop(StopCause::scheduler);
            stop_leg(trial.id);
            return;
        case Decision::pause:
            if (leg.reach_milestone() || !told_milestone) stop_leg(trial.id);
            return;
        case Decision::proceed:
            if (reached_level(resource, config_.max_t) &&
                (leg.reach_milestone() || !told_milestone))
                stop_leg(trial.id);
            return;
    }
}

void Tuner::on_exit(TrialRecord& trial, const TrialExit& exit) {
    const double t = now();
    record(ExitRecord{t, trial.id, exit.exit_code, exit.signal, exit.stopped_by_tuner,
                      exit.stderr_tail});
    LegState& leg = legs_[static_cast<std::size_t>(trial.id)];
    running_.erase(trial.id);
    if (leg.leave_queue()) {  // ended in the queue: it never ran
        --pending_legs_;
        trial.leg_started = t;
    } else {
        running_leg_starts_ -= trial.leg_started;
    }
    trial.leg_ended = t;
    double leg_time = trial.leg_ended - trial.leg_started;
    trial.worker_time += leg_time;
    finished_leg_time_ += leg_time;
    trial.exit_code = exit.signal ? -exit.signal : exit.exit_code;
    const LegOutcome outcome = classify_leg_end(leg.facts(trial, config_.max_t), exit,
                                                ReportNames{config_.metric, config_.resource_attr});
    trial.status = outcome.status;
    const bool failed = trial.status == TrialStatus::failed || trial.status == TrialStatus::timeout;
    if (failed) trial.error = outcome.error;
    if (outcome.ended_short)
        warn_once(trial.id, "short",
                  "exited before reaching " + config_.resource_attr + " " +
                      format_value(json(trial.milestone)) + "; counted as completed");
    const LegEnd how = outcome.how;
    if (failed && !ending_ && trial.retries < config_.max_retries) {
        // Relaunched from its checkpoint before any new work; the scheduler only hears of the
        // trial's final outcome.
        ++trial.retries;
        spdlog::warn("(trial {}) {}: {}; retrying ({} of {})", trial.id, to_string(trial.status),
                     trial.error, trial.retries, config_.max_retries);
        if (writer_) writer_->trial_ended(trial, trials_);
        trial.status = TrialStatus::in_progress;
        retry_queue_.push_back(trial.id);
        return;
    }
    if (failed) {
        ++counts_.failed;
        spdlog::warn("(trial {}) {}: {}", trial.id,
                     trial.status == TrialStatus::timeout ? "timed out" : "failed", trial.error);
    }
    if (trial.status == TrialStatus::completed) ++counts_.completed;
    if (trial.status == TrialStatus::stopped) ++counts_.stopped;
    scheduler_.on_leg_end(trial.id, how);
    if (writer_) writer_->trial_ended(trial, trials_);
    if (auto reason = failures_->trial_ended(trial, failed, counts_.failed))
        end_run(*reason, ExitCode::too_many_failures);
}

void Tuner::time_out(TrialId id, const std::string& reason, double t) {
    LegState& leg = legs_[static_cast<std::size_t>(id)];
    leg.time_out(reason);
    record(TimeoutRecord{t, id, reason});
    stop_leg(id);
}

void Tuner::end_run(const std::string& reason, ExitCode code) {
    if (ending_) return;
    ending_ = true;
    stop_reason_ = reason;
    exit_code_ = code;
    record(EndRecord{now(), reason, static_cast<int>(code)});
    spdlog::info("{}: stopping {} running trial(s)", reason, running_.size());
    for (TrialId id : running_) {
        legs_[static_cast<std::size_t>(id)].request_stop(StopCause::run_ending);
        stop_leg(id);
    }
}

}  // namespace asha
