#pragma once
// Drives a scheduler by hand: made-up reports, no backend, no clock.

#include "asha/asha.hpp"
#include "asha/sync_sh.hpp"

#include <gtest/gtest.h>

namespace asha::test {

/// Configurations numbered 0, 1, 2, ... so a test can tell which one a suggestion carries.
class CountingSearcher : public Searcher {
  public:
    Config next() override { return Config{{"n", count_++}}; }

  private:
    int count_ = 0;
};

/// Expects a new trial `id` with `milestone`.
inline void expect_start(Scheduler& s, TrialId id, double milestone) {
    auto got = s.suggest(id);
    ASSERT_TRUE(got.has_value()) << "expected trial " << id << " to start";
    EXPECT_EQ(got->kind, Suggestion::Kind::start);
    EXPECT_EQ(got->trial_id, id);
    EXPECT_EQ(got->milestone, milestone);
}

/// Expects paused trial `id` to resume up to `milestone`.
inline void expect_resume(Scheduler& s, TrialId next_id, TrialId id, double milestone) {
    auto got = s.suggest(next_id);
    ASSERT_TRUE(got.has_value()) << "expected trial " << id << " to resume";
    EXPECT_EQ(got->kind, Suggestion::Kind::resume) << "got new trial " << got->trial_id;
    EXPECT_EQ(got->trial_id, id);
    EXPECT_EQ(got->milestone, milestone);
}

/// A trial reports its milestone and its process ends; returns the decision.
inline Decision finish_leg(Scheduler& s, TrialId id, double resource, double metric) {
    Decision d = s.on_report(id, resource, metric);
    s.on_leg_end(id, LegEnd::reached_milestone);
    return d;
}

}  // namespace asha::test
