#pragma once
// Drives a scheduler by hand: made-up reports, no backend, no clock.

#include "policy/asha.hpp"
#include "policy/sync_sh.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace asha::test {

/// Configurations numbered 0, 1, 2, ... so a test can tell which one a suggestion carries.
class CountingSearcher : public Searcher {
  public:
    Config suggest(TrialId) override { return Config{{"n", count_++}}; }

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
    Decision d = s.on_report(id, resource, metric).decision;
    s.on_leg_end(id, LegEnd::reached_milestone);
    return d;
}

/// One accepted report of a run and the decision recorded for it.
struct DecidedReport {
    TrialId trial = 0;
    double resource = 0;
    double metric = 0;
    Decision decision = Decision::proceed;
    int bracket = 0;
};

/// numpy.quantile(sorted, num / den) with linear interpolation, in exact arithmetic: the
/// virtual position h = (n - 1) num / den in integers, the interpolation in long double (exact
/// where the two values are equal or h is whole). The reference (Syne Tune v0.13,
/// Rung.quantile) computes the same in doubles, which can move the cutoff by about an ulp of
/// the values there; asha-tune follows the exact meaning (README, "Scheduling").
inline long double exact_quantile(const std::vector<double>& sorted, std::int64_t num,
                                  std::int64_t den) {
    const auto h = static_cast<std::int64_t>(sorted.size() - 1) * num;
    const auto m = static_cast<std::size_t>(h / den);
    const std::int64_t rem = h % den;
    if (rem == 0 || m + 1 >= sorted.size() || sorted[m] == sorted[m + 1]) return sorted[m];
    const long double g = static_cast<long double>(rem) / static_cast<long double>(den);
    return sorted[m] + g * (static_cast<long double>(sorted[m + 1]) - sorted[m]);
}

/// Checks every decision of a run of ASHA's stopping variant against a brute-force version of
/// the reference's rule: per bracket b the rungs levels[b:], q_k = r_k / r_{k+1} (r_{K+1} =
/// max_t), sorted arrays of the values recorded so far and the quantile above (mode min: value
/// <= quantile(q); mode max: value >= quantile(1 - q)), fed the reports in the order they were
/// recorded. NaN and ±inf rank worst; a report is judged at the highest rung it passed. Rows
/// of a trial after its first STOP are reports that arrived while it was being stopped and are
/// not judged. Returns the number of stops.
inline std::size_t check_stopping_rule(const std::vector<DecidedReport>& rows,
                                       const std::vector<double>& levels, double max_t,
                                       bool maximize = false) {
    std::map<TrialId, std::size_t> next_rung;  // index into `levels`
    std::set<TrialId> stopped;
    std::map<std::pair<int, std::size_t>, std::vector<double>> recorded;  // (bracket, rung)
    std::size_t stops = 0;
    for (const DecidedReport& row : rows) {
        if (stopped.count(row.trial)) continue;
        std::size_t& k = next_rung.try_emplace(row.trial, row.bracket).first->second;
        int judged = -1;
        for (std::size_t j = k; j < levels.size() && row.resource >= levels[j]; ++j)
            judged = static_cast<int>(j);
        Decision expected = Decision::proceed;
        if (judged >= 0) {
            const auto rung = static_cast<std::size_t>(judged);
            k = rung + 1;
            // q = r_k / r_{k+1} (r_{K+1} = max_t); whole-number levels in these tests.
            const auto num = static_cast<std::int64_t>(levels[rung]);
            const auto den =
                static_cast<std::int64_t>(rung + 1 < levels.size() ? levels[rung + 1] : max_t);
            // Non-finite values rank worst: the worst finite value beyond either end.
            const double worst = maximize ? -INFINITY : INFINITY;
            const double value = std::isfinite(row.metric) ? row.metric : worst;
            auto& values = recorded[{row.bracket, rung}];
            values.push_back(value);
            std::vector<double> sorted = values;
            std::sort(sorted.begin(), sorted.end());
            // A report at max_t that jumped over the rung is recorded there, never stopped.
            if (sorted.size() >= 2 && !reached_level(row.resource, max_t)) {
                const long double cutoff = exact_quantile(sorted, maximize ? den - num : num, den);
                expected = (maximize ? value >= cutoff : value <= cutoff) ? Decision::proceed
                                                                          : Decision::stop;
            }
        }
        EXPECT_EQ(row.decision, expected)
            << "trial " << row.trial << " at " << row.resource << " value " << row.metric;
        if (row.decision != expected) return stops;
        if (expected == Decision::stop) {
            ++stops;
            stopped.insert(row.trial);
        }
    }
    return stops;
}

}  // namespace asha::test
