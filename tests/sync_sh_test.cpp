#include "policy/sync_sh.hpp"

#include "scheduler_test_util.hpp"

using namespace asha;
using namespace asha::test;

namespace {
SyncShScheduler make(int rounds_in_flight) {
    return SyncShScheduler({1, 2, 4, 1, rounds_in_flight, false},
                           std::make_unique<CountingSearcher>());
}
}  // namespace

// The book's Figure 19.5.1: eta = 2, N = 4 trials at rung 0, two workers; a rung is judged
// only when all its trials are in, and workers idle meanwhile.
TEST(SyncSh, ReplaysTheBooksFigure) {
    SyncShScheduler s = make(1);
    expect_start(s, 0, 1);
    expect_start(s, 1, 1);
    EXPECT_EQ(finish_leg(s, 0, 1, 0.3), Decision::pause);
    expect_start(s, 2, 1);
    EXPECT_EQ(finish_leg(s, 1, 1, 0.5), Decision::pause);
    expect_start(s, 3, 1);
    EXPECT_EQ(finish_leg(s, 3, 1, 0.4), Decision::pause);
    EXPECT_FALSE(s.suggest(4).has_value());  // Worker-1 idles: Trial-2 is a straggler
    EXPECT_EQ(finish_leg(s, 2, 1, 0.6), Decision::pause);
    expect_resume(s, 4, 0, 2);  // the best two, Trial-0 and Trial-3, go to rung 1
    expect_resume(s, 4, 3, 2);
    EXPECT_EQ(finish_leg(s, 0, 2, 0.2), Decision::pause);
    EXPECT_FALSE(s.suggest(4).has_value());  // Worker-0 idles: Trial-3 takes longer
    EXPECT_EQ(finish_leg(s, 3, 2, 0.35), Decision::pause);
    expect_resume(s, 4, 0, 4);  // only Trial-0 reaches rung 2
    EXPECT_FALSE(s.suggest(4).has_value());
    EXPECT_EQ(finish_leg(s, 0, 4, 0.1), Decision::proceed);
    expect_start(s, 4, 1);  // the next round
    auto rungs = s.rungs();
    ASSERT_EQ(rungs.size(), 3u);
    EXPECT_EQ(rungs[0].recorded, 4u);
    EXPECT_EQ(rungs[0].promoted, 2u);
    EXPECT_DOUBLE_EQ(rungs[0].cutoff, 0.4 + 0.5 * (0.5 - 0.4));  // median of .3 .4 .5 .6
    EXPECT_EQ(rungs[0].best, 0.3);
    EXPECT_EQ(rungs[1].promoted, 1u);
    EXPECT_EQ(rungs[1].best, 0.2);
}

TEST(SyncSh, FreeWorkersStartTheNextRoundInsteadOfIdling) {
    SyncShScheduler s = make(2);
    for (TrialId id = 0; id < 4; ++id) expect_start(s, id, 1);
    for (TrialId id : {0, 1, 3}) finish_leg(s, id, 1, 0.1 * static_cast<double>(id + 1));
    expect_start(s, 4, 1);  // while Trial-2 straggles, round 2 begins
    expect_start(s, 5, 1);
    finish_leg(s, 2, 1, 0.9);
    expect_resume(s, 6, 0, 2);  // round 1's promotions come first
    expect_resume(s, 6, 1, 2);
    expect_start(s, 6, 1);
}

TEST(SyncSh, FailedTrialsAreNotPromotedAndDoNotBlockTheRung) {
    SyncShScheduler s = make(1);
    for (TrialId id = 0; id < 4; ++id) expect_start(s, id, 1);
    finish_leg(s, 0, 1, 0.1);
    s.on_leg_end(1, LegEnd::failed);
    s.on_report(2, 1, 0.05);
    s.on_leg_end(2, LegEnd::failed);  // reported, then crashed: cannot be resumed
    finish_leg(s, 3, 1, 0.4);
    expect_resume(s, 4, 0, 2);  // 2 usable results -> floor(2/2) = 1 promoted
    EXPECT_FALSE(s.suggest(4).has_value());
}

// A diverged trial is never among the best ⌊n/η⌋ of a rung.
TEST(SyncSh, NonFiniteValuesRankWorst) {
    SyncShScheduler s = make(1);
    for (TrialId id = 0; id < 4; ++id) expect_start(s, id, 1);
    EXPECT_EQ(finish_leg(s, 0, 1, -INFINITY), Decision::pause);
    EXPECT_EQ(finish_leg(s, 1, 1, 0.5), Decision::pause);
    EXPECT_EQ(finish_leg(s, 2, 1, NAN), Decision::pause);
    EXPECT_EQ(finish_leg(s, 3, 1, 0.4), Decision::pause);
    expect_resume(s, 4, 3, 2);  // 0.4 and 0.5 go on, -inf and NaN do not
    expect_resume(s, 4, 1, 2);
}
