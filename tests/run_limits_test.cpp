// When a run ends on its own (policy/run_limits.hpp): the stop criteria, the metric targets
// and the failure policy, each from the values the Tuner hands over.

#include "policy/run_limits.hpp"

#include "test_util.hpp"

using namespace asha;

namespace {

TrialRecord ended(TrialId id, const std::string& error) {
    TrialRecord t;
    t.id = id;
    t.error = error;
    return t;
}

}  // namespace

TEST(StopCriteria, NoneSetNeverEndsTheRun) {
    EXPECT_EQ(met_stop_criterion(StopCriteria{}, RunProgress{1e9, 1000000, 1000000, 1e12}),
              std::nullopt);
}

TEST(StopCriteria, EachCriterionEndsTheRunAtItsBoundAndNotBefore) {
    StopCriteria stop;
    stop.max_wallclock_time = 60;
    stop.max_num_trials_completed = 10;
    stop.max_num_trials_finished = 20;
    stop.max_cost = 500;
    EXPECT_EQ(met_stop_criterion(stop, {59.9, 9, 19, 499}), std::nullopt);
    EXPECT_EQ(met_stop_criterion(stop, {60, 9, 19, 499}), "reached max_wallclock_time (60 s)");
    EXPECT_EQ(met_stop_criterion(stop, {1, 10, 19, 499}), "reached max_num_trials_completed (10)");
    EXPECT_EQ(met_stop_criterion(stop, {1, 9, 20, 499}), "reached max_num_trials_finished (20)");
    EXPECT_EQ(met_stop_criterion(stop, {1, 9, 19, 500.5}), "reached max_cost (500 worker-seconds)");
    // Several at once: the first in the order above is the reason.
    EXPECT_EQ(met_stop_criterion(stop, {61, 11, 21, 501}), "reached max_wallclock_time (60 s)");
}

TEST(StopCriteria, AMetricTargetIsReachedAtItsBound) {
    StopCriteria stop;
    stop.min_metric_value = 0.1;
    EXPECT_EQ(reached_metric_target(stop, "loss", 4, 0.2), std::nullopt);
    EXPECT_EQ(reached_metric_target(stop, "loss", 4, 0.1), "trial 4 reached loss <= 0.1");
    stop = {};
    stop.max_metric_value = 0.95;
    EXPECT_EQ(reached_metric_target(stop, "accuracy", 7, 0.9), std::nullopt);
    EXPECT_EQ(reached_metric_target(stop, "accuracy", 7, 0.97), "trial 7 reached accuracy >= 0.95");
}

TEST(FailurePolicy, MaxFailuresEndsTheRunWithTheLastError) {
    FailurePolicy policy(2, 0);
    EXPECT_EQ(policy.trial_ended(ended(0, "exited with code 1"), true, 1), std::nullopt);
    EXPECT_EQ(policy.trial_ended(ended(1, ""), false, 1), std::nullopt);
    EXPECT_EQ(policy.trial_ended(ended(2, "killed by signal 9"), true, 2),
              "2 trials failed (max_failures = 2); last error: killed by signal 9");
}

TEST(FailurePolicy, TheFirstTrialsFailingAlikeEndTheRun) {
    FailurePolicy policy(std::nullopt, 3);
    EXPECT_EQ(policy.trial_ended(ended(0, "exited with code 2: No such file"), true, 1),
              std::nullopt);
    EXPECT_EQ(policy.trial_ended(ended(1, "exited with code 2: No such file"), true, 2),
              std::nullopt);
    EXPECT_EQ(policy.trial_ended(ended(2, "exited with code 2: No such file"), true, 3),
              "the first 3 trials all failed the same way: exited with code 2: No such file "
              "(see trials/2/stderr.log)");
}

TEST(FailurePolicy, OneSuccessOrADifferentErrorTurnsTheIdenticalCheckOffForGood) {
    FailurePolicy after_success(std::nullopt, 2);
    EXPECT_EQ(after_success.trial_ended(ended(0, ""), false, 0), std::nullopt);
    for (TrialId id = 1; id < 5; ++id)
        EXPECT_EQ(after_success.trial_ended(ended(id, "boom"), true, id), std::nullopt);

    FailurePolicy after_other(std::nullopt, 2);
    EXPECT_EQ(after_other.trial_ended(ended(0, "boom"), true, 1), std::nullopt);
    EXPECT_EQ(after_other.trial_ended(ended(1, "bang"), true, 2), std::nullopt);
    EXPECT_EQ(after_other.trial_ended(ended(2, "bang"), true, 3), std::nullopt);
}

TEST(FailurePolicy, ZeroTurnsTheIdenticalCheckOff) {
    FailurePolicy policy(std::nullopt, 0);
    for (TrialId id = 0; id < 5; ++id)
        EXPECT_EQ(policy.trial_ended(ended(id, "boom"), true, id + 1), std::nullopt);
}
