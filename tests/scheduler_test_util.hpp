#pragma once
// Drives a scheduler by hand: made-up reports, no backend, no clock.

#include "asha/asha.hpp"
#include "asha/sync_sh.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

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

/// One accepted report of a run and the decision recorded for it.
struct DecidedReport {
    TrialId trial = 0;
    double resource = 0;
    double metric = 0;
    Decision decision = Decision::proceed;
};

/// Checks every decision of a run of ASHA's stopping variant (mode min) against a brute-force
/// version of the rule: sorted arrays and a numpy-style 1/eta quantile per rung, fed the
/// reports in the order they were recorded. Rows of a trial after its first STOP are reports
/// that arrived while it was being stopped and are not judged. Returns the number of stops.
inline std::size_t check_stopping_rule(const std::vector<DecidedReport>& rows,
                                       const std::vector<double>& levels, double eta) {
    std::map<TrialId, std::size_t> next_rung;
    std::set<TrialId> stopped;
    std::vector<std::vector<double>> recorded(levels.size());
    std::size_t stops = 0;
    for (const DecidedReport& row : rows) {
        if (stopped.count(row.trial)) continue;
        std::size_t& k = next_rung[row.trial];
        int judged = -1;
        for (std::size_t j = k; j < levels.size() && row.resource >= levels[j]; ++j)
            judged = static_cast<int>(j);
        Decision expected = Decision::proceed;
        if (judged >= 0) {
            k = static_cast<std::size_t>(judged) + 1;
            auto& values = recorded[static_cast<std::size_t>(judged)];
            values.push_back(std::isnan(row.metric) ? INFINITY : row.metric);
            std::vector<double> sorted = values;
            std::sort(sorted.begin(), sorted.end());
            double pos = static_cast<double>(sorted.size() - 1) / eta;
            auto lo = static_cast<std::size_t>(std::floor(pos));
            double q = sorted[lo];
            if (lo + 1 < sorted.size())
                q += (pos - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
            expected = values.back() <= q ? Decision::proceed : Decision::stop;
        }
        EXPECT_EQ(row.decision, expected) << "trial " << row.trial << " at " << row.resource;
        if (row.decision != expected) return stops;
        if (expected == Decision::stop) {
            ++stops;
            stopped.insert(row.trial);
        }
    }
    return stops;
}

}  // namespace asha::test
