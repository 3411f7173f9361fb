// How a leg's end counts (policy/leg_outcome.hpp), as a table: each row is what the Tuner
// knew of the leg and how it exited, and what that makes of the trial.

#include "policy/leg_outcome.hpp"

#include "test_util.hpp"

using namespace asha;

namespace {

struct Row {
    const char* what;
    LegFacts leg;
    TrialExit exit;
    TrialStatus status;
    LegEnd how;
    std::string error;
    bool ended_short = false;
};

/// A leg to milestone 3 of a trial with max_t 9 that had reached `resource` with `reports`.
LegFacts leg_at(double resource, std::size_t reports = 1) {
    LegFacts f;
    f.last_resource = resource;
    f.milestone = 3;
    f.max_t = 9;
    f.reports = reports;
    return f;
}

LegFacts with(LegFacts f, StopCause stop, bool timed_out) {
    f.stop = stop;
    f.timed_out = timed_out;
    if (timed_out) f.timeout_reason = "ran longer than trial_timeout (5 s)";
    return f;
}

}  // namespace

TEST(LegOutcome, EachWayALegEnds) {
    const TrialExit clean{0, 0, false, ""};
    const TrialExit sigterm{0, 15, true, ""};
    const TrialExit crashed{3, 0, false, "Traceback|RuntimeError: boom"};
    const TrialExit killed{0, 9, false, ""};
    LegFacts unbounded = leg_at(5);
    unbounded.milestone = 0;
    unbounded.max_t = 0;
    LegFacts at_max_t = leg_at(9);
    at_max_t.milestone = 9;
    const std::string no_report =
        "exited with code 0 without a report (no usable report of loss and epoch on stdout)";
    const Row rows[] = {
        {"STOP counts even when the script reached its milestone first",
         with(leg_at(3), StopCause::scheduler, false), clean, TrialStatus::stopped, LegEnd::stopped,
         ""},
        {"STOP, ended by SIGTERM", with(leg_at(1), StopCause::scheduler, false), sigterm,
         TrialStatus::stopped, LegEnd::stopped, ""},
        {"milestone reached below max_t: paused", leg_at(3), clean, TrialStatus::paused,
         LegEnd::reached_milestone, ""},
        {"milestone reached at max_t: completed", at_max_t, clean, TrialStatus::completed,
         LegEnd::reached_milestone, ""},
        {"milestone reached, then crashed: still paused", leg_at(3), crashed, TrialStatus::paused,
         LegEnd::reached_milestone, ""},
        {"timed out, then the scheduler said STOP: stopped",
         with(leg_at(1), StopCause::scheduler, true), sigterm, TrialStatus::stopped,
         LegEnd::stopped, ""},
        {"timed out", with(leg_at(1), StopCause::none, true), sigterm, TrialStatus::timeout,
         LegEnd::failed, "ran longer than trial_timeout (5 s)"},
        {"timed out, then the run ended", with(leg_at(1), StopCause::run_ending, true), sigterm,
         TrialStatus::timeout, LegEnd::failed, "ran longer than trial_timeout (5 s)"},
        {"stopped as the run ends", with(leg_at(1), StopCause::run_ending, false), sigterm,
         TrialStatus::stopped, LegEnd::stopped, ""},
        {"stopped by the tuner, as its exit says (a resume's cleanup)", leg_at(1),
         TrialExit{0, 9, true, ""}, TrialStatus::stopped, LegEnd::stopped, ""},
        {"clean exit short of its milestone: completed, with a warning", leg_at(2), clean,
         TrialStatus::completed, LegEnd::failed, "", true},
        {"clean exit without a milestone: completed on its own terms", unbounded, clean,
         TrialStatus::completed, LegEnd::reached_milestone, ""},
        {"clean exit without any report", leg_at(0, 0), clean, TrialStatus::failed, LegEnd::failed,
         no_report},
        {"crashed", leg_at(1), crashed, TrialStatus::failed, LegEnd::failed,
         "exited with code 3: Traceback|RuntimeError: boom"},
        {"killed by a signal it was not sent", leg_at(1), killed, TrialStatus::failed,
         LegEnd::failed, "killed by signal 9"},
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row.what);
        const LegOutcome out = classify_leg_end(row.leg, row.exit, {"loss", "epoch"});
        EXPECT_EQ(out.status, row.status);
        EXPECT_EQ(out.how, row.how);
        EXPECT_EQ(out.error, row.error);
        EXPECT_EQ(out.ended_short, row.ended_short);
    }
}
