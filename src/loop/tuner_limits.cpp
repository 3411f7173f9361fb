// The Tuner's limits: the stop criteria of the run (time, trials, cost, a target metric), the
// trial and report timeouts, and the summary of where the run stands. Part of the Tuner class
// (asha/tuner.hpp), with its events in tuner.cpp.
#include "asha/tuner.hpp"
#include "policy/pareto_front.hpp"

#include "loop/leg_state.hpp"
#include "policy/run_limits.hpp"

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
        if (!leg.timed()) continue;
        std::string reason;
        if (config_.trial_timeout && t >= trial.leg_started + *config_.trial_timeout)
            reason = "ran longer than trial_timeout (" +
                     format_value(json(*config_.trial_timeout)) + " s)";
        else if (config_.report_timeout &&
                 t >= std::max(trial.leg_started, leg.last_report()) + *config_.report_timeout)
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
        if (!leg.timed()) continue;
        if (config_.trial_timeout)
            deadline = std::min(deadline, trial.leg_started + *config_.trial_timeout);
        if (config_.report_timeout)
            deadline = std::min(
                deadline, std::max(trial.leg_started, leg.last_report()) + *config_.report_timeout);
    }
    return start_time_ + deadline;
}

double Tuner::cost_at(double t) const {
    return finished_leg_time_ + static_cast<double>(running_.size() - pending_legs_) * t -
           running_leg_starts_;
}

void Tuner::check_stop_criteria() {
    if (ending_) return;
    const RunProgress progress{now(), counts_.completed,
                               counts_.completed + counts_.stopped + counts_.failed,
                               cost_at(now())};
    if (auto reason = met_stop_criterion(config_.stop, progress)) end_run(*reason, ExitCode::ok);
}

RunSummary Tuner::summary_at(double t) const {
    RunSummary s;
    s.stop_reason = stop_reason_;
    s.wallclock = t;
    s.busy_time = cost_at(t);
    s.workers = config_.workers;
    StatusCounts counts = counts_;
    counts.running = running_.size();
    for (const auto& trial : trials_) counts.paused += trial.status == TrialStatus::paused;
    s.set_counts(counts);
    s.best_trial = best_trial_;
    s.best_metric = best_metric_;
    s.best_resource = best_resource_;
    if (front_) {
        s.multi_objective = true;
        s.front = pareto_front(front_->points(), config_.objectives);
    }
    return s;
}

}  // namespace asha
