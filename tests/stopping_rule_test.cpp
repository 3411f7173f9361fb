// The stopping rule of the reference the book ran (Syne Tune v0.13's StoppingRungSystem), pinned
// with worked numbers, and its rank form checked against the reference's quantile arithmetic.

#include "policy/stopping_rule.hpp"
#include "asha/rng.hpp"
#include "policy/asha.hpp"

#include "scheduler_test_util.hpp"

#include <cmath>
#include <cstdint>

using namespace asha;
using namespace asha::test;

namespace {

const Decision C = Decision::proceed, S = Decision::stop;

/// Fresh trials (one bracket) that each report `values[i]` at `resource`, in order.
std::vector<Decision> decisions_at(double grace, double eta, double max_t, double resource,
                                   const std::vector<double>& values, bool maximize = false) {
    Rng rng(0);
    AshaScheduler s({AshaVariant::stopping, grace, eta, max_t, 1, maximize},
                    std::make_unique<CountingSearcher>(), rng);
    std::vector<Decision> out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        s.suggest(static_cast<TrialId>(i));
        out.push_back(s.on_report(static_cast<TrialId>(i), resource, values[i]).decision);
    }
    return out;
}

}  // namespace

TEST(RungLevels, TheReferencesRoundedLadder) {
    EXPECT_EQ(rung_levels(2, 2, 10), (std::vector<double>{2, 4, 8}));  // the book's setting
    EXPECT_EQ(rung_levels(1, 3, 9), (std::vector<double>{1, 3}));      // max_t is never a rung
    EXPECT_EQ(rung_levels(1, 3, 27, 1), (std::vector<double>{3, 9}));
    EXPECT_EQ(rung_levels(5, 2, 5), (std::vector<double>{}));
    // Non-integer eta: round(2.5) = 2 and round(15.625) = 16 (half to even, as Python).
    EXPECT_EQ(rung_levels(1, 2.5, 27), (std::vector<double>{1, 2, 6, 16}));
    EXPECT_EQ(rung_levels(1, 2.5, 27, 2), (std::vector<double>{6, 16}));
    EXPECT_EQ(rung_levels(3, 2.5, 40), (std::vector<double>{3, 8, 19}));  // 7.5 -> 8, 18.75 -> 19
    EXPECT_EQ(rung_levels(1, 2.5, 16), (std::vector<double>{1, 2, 6}));   // 15.625 -> 16 = max_t
    // Fractional resources (the reference refuses them): unrounded levels.
    EXPECT_EQ(rung_levels(0.5, 3, 4.5), (std::vector<double>{0.5, 1.5}));
}

TEST(RungLevels, QuantilesAreLevelRatios) {
    EXPECT_EQ(rung_quantiles({2, 4, 8}, 10), (std::vector<double>{0.5, 0.5, 0.8}));
    EXPECT_EQ(rung_quantiles({1, 2, 6, 16}, 27),
              (std::vector<double>{1.0 / 2, 2.0 / 6, 6.0 / 16, 16.0 / 27}));
    EXPECT_EQ(rung_quantiles({1, 3}, 9), (std::vector<double>{1.0 / 3, 1.0 / 3}));
}

// The rank test gives the decision of "value <= quantile(values, q)" (min) and "value >=
// quantile(values, 1 - q)" (max), numpy's linear interpolation in exact arithmetic, for every
// position of the new value among distinct values, every n up to 40 and q = r_k / r_{k+1} for
// many whole-number levels (the ratios of the book's, eta 2.5's and arbitrary ladders).
TEST(ContinueRank, EqualsTheQuantileRuleInBothModes) {
    Rng rng(5);
    std::vector<std::pair<std::int64_t, std::int64_t>> ratios = {
        {1, 2}, {1, 3}, {8, 10}, {1, 4}, {2, 6}, {6, 16}, {16, 27}, {2, 5}, {9, 10}, {3, 9}};
    for (int i = 0; i < 40; ++i) {
        const auto den = 2 + static_cast<std::int64_t>(rng.uniform01() * 200);
        ratios.emplace_back(
            1 + static_cast<std::int64_t>(rng.uniform01() * static_cast<double>(den - 1)), den);
    }
    for (auto [num, den] : ratios)
        for (std::size_t n = 1; n <= 40; ++n) {
            std::vector<double> sorted(n);
            for (std::size_t i = 0; i < n; ++i)
                sorted[i] = static_cast<double>(i) + 0.25 * rng.uniform01();
            const std::size_t rank =
                continue_rank(n, static_cast<double>(num), static_cast<double>(den));
            for (std::size_t at = 0; at < n; ++at) {
                const double v = sorted[at];  // `at` values below it, n - 1 - at above
                const bool min_continues = n < 2 || v <= exact_quantile(sorted, num, den);
                EXPECT_EQ(at <= rank, min_continues)
                    << "min n=" << n << " q=" << num << "/" << den << " at=" << at;
                const bool max_continues = n < 2 || v >= exact_quantile(sorted, den - num, den);
                EXPECT_EQ(n - 1 - at <= rank, max_continues)
                    << "max n=" << n << " q=" << num << "/" << den << " at=" << at;
            }
        }
    // Fractional levels (no integer form): the same rule in floating point.
    EXPECT_EQ(continue_rank(4, 1.5, 4.5), 1u);  // floor(3 / 3)
    EXPECT_EQ(continue_rank(7, 0.5, 1.5), 2u);  // floor(6 / 3)
    EXPECT_EQ(continue_rank(1, 0.5, 1.5), 0u);
    // Large rungs: exact in integers up to 2^32 values, then in long double.
    EXPECT_EQ(continue_rank(1000001, 1, 3), 333333u);
    EXPECT_EQ(continue_rank(5000000001ULL, 8, 10), 4000000000ULL);
}

// The book's setting: grace 2, eta 2, max_t 10, so rung 8 uses q = 8/10. The rung holds
// [0.216, 0.441, 0.811, 0.902] once 0.811 arrives: the reference's cutoff is 0.847 (continue);
// a plain 1/eta would give 0.626 (stop).
TEST(ReferenceRule, BookSettingJudgesRungEightAtZeroPointEight) {
    EXPECT_EQ(decisions_at(2, 2, 10, 8, {0.216, 0.441, 0.902, 0.811}),
              (std::vector<Decision>{C, S, S, C}));
    // The same in mode max (accuracy = 1 - error): the (1 - 0.8) quantile from below.
    EXPECT_EQ(decisions_at(2, 2, 10, 8, {0.784, 0.559, 0.098, 0.189}, true),
              (std::vector<Decision>{C, S, S, C}));
    // At rungs 2 and 4, q = 0.5: the median.
    EXPECT_EQ(decisions_at(2, 2, 10, 4, {0.216, 0.441, 0.902, 0.811}),
              (std::vector<Decision>{C, S, S, S}));
}

// eta 2.5, grace 1, max_t 27: rungs 1, 2, 6, 16; rung 16 uses q = 16/27. With 0.1 and 0.3
// recorded, 0.2 is at the 0.59 quantile (continue); 1/eta = 0.4 would stop it.
TEST(ReferenceRule, NonIntegerEtaUsesRoundedRungsAndTheirRatio) {
    EXPECT_EQ(decisions_at(1, 2.5, 27, 16, {0.1, 0.3, 0.2}), (std::vector<Decision>{C, S, C}));
    // A report at 15 has not reached rung 16 (the unrounded 15.625 would not be either), so it
    // is judged at rung 6 (q = 6/16): 0.3 above the 0.375 quantile of {0.1, 0.3} stops.
    EXPECT_EQ(decisions_at(1, 2.5, 27, 15, {0.1, 0.3}), (std::vector<Decision>{C, S}));
    Rng rng(0);
    AshaScheduler s({AshaVariant::stopping, 1, 2.5, 27, 1, false},
                    std::make_unique<CountingSearcher>(), rng);
    std::vector<double> levels;
    for (const auto& r : s.rungs()) levels.push_back(r.level);
    EXPECT_EQ(levels, (std::vector<double>{1, 2, 6, 16}));
}

// Hyperband: bracket b keeps the rungs r_b, r_{b+1}, ... with the same q_k, each bracket its
// own values.
TEST(ReferenceRule, BracketsKeepTheirOwnRungsWithTheLaddersQuantiles) {
    Rng rng(1);
    AshaScheduler s({AshaVariant::stopping, 2, 2, 10, 3, false},
                    std::make_unique<CountingSearcher>(), rng);
    std::vector<std::pair<int, double>> rungs;
    for (const auto& r : s.rungs()) rungs.emplace_back(r.bracket, r.level);
    EXPECT_EQ(rungs, (std::vector<std::pair<int, double>>{
                         {0, 2}, {0, 4}, {0, 8}, {1, 4}, {1, 8}, {2, 8}}));
    // Values at 8 in bracket 2 are judged against bracket 2's values only, at q = 0.8.
    std::vector<double> values = {0.216, 0.441, 0.902, 0.811};
    std::vector<Decision> in_bracket_2;
    std::map<int, int> seen;
    for (TrialId id = 0; in_bracket_2.size() < values.size(); ++id) {
        auto sug = s.suggest(id);
        ASSERT_TRUE(sug);
        ++seen[sug->bracket];
        double v = sug->bracket == 2 ? values[in_bracket_2.size()] : 0.001;
        Decision d = s.on_report(id, 8, v).decision;
        if (sug->bracket == 2) in_bracket_2.push_back(d);
    }
    EXPECT_EQ(in_bracket_2, (std::vector<Decision>{C, S, S, C}));
    EXPECT_GT(seen[0] + seen[1], 0);  // the 0.001s went to other brackets and changed nothing
}

// Deliberate differences from the reference, each pinned.
TEST(ReferenceRule, NonFiniteValuesRankWorstInBothModes) {
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {0.5, -INFINITY}), (std::vector<Decision>{C, S}));
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {0.5, INFINITY}), (std::vector<Decision>{C, S}));
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {0.5, NAN}), (std::vector<Decision>{C, S}));
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {0.5, INFINITY}, true), (std::vector<Decision>{C, S}));
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {0.5, -INFINITY}, true), (std::vector<Decision>{C, S}));
    // A diverged value recorded first does not make everything after it look good or bad.
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {-INFINITY, 0.5, 0.6, 0.7}),
              (std::vector<Decision>{C, C, C, S}));
    EXPECT_EQ(decisions_at(1, 2, 8, 1, {INFINITY, 0.6, 0.5}, true),
              (std::vector<Decision>{C, C, C}));
}

TEST(ReferenceRule, ExactTiesContinue) {
    // q = 1/3 over three equal values: the cutoff is the value itself.
    EXPECT_EQ(decisions_at(1, 3, 9, 1, {0.7, 0.7, 0.7, 0.7}), (std::vector<Decision>{C, C, C, C}));
    EXPECT_EQ(decisions_at(1, 3, 9, 1, {0.7, 0.7, 0.7, 0.7}, true),
              (std::vector<Decision>{C, C, C, C}));
}

TEST(ReferenceRule, AJumpIsJudgedAtTheHighestRungPassed) {
    Rng rng(0);
    AshaScheduler s({AshaVariant::stopping, 2, 2, 10, 1, false},
                    std::make_unique<CountingSearcher>(), rng);
    s.suggest(0);
    EXPECT_EQ(s.on_report(0, 9, 0.5).decision, C);  // past 2, 4 and 8: recorded at 8 only
    auto rungs = s.rungs();
    EXPECT_EQ(rungs[0].recorded, 0u);
    EXPECT_EQ(rungs[1].recorded, 0u);
    EXPECT_EQ(rungs[2].recorded, 1u);
}
