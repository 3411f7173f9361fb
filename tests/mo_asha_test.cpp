// MO-ASHA and ASHA with constraints (policy/mo_asha, policy/priority_rung): decisions against a
// brute-force rule on random report sequences with ties, duplicates, infeasible and non-finite
// reports; constraints in single-objective runs; the decisions Syne Tune v0.13's MOASHA (with the
// rank it means to read) took on recorded runs (tests/data/moasha_reference).
#include "policy/mo_asha.hpp"
#include "policy/asha.hpp"
#include "policy/stopping_rule.hpp"

#include "pareto_oracle.hpp"
#include "scheduler_test_util.hpp"

#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <set>

using namespace asha;
using namespace asha::test;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

MoAshaScheduler make(std::vector<bool> maximize, AshaVariant variant = AshaVariant::stopping,
                     double grace = 1, double eta = 3, double max_t = 27,
                     MoPriority priority = MoPriority::non_dominated,
                     std::vector<double> weights = {}) {
    static Rng rng(0);
    MoAshaScheduler::Params p;
    p.variant = variant;
    p.grace_period = grace;
    p.eta = eta;
    p.max_t = max_t;
    p.order.maximize = std::move(maximize);
    p.order.priority = priority;
    p.order.weights = std::move(weights);
    return MoAshaScheduler(std::move(p), std::make_unique<CountingSearcher>(), rng);
}

/// One result at a rung as the brute force sees it.
struct Recorded {
    Objectives key;  // minimised
    double violation = 0;
    bool invalid = false;
};

/// Brute force: how many results of `rung` come before its last one: feasible first (by the
/// brute-force non-dominated order), then infeasible by violation, then invalid.
std::size_t brute_before(const std::vector<Recorded>& rung) {
    const Recorded& last = rung.back();
    std::size_t feasible = 0, infeasible_before = 0, infeasible = 0;
    for (const Recorded& r : rung) {
        if (r.invalid) continue;
        if (r.violation > 0) {
            ++infeasible;
            if (r.violation < last.violation) ++infeasible_before;
        } else {
            ++feasible;
        }
    }
    if (last.invalid) return feasible + infeasible;
    if (last.violation > 0) return feasible + infeasible_before;
    std::vector<Objectives> points;
    for (const Recorded& r : rung)
        if (!r.invalid && r.violation == 0) points.push_back(r.key);
    return brute_positions(points, 0).back();
}

}  // namespace

// Random sequences: trials report epochs 1, 2, ... with values on a coarse grid (many ties and
// duplicates), some infeasible, some with a NaN objective. Every decision at a rung is the
// brute-force rule's: stop iff before / n > 1 / eta.
TEST(MoAsha, StoppingDecisionsMatchTheBruteForceRule) {
    std::mt19937 gen(3);
    for (int round = 0; round < 40; ++round) {
        const std::size_t d = 2 + round % 2;
        const double eta = round % 3 == 0 ? 2 : 3;
        std::vector<bool> maximize(d);
        for (std::size_t k = 0; k < d; ++k) maximize[k] = (round + k) % 3 == 0;
        MoAshaScheduler s = make(maximize, AshaVariant::stopping, 1, eta, 27);
        const std::vector<double> levels = rung_levels(1, eta, 27);
        std::vector<std::vector<Recorded>> rungs(levels.size());
        std::vector<double> epoch;
        std::vector<bool> stopped;
        std::uniform_int_distribution<int> grid(0, 5), pick(0, 99);
        for (int step = 0; step < 400; ++step) {
            // Start a trial now and then, else advance a random live one.
            if (epoch.empty() || pick(gen) < 15) {
                s.suggest(static_cast<TrialId>(epoch.size()));
                epoch.push_back(0);
                stopped.push_back(false);
            }
            const auto t = static_cast<std::size_t>(pick(gen)) % epoch.size();
            if (stopped[t] || epoch[t] >= 26) continue;
            epoch[t] += 1;
            Observation seen;
            for (std::size_t k = 0; k < d; ++k) seen.values.push_back(grid(gen) / 2.0);
            const int kind = pick(gen);
            if (kind < 8) seen.values[1] = kNaN;
            if (kind >= 8 && kind < 20) seen.violation = grid(gen) / 4.0;
            const Verdict v = s.on_observation(static_cast<TrialId>(t), epoch[t], seen);
            const auto rung = std::find(levels.begin(), levels.end(), epoch[t]);
            if (rung == levels.end()) {
                ASSERT_EQ(v.decision, Decision::proceed);
                ASSERT_FALSE(v.why);
                continue;
            }
            Recorded r;
            for (std::size_t k = 0; k < d; ++k)
                r.key.push_back(maximize[k] ? -seen.values[k] : seen.values[k]);
            r.violation = seen.violation;
            r.invalid = std::isnan(seen.values[1]);
            auto& at = rungs[static_cast<std::size_t>(rung - levels.begin())];
            at.push_back(r);
            const std::size_t before = brute_before(at);
            const bool stops =
                static_cast<double>(before) / static_cast<double>(at.size()) > 1 / eta;
            ASSERT_TRUE(v.why) << "round " << round;
            ASSERT_EQ(v.why->better, before) << "round " << round << " step " << step;
            ASSERT_EQ(v.why->of, at.size());
            ASSERT_EQ(v.decision, stops ? Decision::stop : Decision::proceed)
                << "round " << round << " step " << step;
            EXPECT_EQ(v.why->rule, DecisionReason::Rule::ranked);
            if (r.invalid) {
                EXPECT_TRUE(std::isinf(v.why->violation));
            }
            if (v.decision == Decision::stop) stopped[t] = true;
        }
    }
}

// A result that dominates every other at the rung goes on (Syne Tune v0.13's MOASHA stops it:
// it reads the rank of the point its order puts last), and the one it dominates last stops.
TEST(MoAsha, AResultThatDominatesTheRungContinues) {
    MoAshaScheduler s = make({false, false});
    const std::vector<std::vector<double>> reports = {{3, 3}, {2, 5}, {5, 2}, {4, 4}, {0.5, 0.5}};
    std::vector<Decision> got;
    for (std::size_t i = 0; i < reports.size(); ++i) {
        s.suggest(static_cast<TrialId>(i));
        got.push_back(
            s.on_observation(static_cast<TrialId>(i), 1, Observation{reports[i], 0}).decision);
    }
    // (3,3) alone; (2,5) joins its front and, smallest in the first objective, seeds its
    // epsilon-net: first of 2; (5,2), farthest from (2,5), is second of 3 (1/3 is not above 1/3);
    // (4,4), dominated by (3,3), is last of 4; (0.5,0.5) dominates all: first of 5.
    EXPECT_EQ(got, (std::vector<Decision>{Decision::proceed, Decision::proceed, Decision::proceed,
                                          Decision::stop, Decision::proceed}));
}

// With one objective, constraints rank the infeasible last, and a run whose reports are all
// feasible takes exactly single-objective ASHA's decisions (its quantile rule, ties included).
TEST(MoAsha, ConstraintsInASingleObjectiveRun) {
    std::mt19937 gen(8);
    std::uniform_int_distribution<int> grid(0, 9);
    for (bool maximize : {false, true}) {
        Rng rng(1);
        AshaScheduler plain({AshaVariant::stopping, 1, 3, 27, 1, maximize},
                            std::make_unique<CountingSearcher>(), rng);
        MoAshaScheduler constrained = make({maximize});
        for (TrialId t = 0; t < 300; ++t) {
            plain.suggest(t);
            constrained.suggest(t);
            for (double epoch = 1; epoch <= 9; ++epoch) {
                const double value = grid(gen) / 3.0;
                const Verdict a = plain.on_report(t, epoch, value);
                const Verdict b = constrained.on_observation(t, epoch, Observation{{value}, 0});
                ASSERT_EQ(a.decision, b.decision) << "trial " << t << " epoch " << epoch;
                if (a.why) {
                    ASSERT_TRUE(b.why);
                    EXPECT_EQ(a.why->better, b.why->better);
                    EXPECT_EQ(a.why->top, b.why->top);
                }
                if (a.decision == Decision::stop) break;
            }
        }
    }
    // The best value, infeasible, ranks after the feasible ones: it stops.
    MoAshaScheduler s = make({false});
    for (TrialId t = 0; t < 6; ++t) {
        s.suggest(t);
        s.on_observation(t, 1, Observation{{0.5 + static_cast<double>(t) / 10}, 0});
    }
    s.suggest(6);
    const Verdict v = s.on_observation(6, 1, Observation{{0.01}, 0.2});
    EXPECT_EQ(v.decision, Decision::stop);
    ASSERT_TRUE(v.why);
    EXPECT_EQ(v.why->better, 6u);
    EXPECT_EQ(v.why->violation, 0.2);
}

// A report with a missing (NaN) or infinite objective never looks good: it ranks after every
// finite one, even if its other objective is the best of the rung.
TEST(MoAsha, NonFiniteObjectivesRankLast) {
    for (double bad : {kNaN, -std::numeric_limits<double>::infinity()}) {
        MoAshaScheduler s = make({false, false});
        for (TrialId t = 0; t < 3; ++t) {
            s.suggest(t);
            s.on_observation(t, 1, Observation{{1.0 + static_cast<double>(t), 5}, 0});
        }
        s.suggest(3);
        const Verdict v = s.on_observation(3, 1, Observation{{0.0, bad}, 0});
        ASSERT_TRUE(v.why);
        EXPECT_EQ(v.why->better, 3u);
        EXPECT_EQ(v.decision, Decision::stop);
        EXPECT_TRUE(std::isinf(v.why->violation));
    }
}

// Promotion variant: every trial pauses at its rung; a free worker promotes the first
// not-yet-promoted trial in the rung's non-dominated order once it is among the top n / eta.
TEST(MoAsha, PromotionFollowsTheRungsOrder) {
    MoAshaScheduler s = make({false, false}, AshaVariant::promotion, 1, 3, 9);
    const std::vector<std::vector<double>> reports = {{4, 4}, {1, 1}, {3, 3}};
    for (std::size_t i = 0; i < reports.size(); ++i) {
        const auto t = static_cast<TrialId>(i);
        expect_start(s, t, 1);
        const Verdict v = s.on_observation(t, 1, Observation{reports[i], 0});
        EXPECT_EQ(v.decision, Decision::pause);
        s.on_leg_end(t, LegEnd::reached_milestone);
    }
    // 3 results, top 1: trial 1 (1, 1) dominates both others.
    auto got = s.suggest(3);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->kind, Suggestion::Kind::resume);
    EXPECT_EQ(got->trial_id, 1);
    EXPECT_EQ(got->milestone, 3);
    ASSERT_TRUE(got->why);
    EXPECT_EQ(got->why->rule, DecisionReason::Rule::promoted);
    EXPECT_EQ(got->why->front, 1u);
    // Nobody else is in the top 1 now: a new trial starts.
    expect_start(s, 3, 1);
}

namespace {

/// Brute force: the place of each result of `rung` among them all (feasible first: by the
/// brute-force non-dominated order, or by the scalar priority when `weights` is not empty or
/// there is one objective; then the infeasible by violation; then the invalid).
std::vector<std::size_t> brute_places(const std::vector<Recorded>& rung,
                                      const std::vector<double>& weights) {
    std::vector<Objectives> points;
    std::vector<std::size_t> point_of(rung.size());
    std::size_t infeasible = 0;
    for (std::size_t i = 0; i < rung.size(); ++i) {
        if (rung[i].invalid) continue;
        if (rung[i].violation > 0) {
            ++infeasible;
            continue;
        }
        point_of[i] = points.size();
        points.push_back(rung[i].key);
    }
    const std::size_t feasible = points.size();
    const bool by_scalar = !weights.empty() || (feasible > 0 && points[0].size() == 1);
    const auto scalar = [&](const Objectives& k) {
        return k.size() == 1 ? k[0] : linear_scalarization(k, weights);
    };
    std::vector<std::size_t> position;
    if (!by_scalar && feasible > 0) position = brute_positions(points, 0);
    std::vector<std::size_t> place(rung.size());
    for (std::size_t i = 0; i < rung.size(); ++i) {
        const Recorded& me = rung[i];
        std::size_t before = 0;
        if (me.invalid) {
            before = feasible + infeasible;
        } else if (me.violation > 0) {
            before = feasible;
            for (const Recorded& r : rung)
                if (!r.invalid && r.violation > 0 && r.violation < me.violation) ++before;
        } else if (by_scalar) {
            for (const Objectives& k : points)
                if (scalar(k) < scalar(me.key)) ++before;
        } else {
            before = position[point_of[i]];
        }
        place[i] = before;
    }
    return place;
}

}  // namespace

// Promotion variant against a brute-force rule on random runs (one, two and three objectives,
// the non-dominated order and the linear scalarisation, infeasible and NaN results): whenever a
// worker is free, the trial promoted is the waiting one first in the brute-force order of the
// highest rung where it is among the top floor(n / eta) (ties: the lower id), and a new trial
// starts only when no rung has one.
TEST(MoAsha, PromotionsMatchTheBruteForceRule) {
    std::mt19937 gen(5);
    std::uniform_int_distribution<int> grid(0, 5), pick(0, 99);
    for (int round = 0; round < 30; ++round) {
        const std::size_t d = 1 + round % 3;
        const bool linear = d > 1 && round % 4 == 3;
        const double eta = round % 2 ? 3 : 2;
        std::vector<bool> maximize(d);
        for (std::size_t k = 0; k < d; ++k) maximize[k] = (round + k) % 3 == 0;
        std::vector<double> weights;
        if (linear) weights = std::vector<double>{1, 0.5, 2}, weights.resize(d);
        MoAshaScheduler s =
            make(maximize, AshaVariant::promotion, 1, eta, 9,
                 linear ? MoPriority::linear_scalarization : MoPriority::non_dominated, weights);
        const std::vector<double> levels = rung_levels(1, eta, 9);
        std::vector<std::vector<Recorded>> rungs(levels.size());
        std::vector<std::vector<TrialId>> recorded(levels.size());  // trial of each result
        std::vector<std::set<TrialId>> waiting(levels.size());
        std::vector<double> epoch, milestone;
        std::vector<TrialId> running;
        const std::string where = "round " + std::to_string(round);
        for (int step = 0; step < 700; ++step) {
            if (running.size() < 4) {
                // The brute-force choice: the highest rung with a waiting trial in its top.
                // expected: (rung, (place, trial)).
                std::optional<std::pair<std::size_t, std::pair<std::size_t, TrialId>>> expected;
                for (std::size_t k = levels.size(); k-- > 0 && !expected;) {
                    const auto top = static_cast<std::size_t>(
                        std::floor(static_cast<double>(rungs[k].size()) / eta));
                    if (top == 0 || waiting[k].empty()) continue;
                    const std::vector<std::size_t> place =
                        brute_places(rungs[k], linear ? weights : std::vector<double>{});
                    std::optional<std::pair<std::size_t, TrialId>> first;  // (place, trial)
                    for (std::size_t i = 0; i < rungs[k].size(); ++i) {
                        const std::pair<std::size_t, TrialId> here{place[i], recorded[k][i]};
                        if (waiting[k].count(here.second) && (!first || here < *first))
                            first = here;
                    }
                    if (first && first->first < top) expected.emplace(k, *first);
                }
                const auto got = s.suggest(static_cast<TrialId>(epoch.size()));
                ASSERT_TRUE(got) << where;
                if (expected) {
                    const auto [k, first] = *expected;
                    const TrialId trial = first.second;
                    ASSERT_EQ(got->kind, Suggestion::Kind::resume) << where << " step " << step;
                    ASSERT_EQ(got->trial_id, trial) << where << " step " << step;
                    ASSERT_TRUE(got->why);
                    EXPECT_EQ(got->why->better, first.first) << where << " step " << step;
                    waiting[k].erase(trial);
                    milestone[static_cast<std::size_t>(trial)] = got->milestone;
                    running.push_back(trial);
                } else {
                    ASSERT_EQ(got->kind, Suggestion::Kind::start) << where << " step " << step;
                    ASSERT_EQ(got->trial_id, static_cast<TrialId>(epoch.size()));
                    epoch.push_back(0);
                    milestone.push_back(got->milestone);
                    running.push_back(got->trial_id);
                }
                continue;
            }
            const std::size_t r = static_cast<std::size_t>(pick(gen)) % running.size();
            const TrialId t = running[r];
            const auto ti = static_cast<std::size_t>(t);
            epoch[ti] += 1;
            Observation seen;
            for (std::size_t k = 0; k < d; ++k) seen.values.push_back(grid(gen) / 2.0);
            const int kind = pick(gen);
            if (kind < 8) seen.values[0] = kNaN;
            // Some runs mostly infeasible: their promotions reach the infeasible results.
            if (kind >= 8 && kind < (round % 5 == 4 ? 85 : 20))
                seen.violation = 1 + grid(gen) / 4.0;
            const Verdict v = s.on_observation(t, epoch[ti], seen);
            if (epoch[ti] < milestone[ti]) {
                ASSERT_EQ(v.decision, Decision::proceed) << where;
                continue;
            }
            running.erase(running.begin() + static_cast<long>(r));
            if (epoch[ti] >= 9) {  // complete
                ASSERT_EQ(v.decision, Decision::proceed) << where;
                s.on_leg_end(t, LegEnd::reached_milestone);
                continue;
            }
            ASSERT_EQ(v.decision, Decision::pause) << where << " step " << step;
            const auto k = static_cast<std::size_t>(
                std::find(levels.begin(), levels.end(), epoch[ti]) - levels.begin());
            ASSERT_LT(k, levels.size()) << where;
            Recorded rec;
            for (std::size_t j = 0; j < d; ++j)
                rec.key.push_back(maximize[j] ? -seen.values[j] : seen.values[j]);
            rec.violation = seen.violation;
            rec.invalid = std::isnan(seen.values[0]);
            rungs[k].push_back(rec);
            recorded[k].push_back(t);
            // Now and then a leg fails after its report: it is never promoted.
            if (pick(gen) < 5) {
                s.on_leg_end(t, LegEnd::failed);
                continue;
            }
            s.on_leg_end(t, LegEnd::reached_milestone);
            waiting[k].insert(t);
        }
    }
}

// Syne Tune v0.13's MOASHA, with the rank it means to read, on recorded runs (bench/
// mo_reference_check.py --record): two objectives, one maximised, three objectives, and the
// linear scalarisation with weights at eta 2 and grace 2. Every decision must be the same.
TEST(MoAsha, DecisionsEqualTheReferenceOnRecordedRuns) {
    for (const char* name : {"nd2", "max", "three", "lin"}) {
        std::ifstream in(std::string(ASHA_SOURCE_DIR) + "/tests/data/moasha_reference/" + name +
                         ".jsonl");
        ASSERT_TRUE(in) << name;
        std::string line;
        std::getline(in, line);
        const json head = json::parse(line);
        std::vector<bool> maximize;
        for (const auto& m : head["mode"]) maximize.push_back(m == "max");
        std::vector<double> weights;
        if (head["weights"].is_array()) weights = head["weights"].get<std::vector<double>>();
        MoAshaScheduler s = make(maximize, AshaVariant::stopping, head["grace_period"],
                                 head["reduction_factor"], head["max_t"],
                                 head["multiobjective_priority"] == "linear_scalarization"
                                     ? MoPriority::linear_scalarization
                                     : MoPriority::non_dominated,
                                 weights);
        TrialId started = 0;
        std::size_t checked = 0;
        while (std::getline(in, line)) {
            const json row = json::parse(line);
            const TrialId trial = row["trial"];
            while (started <= trial) s.suggest(started++);
            const Verdict v = s.on_observation(
                trial, row["resource"], Observation{row["values"].get<std::vector<double>>(), 0});
            ASSERT_EQ(to_string(v.decision), row["decision"].get<std::string>())
                << name << ": " << line;
            ++checked;
        }
        EXPECT_GT(checked, 100u) << name;
    }
}
