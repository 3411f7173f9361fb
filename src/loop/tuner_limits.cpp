// The Tuner's limits: the stop criteria of the run (time, trials, cost, a target metric), the
// trial and report timeouts, and the summary of where the run stands. Part of the Tuner class
// (asha/tuner.hpp), with its events in tuner.cpp.
#include "asha/tuner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace asha {

namespace {
constexpr double kNever = std::numeric_limits<double>::infinity();
}  // namespace

void Tuner::check_timeouts() {
    if (!config_.trial_timeout && !config_.report_timeout) return;
    const double t = now();
    for (TrialId id : running_) {
        const LegState& leg = legs_[static_cast<std::size_t>(id)];
        const TrialRecord& trial = trials_[static_cast<std::size_t>(id)];
        if (leg.stop_requested || leg.timed_out || leg.pending) continue;  // queued: not yet
        std::string reason;
        if (config_.trial_timeout && t >= trial.leg_started + *config_.trial_timeout)
            reason = "ran longer than trial_timeout (" +
                     format_value(json(*config_.trial_timeout)) + " s)";
        else if (config_.report_timeout &&
                 t >= std::max(trial.leg_started, leg.last_report) + *config_.report_timeout)
            reason = "no report for report_timeout (" +
                     format_value(json(*config_.report_timeout)) + " s)";
        else
            continue;
        time_out(id, reason, t);
    }
}

double Tuner::next_timeout() const {
    double deadline = kNever;
    if (!config_.trial_timeout && !config_.report_timeout) return deadline;
    for (TrialId id : running_) {
        const LegState& leg = legs_[static_cast<std::size_t>(id)];
        const TrialRecord& trial = trials_[static_cast<std::size_t>(id)];
        if (leg.stop_requested || leg.timed_out || leg.pending) continue;  // queued: not yet
        if (config_.trial_timeout)
            deadline = std::min(deadline, trial.leg_started + *config_.trial_timeout);
        if (config_.report_timeout)
            deadline = std::min(
                deadline, std::max(trial.leg_started, leg.last_report) + *config_.report_timeout);
    }
    return start_time_ + deadline;
}

double Tuner::cost_at(double t) const {
    return finished_leg_time_ + static_cast<double>(running_.size() - pending_legs_) * t -
           running_leg_starts_;
}

void Tuner::check_stop_criteria() {
    if (ending_) return;
    const StopCriteria& stop = config_.stop;
    auto fmt = [](double x) { return format_value(json(x)); };
    if (stop.max_wallclock_time && now() >= *stop.max_wallclock_time)
        end_run("reached max_wallclock_time (" + fmt(*stop.max_wallclock_time) + " s)",
                ExitCode::ok);
    else if (stop.max_num_trials_completed &&
             completed_ >= static_cast<std::size_t>(*stop.max_num_trials_completed))
        end_run("reached max_num_trials_completed (" +
                    std::to_string(*stop.max_num_trials_completed) + ")",
                ExitCode::ok);
    else if (stop.max_num_trials_finished &&
             completed_ + stopped_ + failed_ >=
                 static_cast<std::size_t>(*stop.max_num_trials_finished))
        end_run("reached max_num_trials_finished (" +
                    std::to_string(*stop.max_num_trials_finished) + ")",
                ExitCode::ok);
    else if (stop.max_cost && cost_at(now()) >= *stop.max_cost)
        end_run("reached max_cost (" + fmt(*stop.max_cost) + " worker-seconds)", ExitCode::ok);
}

RunSummary Tuner::summary_at(double t) const {
    RunSummary s;
    s.stop_reason = stop_reason_;
    s.wallclock = t;
    s.busy_time = cost_at(t);
    s.workers = config_.workers;
    s.started = started_;
    s.running = running_.size();
    s.completed = completed_;
    s.stopped = stopped_;
    s.failed = failed_;
    for (const auto& trial : trials_) s.paused += trial.status == TrialStatus::paused;
    s.best_trial = best_trial_;
    s.best_metric = best_metric_;
    s.best_resource = best_resource_;
    return s;
}

}  // namespace asha
