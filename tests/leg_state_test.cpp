// The Tuner's state of one leg (loop/leg_state.hpp): its transitions, the questions the Tuner
// asks of it, and the facts it hands to classify_leg_end when the leg ends.

#include "loop/leg_state.hpp"

#include "test_util.hpp"

using namespace asha;

namespace {

TrialRecord trial_at(double resource) {
    TrialRecord t;
    t.last_resource = resource;
    t.milestone = 3;
    t.reports = 2;
    return t;
}

}  // namespace

TEST(LegState, ANewLegAsksTheSchedulerAndIsTimedAndCarriesItsOffset) {
    LegState leg(LaunchKind::promote, 42);
    EXPECT_TRUE(leg.asks_scheduler());
    EXPECT_TRUE(leg.timed());
    EXPECT_FALSE(leg.queued());
    EXPECT_FALSE(leg.stop_sent());
    EXPECT_FALSE(leg.resumed());
    EXPECT_EQ(leg.kind(), LaunchKind::promote);
    EXPECT_EQ(leg.output_offset(), 42u);
}

TEST(LegState, AQueuedLegIsNotTimedUntilItLeavesTheQueueOnce) {
    LegState leg;
    leg.wait_in_queue();
    EXPECT_TRUE(leg.queued());
    EXPECT_FALSE(leg.timed());
    EXPECT_TRUE(leg.leave_queue());
    EXPECT_FALSE(leg.leave_queue());  // a second `running` event, or an exit after it
    EXPECT_TRUE(leg.timed());
}

TEST(LegState, AReportMovesTheOffsetOnlyWhenItsLineEndIsKnown) {
    LegState leg(LaunchKind::new_trial, 10);
    leg.accept_report(5.5, 0);
    EXPECT_EQ(leg.last_report(), 5.5);
    EXPECT_EQ(leg.output_offset(), 10u);
    leg.accept_report(6.5, 77);
    EXPECT_EQ(leg.last_report(), 6.5);
    EXPECT_EQ(leg.output_offset(), 77u);
}

TEST(LegState, ReachingTheMilestoneSaysWhetherItWasReachedBefore) {
    LegState leg;
    EXPECT_FALSE(leg.reach_milestone());
    EXPECT_TRUE(leg.reach_milestone());  // it reports past its milestone: the Tuner stops it
    EXPECT_TRUE(leg.asks_scheduler());
    EXPECT_TRUE(leg.timed());
}

TEST(LegState, AStrongerStopCauseReplacesAWeakerOneNeverTheReverse) {
    LegState ended_by_run;
    ended_by_run.request_stop(StopCause::run_ending);
    EXPECT_FALSE(ended_by_run.asks_scheduler());
    EXPECT_FALSE(ended_by_run.timed());
    EXPECT_EQ(ended_by_run.facts(trial_at(1), 9).stop, StopCause::run_ending);

    LegState stopped;
    stopped.request_stop(StopCause::scheduler);
    stopped.request_stop(StopCause::run_ending);  // the run ends while it is being stopped
    EXPECT_EQ(stopped.facts(trial_at(1), 9).stop, StopCause::scheduler);
}

TEST(LegState, ATimeoutKeepsItsReasonBesideTheStopCause) {
    LegState leg;
    leg.time_out("no report for report_timeout (5 s)");
    EXPECT_FALSE(leg.timed());          // timed out once is enough
    EXPECT_TRUE(leg.asks_scheduler());  // its reports still count until it ends
    leg.request_stop(StopCause::run_ending);
    const LegFacts facts = leg.facts(trial_at(2), 9);
    EXPECT_TRUE(facts.timed_out);
    EXPECT_EQ(facts.timeout_reason, "no report for report_timeout (5 s)");
    EXPECT_EQ(facts.stop, StopCause::run_ending);
    EXPECT_EQ(facts.last_resource, 2);
    EXPECT_EQ(facts.milestone, 3);
    EXPECT_EQ(facts.max_t, 9);
    EXPECT_EQ(facts.reports, 2u);
}

TEST(LegState, StopSentAndResumedAreRemembered) {
    LegState leg;
    leg.mark_stop_sent();
    leg.mark_resumed();
    EXPECT_TRUE(leg.stop_sent());
    EXPECT_TRUE(leg.resumed());
    EXPECT_TRUE(leg.asks_scheduler());  // sending a stop is not a reason of its own
}
