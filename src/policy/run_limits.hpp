#pragma once
/// When a run ends on its own: the config's stop criteria (time, trials, cost, a target metric)
/// and its failure policy (max_failures; the first trials all failing the same way). Pure: the
/// Tuner asks, journals the reason and stops the run (tests/run_limits_test.cpp).

#include "asha/experiment.hpp"
#include "asha/trial.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace asha {

/// Where a run stands, for its stop criteria.
struct RunProgress {
    double now = 0;             ///< tuner seconds since the run started
    std::size_t completed = 0;  ///< trials Completed
    std::size_t finished = 0;   ///< trials Completed, Stopped or Failed
    double cost = 0;            ///< worker-seconds spent in legs, running ones included
};

/// The first stop criterion among max_wallclock_time, max_num_trials_completed,
/// max_num_trials_finished and max_cost that the run has met, as the reason shown and
/// journaled; nothing while none is. (max_num_trials_started only stops new trials.)
std::optional<std::string> met_stop_criterion(const StopCriteria& stop, const RunProgress& run);

/// Whether an accepted report reached min_metric_value or max_metric_value: the reason, if so.
std::optional<std::string> reached_metric_target(const StopCriteria& stop,
                                                 const std::string& metric, TrialId trial,
                                                 double value);

/// max_failures, and abort_on_identical_failures: a broken command fails every trial the same
/// way, so the run ends once the first N trials to end all failed with the same error, rather
/// than burn its budget. One success, or a different error, turns that check off for good.
class FailurePolicy {
  public:
    FailurePolicy(std::optional<std::int64_t> max_failures, std::int64_t abort_on_identical)
        : max_failures_(max_failures), abort_on_identical_(abort_on_identical) {}
    /// A trial ended for good (it is not retried); `failures`: the run's failed trials, this one
    /// included. Returns why the run must end, if it must.
    std::optional<std::string> trial_ended(const TrialRecord& trial, bool failed,
                                           std::size_t failures);

  private:
    std::optional<std::int64_t> max_failures_;
    std::int64_t abort_on_identical_;
    std::int64_t identical_ = 0;  // first trials to end, all failed with first_error_; -1: off
    std::string first_error_;
};

}  // namespace asha
