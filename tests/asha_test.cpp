#include "policy/asha.hpp"

#include "scheduler_test_util.hpp"

#include <cmath>
#include <map>

using namespace asha;
using namespace asha::test;

namespace {

AshaScheduler make(AshaVariant variant, double grace, double eta, double max_t,
                   bool maximize = false, int brackets = 1, Rng* rng = nullptr) {
    static Rng default_rng(0);
    return AshaScheduler({variant, grace, eta, max_t, brackets, maximize},
                         std::make_unique<CountingSearcher>(), rng ? *rng : default_rng);
}

/// Starts trials 0..n-1 and lets each report `values[i]` at `resource`; returns the decisions.
std::vector<Decision> stopping_decisions(const std::vector<double>& values, double resource = 1,
                                         bool maximize = false, double eta = 2) {
    AshaScheduler s = make(AshaVariant::stopping, 1, eta, 8, maximize);
    std::vector<Decision> out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        s.suggest(static_cast<TrialId>(i));
        out.push_back(s.on_report(static_cast<TrialId>(i), resource, values[i]).decision);
    }
    return out;
}

const Decision C = Decision::proceed, S = Decision::stop;

}  // namespace

TEST(AshaStopping, OneTwoThreeValues) {
    EXPECT_EQ(stopping_decisions({0.5}), (std::vector<Decision>{C}));
    EXPECT_EQ(stopping_decisions({0.5, 0.6}), (std::vector<Decision>{C, S}));
    EXPECT_EQ(stopping_decisions({0.6, 0.5}), (std::vector<Decision>{C, C}));
    // Third value against the median of all three (itself included).
    EXPECT_EQ(stopping_decisions({0.5, 0.7, 0.6}), (std::vector<Decision>{C, S, C}));
    EXPECT_EQ(stopping_decisions({0.5, 0.7, 0.65}), (std::vector<Decision>{C, S, C}));
    EXPECT_EQ(stopping_decisions({0.5, 0.7, 0.8}), (std::vector<Decision>{C, S, S}));
}

TEST(AshaStopping, TiesContinue) {
    EXPECT_EQ(stopping_decisions({0.5, 0.5, 0.5}), (std::vector<Decision>{C, C, C}));
}

TEST(AshaStopping, NanRanksWorst) {
    EXPECT_EQ(stopping_decisions({0.5, NAN}), (std::vector<Decision>{C, S}));
    EXPECT_EQ(stopping_decisions({NAN, 0.5}), (std::vector<Decision>{C, C}));
    EXPECT_EQ(stopping_decisions({0.5, INFINITY}), (std::vector<Decision>{C, S}));
    EXPECT_EQ(stopping_decisions({0.5, NAN}, 1, true), (std::vector<Decision>{C, S}));
}

TEST(AshaStopping, ModeMax) {
    EXPECT_EQ(stopping_decisions({0.5, 0.6}, 1, true), (std::vector<Decision>{C, C}));
    EXPECT_EQ(stopping_decisions({0.6, 0.5}, 1, true), (std::vector<Decision>{C, S}));
    EXPECT_EQ(stopping_decisions({0.5, -INFINITY}, 1, true), (std::vector<Decision>{C, S}));
}

TEST(AshaStopping, EtaThreeKeepsTheTopThird) {
    // Values 1..9 arriving in decreasing order: each new one is the best so far and continues.
    EXPECT_EQ(stopping_decisions({9, 8, 7, 6, 5, 4, 3, 2, 1}, 1, false, 3),
              std::vector<Decision>(9, C));
    // Increasing order: each new value is the worst so far and stops.
    EXPECT_EQ(stopping_decisions({1, 2, 3, 4, 5, 6, 7}, 1, false, 3),
              (std::vector<Decision>{C, S, S, S, S, S, S}));
    // 4 values, 1/3 quantile at position 1: the second best continues, the third does not.
    EXPECT_EQ(stopping_decisions({1, 4, 3, 2}, 1, false, 3), (std::vector<Decision>{C, S, S, C}));
}

TEST(AshaStopping, JudgedOnceAtTheHighestRungPassed) {
    AshaScheduler s = make(AshaVariant::stopping, 1, 2, 8);
    s.suggest(0);
    EXPECT_EQ(s.on_report(0, 5, 0.9).decision, C);  // past rungs 1, 2 and 4: recorded at 4 only
    auto rungs = s.rungs();
    ASSERT_EQ(rungs.size(), 3u);
    EXPECT_EQ(rungs[0].recorded, 0u);
    EXPECT_EQ(rungs[1].recorded, 0u);
    EXPECT_EQ(rungs[2].recorded, 1u);
    EXPECT_EQ(s.on_report(0, 6, 0.9).decision, C);  // no new rung: nothing recorded
    EXPECT_EQ(s.rungs()[2].recorded, 1u);
}

TEST(AshaStopping, NeverStoppedAtMaxT) {
    AshaScheduler s = make(AshaVariant::stopping, 1, 2, 4);
    s.suggest(0);
    s.suggest(1);
    EXPECT_EQ(s.on_report(0, 4, 0.1).decision, C);
    EXPECT_EQ(s.on_report(1, 4, 0.9).decision, C);  // worse, but max_t completes a trial
    EXPECT_EQ(s.rungs()[0].recorded + s.rungs()[1].recorded, 2u);  // judged at rung 2 only
}

TEST(AshaStopping, NewTrialsRunToMaxT) {
    AshaScheduler s = make(AshaVariant::stopping, 2, 2, 10);
    auto got = s.suggest(0);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->milestone, 10);
    EXPECT_EQ(got->config.dump(), R"({"n":0})");
}

// The book's Figure 19.5.2: eta = 2, two workers, rungs at 1 and 2, max_t 4.
TEST(AshaPromotion, ReplaysTheBooksFigure) {
    AshaScheduler s = make(AshaVariant::promotion, 1, 2, 4);
    expect_start(s, 0, 1);
    expect_start(s, 1, 1);
    EXPECT_EQ(finish_leg(s, 0, 1, 0.3), Decision::pause);
    expect_start(s, 2, 1);  // one result at rung 0: nothing to promote
    EXPECT_EQ(finish_leg(s, 1, 1, 0.5), Decision::pause);
    expect_resume(s, 3, 0, 2);  // Trial-0 is promoted after Trial-1 finishes
    EXPECT_EQ(finish_leg(s, 0, 2, 0.2), Decision::pause);
    expect_start(s, 3, 1);  // too few at rung 1; Trial-1 is not in the top half of rung 0
    EXPECT_EQ(finish_leg(s, 3, 1, 0.4), Decision::pause);
    expect_start(s, 4, 1);  // Trial-3 does not cause a promotion
    EXPECT_EQ(finish_leg(s, 2, 1, 0.6), Decision::pause);
    expect_resume(s, 5, 3, 2);  // Trial-2 is worse than Trial-3: Trial-3 is promoted
    EXPECT_EQ(finish_leg(s, 3, 2, 0.35), Decision::pause);
    expect_resume(s, 5, 0, 4);  // two results at rung 1: Trial-0 is promoted to rung 2
    expect_start(s, 5, 1);      // and the other worker starts Trial-5
    EXPECT_EQ(finish_leg(s, 0, 4, 0.1), Decision::proceed);  // max_t: completed, not paused
    auto rungs = s.rungs();
    ASSERT_EQ(rungs.size(), 2u);
    EXPECT_EQ(rungs[0].recorded, 4u);
    EXPECT_EQ(rungs[0].promoted, 2u);
    EXPECT_EQ(rungs[1].recorded, 2u);
    EXPECT_EQ(rungs[1].promoted, 1u);
    EXPECT_EQ(rungs[0].best, 0.3);  // of .3 .5 .4 .6
    EXPECT_EQ(rungs[1].best, 0.2);  // of .2 .35
}

TEST(AshaPromotion, OnlyTrialsWhoseLegEndedArePromoted) {
    AshaScheduler s = make(AshaVariant::promotion, 1, 2, 4);
    expect_start(s, 0, 1);
    expect_start(s, 1, 1);
    EXPECT_EQ(s.on_report(0, 1, 0.1).decision, Decision::pause);  // still exiting
    EXPECT_EQ(finish_leg(s, 1, 1, 0.5), Decision::pause);
    expect_start(s, 2, 1);  // trial 0 is the one to promote, but its process has not ended
    s.on_leg_end(0, LegEnd::reached_milestone);
    expect_resume(s, 3, 0, 2);
}

TEST(AshaPromotion, FailedLegIsNotPromoted) {
    AshaScheduler s = make(AshaVariant::promotion, 1, 2, 4);
    expect_start(s, 0, 1);
    expect_start(s, 1, 1);
    EXPECT_EQ(s.on_report(0, 1, 0.1).decision, Decision::pause);
    s.on_leg_end(0, LegEnd::failed);
    EXPECT_EQ(finish_leg(s, 1, 1, 0.5), Decision::pause);
    expect_start(s, 2, 1);  // trial 1 is not in the top half, trial 0 failed
}

TEST(AshaPromotion, NoNewTrialsWhenNotAllowed) {
    AshaScheduler s = make(AshaVariant::promotion, 1, 2, 4);
    expect_start(s, 0, 1);
    EXPECT_FALSE(s.suggest(1, false).has_value());
}

TEST(AshaBrackets, ProbabilitiesFollowHyperbandAndSamplingIsSeeded) {
    // grace 1, eta 3, max_t 27: levels 1, 3, 9 (+27); Hyperband n_s for s = 3..1: 27, 12, 6.
    Rng rng_a(11), rng_b(11);
    AshaScheduler a = make(AshaVariant::stopping, 1, 3, 27, false, 3, &rng_a);
    AshaScheduler b = make(AshaVariant::stopping, 1, 3, 27, false, 3, &rng_b);
    const auto& p = a.bracket_probabilities();
    ASSERT_EQ(p.size(), 3u);
    EXPECT_NEAR(p[0], 27.0 / 45, 1e-12);
    EXPECT_NEAR(p[1], 12.0 / 45, 1e-12);
    EXPECT_NEAR(p[2], 6.0 / 45, 1e-12);
    std::map<int, int> counts;
    for (TrialId id = 0; id < 9000; ++id) {
        auto sa = a.suggest(id), sb = b.suggest(id);
        ASSERT_EQ(sa->bracket, sb->bracket);
        ++counts[sa->bracket];
    }
    EXPECT_NEAR(counts[0], 9000 * 27.0 / 45, 200);
    EXPECT_NEAR(counts[2], 9000 * 6.0 / 45, 150);
    // Bracket 1 starts at level 3: a report at 1 is not judged, one at 3 is.
    Rng rng(1);
    AshaScheduler c = make(AshaVariant::stopping, 1, 3, 27, false, 3, &rng);
    for (TrialId id = 0;; ++id) {
        if (c.suggest(id)->bracket != 1) continue;
        c.on_report(id, 1, 0.5);
        c.on_report(id, 3, 0.5);
        auto rungs = c.rungs();
        ASSERT_EQ(rungs.size(), 3u + 2u + 1u);
        EXPECT_EQ(rungs[3].level, 3);
        EXPECT_EQ(rungs[3].recorded, 1u);
        break;
    }
}

// A diverged trial is never promoted ahead of a finite one: -inf in mode min ranks worst.
TEST(AshaPromotion, NonFiniteValuesAreNeverPromotedFirst) {
    for (bool maximize : {false, true}) {
        AshaScheduler s = make(AshaVariant::promotion, 1, 2, 4, maximize);
        expect_start(s, 0, 1);
        expect_start(s, 1, 1);
        EXPECT_EQ(finish_leg(s, 0, 1, maximize ? INFINITY : -INFINITY), Decision::pause);
        expect_start(s, 2, 1);
        EXPECT_EQ(finish_leg(s, 1, 1, 0.5), Decision::pause);
        expect_resume(s, 3, 1, 2);  // the finite 0.5 is the top half, not the diverged trial
    }
}
