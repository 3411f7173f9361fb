#include "policy/run_limits.hpp"

#include "asha/errors.hpp"

namespace asha {

namespace {
std::string number(double x) {
    return format_value(json(x));
}
}  // namespace

std::optional<std::string> met_stop_criterion(const StopCriteria& stop, const RunProgress& run) {
    if (stop.max_wallclock_time && run.now >= *stop.max_wallclock_time)
        return "reached max_wallclock_time (" + number(*stop.max_wallclock_time) + " s)";
    if (stop.max_num_trials_completed &&
        run.completed >= static_cast<std::size_t>(*stop.max_num_trials_completed))
        return "reached max_num_trials_completed (" +
               std::to_string(*stop.max_num_trials_completed) + ")";
    if (stop.max_num_trials_finished &&
        run.finished >= static_cast<std::size_t>(*stop.max_num_trials_finished))
        return "reached max_num_trials_finished (" + std::to_string(*stop.max_num_trials_finished) +
               ")";
    if (stop.max_cost && run.cost >= *stop.max_cost)
        return "reached max_cost (" + number(*stop.max_cost) + " worker-seconds)";
    return std::nullopt;
}

std::optional<std::string> reached_metric_target(const StopCriteria& stop,
                                                 const std::string& metric, TrialId trial,
                                                 double value) {
    if (stop.min_metric_value && value <= *stop.min_metric_value)
        return "trial " + std::to_string(trial) + " reached " + metric +
               " <= " + number(*stop.min_metric_value);
    if (stop.max_metric_value && value >= *stop.max_metric_value)
        return "trial " + std::to_string(trial) + " reached " + metric +
               " >= " + number(*stop.max_metric_value);
    return std::nullopt;
}

std::optional<std::string> FailurePolicy::trial_ended(const TrialRecord& trial, bool failed,
                                                      std::size_t failures) {
    if (max_failures_ && failures >= static_cast<std::size_t>(*max_failures_))
        return std::to_string(failures) +
               " trials failed (max_failures = " + std::to_string(*max_failures_) +
               "); last error: " + trial.error;
    if (identical_ < 0) return std::nullopt;
    if (!failed || (identical_ > 0 && trial.error != first_error_)) {
        identical_ = -1;  // something worked, or failed differently: never again
        return std::nullopt;
    }
    first_error_ = trial.error;
    if (++identical_ >= abort_on_identical_ && abort_on_identical_ > 0)
        return "the first " + std::to_string(identical_) +
               " trials all failed the same way: " + trial.error + " (see trials/" +
               std::to_string(trial.id) + "/stderr.log)";
    return std::nullopt;
}

}  // namespace asha
