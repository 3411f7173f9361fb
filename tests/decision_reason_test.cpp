// Every scheduler gives the reason of each decision it takes at a rung, and of each promotion
// (asha/trial.hpp, DecisionReason): pinned here for ASHA's stopping and promotion variants, its
// brackets, synchronous SH and FIFO; the journal keeps them (version 2) and a replay must find
// the same ones; `why` tells them (report/trial_story.hpp).

#include "policy/asha.hpp"
#include "policy/fifo.hpp"
#include "policy/sync_sh.hpp"
#include "report/trial_story.hpp"
#include "run/journal_records.hpp"

#include "scheduler_test_util.hpp"
#include "test_util.hpp"

#include <cmath>
#include <ostream>

namespace asha {
// Shown by gtest when an expectation fails.
void PrintTo(const DecisionReason& why, std::ostream* out) {
    *out << encode_reason(why);
}
}  // namespace asha

using namespace asha;
using namespace asha::test;

namespace {

using Rule = DecisionReason::Rule;
const double kNone = std::nan("");

DecisionReason reason(Rule rule, double level, double value, std::size_t better = 0,
                      std::size_t of = 0, std::size_t top = 0, double cutoff = kNone,
                      int bracket = 0) {
    DecisionReason why;
    why.rule = rule;
    why.bracket = bracket;
    why.level = level;
    why.value = value;
    why.better = better;
    why.of = of;
    why.top = top;
    why.cutoff = cutoff;
    return why;
}

AshaScheduler make_asha(AshaVariant variant, double max_t, bool maximize = false, int brackets = 1,
                        Rng* rng = nullptr) {
    static Rng default_rng(0);
    return AshaScheduler({variant, 1, 2, max_t, brackets, maximize},
                         std::make_unique<CountingSearcher>(), rng ? *rng : default_rng);
}

}  // namespace

// Rungs at epochs 1 and 2, max_t 4, eta 2: the rule keeps the values no more than
// floor((n - 1) / 2) others beat.
TEST(DecisionReason, AshaStoppingGivesTheRankTheRuleAndTheQuantile) {
    AshaScheduler s = make_asha(AshaVariant::stopping, 4);
    for (TrialId id = 0; id < 3; ++id) s.suggest(id);
    Verdict v = s.on_report(0, 1, 0.3);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::quantile, 1, 0.3, 0, 1, 1, 0.3));
    v = s.on_report(1, 1, 0.5);
    EXPECT_EQ(v.decision, Decision::stop);
    EXPECT_EQ(v.why, reason(Rule::quantile, 1, 0.5, 1, 2, 1, 0.4));  // median of .3 .5
    v = s.on_report(2, 1, 0.1);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::quantile, 1, 0.1, 0, 3, 2, 0.3));
    // Between rungs nothing is judged, and nothing is said.
    v = s.on_report(0, 1.5, 0.2);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, std::nullopt);
    // Past max_t: recorded at the last rung it passed (2), never stopped.
    v = s.on_report(0, 4, 0.9);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::max_t, 2, 0.9, 0, 1, 1));
}

TEST(DecisionReason, InModeMaxTheCutoffIsInTheMetricsOwnUnits) {
    AshaScheduler s = make_asha(AshaVariant::stopping, 4, true);
    s.suggest(0);
    s.suggest(1);
    s.on_report(0, 1, 0.3);
    const Verdict v = s.on_report(1, 1, 0.5);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::quantile, 1, 0.5, 0, 2, 1, 0.4));
}

// The book's Figure 19.5.2 (eta 2, rungs 1 and 2, max_t 4), with the reasons.
TEST(DecisionReason, AshaPromotionGivesEachPauseAndEachPromotionItsRank) {
    AshaScheduler s = make_asha(AshaVariant::promotion, 4);
    expect_start(s, 0, 1);
    expect_start(s, 1, 1);
    Verdict v = s.on_report(0, 1, 0.3);
    s.on_leg_end(0, LegEnd::reached_milestone);
    EXPECT_EQ(v.decision, Decision::pause);
    EXPECT_EQ(v.why, reason(Rule::paused, 1, 0.3, 0, 1, 0));  // one value: no top yet
    expect_start(s, 2, 1);
    v = s.on_report(1, 1, 0.5);
    s.on_leg_end(1, LegEnd::reached_milestone);
    EXPECT_EQ(v.why, reason(Rule::paused, 1, 0.5, 1, 2, 1, 0.3));
    const auto promotion = s.suggest(3);
    ASSERT_TRUE(promotion);
    EXPECT_EQ(promotion->trial_id, 0);
    EXPECT_EQ(promotion->why, reason(Rule::promoted, 1, 0.3, 0, 2, 1, 0.3));
    // Trial 2 pauses too; a further report while it is paused is not judged again.
    v = s.on_report(2, 1, 0.6);
    EXPECT_EQ(v.why, reason(Rule::paused, 1, 0.6, 2, 3, 1, 0.3));
    EXPECT_EQ(s.on_report(2, 1.5, 0.6).why, std::nullopt);
    // max_t completes without a rung.
    v = s.on_report(0, 4, 0.1);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::max_t, 4, 0.1));
    // New trials start with no reason of their own.
    EXPECT_EQ(s.suggest(3)->why, std::nullopt);
}

TEST(DecisionReason, HyperbandReasonsNameTheBracketAndItsRungs) {
    Rng rng(3);
    AshaScheduler s = make_asha(AshaVariant::stopping, 4, false, 2, &rng);
    int seen = 0;
    for (TrialId id = 0; id < 40 && seen < 2; ++id) {
        const auto got = s.suggest(id);
        ASSERT_TRUE(got);
        if (got->bracket != 1) continue;
        // Bracket 1 starts at rung 2: a report at epoch 1 is below its first rung.
        EXPECT_EQ(s.on_report(id, 1, 0.5).why, std::nullopt);
        const Verdict v = s.on_report(id, 2, 0.5);
        ASSERT_TRUE(v.why);
        EXPECT_EQ(v.why->bracket, 1);
        EXPECT_EQ(v.why->level, 2);
        EXPECT_EQ(v.why->of, static_cast<std::size_t>(seen + 1));
        ++seen;
    }
    EXPECT_EQ(seen, 2);
}

// The book's Figure 19.5.1 (eta 2, four trials, rungs 1 and 2, max_t 4).
TEST(DecisionReason, SyncShPausesAtItsRoundsRungAndPromotesAtTheRoundsEnd) {
    SyncShScheduler s({1, 2, 4, 1, 1, false}, std::make_unique<CountingSearcher>());
    for (TrialId id = 0; id < 4; ++id) expect_start(s, id, 1);
    const double values[] = {0.3, 0.5, 0.6, 0.4};
    for (TrialId id = 0; id < 4; ++id) {
        const Verdict v = s.on_report(id, 1, values[id]);
        EXPECT_EQ(v.decision, Decision::pause);
        EXPECT_EQ(v.why, reason(Rule::milestone, 1, values[id]));
        s.on_leg_end(id, LegEnd::reached_milestone);
    }
    const auto first = s.suggest(4), second = s.suggest(4);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->trial_id, 0);
    EXPECT_EQ(first->why, reason(Rule::round_end, 1, 0.3, 0, 4, 2, 0.4));
    EXPECT_EQ(second->trial_id, 3);
    EXPECT_EQ(second->why, reason(Rule::round_end, 1, 0.4, 1, 4, 2, 0.4));
    finish_leg(s, 0, 2, 0.2);
    finish_leg(s, 3, 2, 0.35);
    const auto last = s.suggest(4);
    ASSERT_TRUE(last);
    EXPECT_EQ(last->why, reason(Rule::round_end, 2, 0.2, 0, 2, 1, 0.2));
    const Verdict v = s.on_report(0, 4, 0.1);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::max_t, 4, 0.1));
}

TEST(DecisionReason, FifoSaysOnlyThatMaxTWasReached) {
    FifoScheduler s(3, std::make_unique<CountingSearcher>());
    s.suggest(0);
    EXPECT_EQ(s.on_report(0, 1, 0.5).why, std::nullopt);
    const Verdict v = s.on_report(0, 3, 0.25);
    EXPECT_EQ(v.decision, Decision::proceed);
    EXPECT_EQ(v.why, reason(Rule::max_t, 3, 0.25));
}

TEST(DecisionReason, TheJournalKeepsEveryFieldAndLeavesOutWhatARuleHasNot) {
    const DecisionReason ranked = reason(Rule::quantile, 3, 0.41, 2, 7, 3, 0.38, 1);
    EXPECT_EQ(encode_reason(ranked),
              R"({"rule":"quantile","bracket":1,"level":3,"value":0.41,"better":2,"of":7,)"
              R"("top":3,"cutoff":0.38})");
    EXPECT_EQ(decode_reason(json::parse(encode_reason(ranked))), ranked);
    const DecisionReason bare = reason(Rule::max_t, 27, kNone);
    EXPECT_EQ(encode_reason(bare), R"({"rule":"max_t","bracket":0,"level":27,"value":"NaN"})");
    EXPECT_EQ(decode_reason(json::parse(encode_reason(bare))), bare);
    EXPECT_THROW(decode_reason(json::parse(R"({"rule":"vibes","level":1,"value":1})")),
                 std::invalid_argument);
    EXPECT_THROW(decode_reason(json::parse(R"([1])")), std::invalid_argument);
    // On the records that carry one.
    ReportRecord report{2.5, 4, 3, 0.41, Decision::stop, std::nullopt, 0, ranked, std::nullopt};
    const auto back = std::get<ReportRecord>(decode_record(encode_record(report)));
    EXPECT_EQ(back.why, ranked);
    StartRecord start{3, 4, 1, LaunchKind::promote, 0, 9, std::nullopt, ranked};
    EXPECT_EQ(std::get<StartRecord>(decode_record(encode_record(start))).why, ranked);
    // PASHA's raise rides on the report after which it happened.
    report.raised = TopRaise{9, 3, 12, 4, 0.0215};
    EXPECT_NE(encode_record(report).find(
                  R"("raised":{"level":9,"compared":3,"trial":12,"place":4,"epsilon":0.0215})"),
              std::string::npos)
        << encode_record(report);
    EXPECT_EQ(std::get<ReportRecord>(decode_record(encode_record(report))).raised, report.raised);
    EXPECT_THROW(decode_raise(json::parse(R"({"level":9})")), std::exception);
}

TEST(DecisionReason, EachRuleIsExplainedInOneSentence) {
    ExperimentConfig config;
    config.metric = "loss";
    config.resource_attr = "epoch";
    EXPECT_EQ(explain(reason(Rule::quantile, 3, 0.41, 2, 7, 3, 0.38), config),
              "epoch 3: loss 0.41, 2 of the 7 values there better; it goes on while fewer than "
              "3 are (the rung's quantile is 0.38)");
    EXPECT_EQ(explain(reason(Rule::paused, 1, 0.3, 0, 1, 0), config),
              "epoch 1: loss 0.3, 0 of the 1 values there better; paused: with 1 values the "
              "rung promotes none yet");
    EXPECT_EQ(explain(reason(Rule::paused, 1, 0.5, 1, 2, 1, 0.3), config),
              "epoch 1: loss 0.5, 1 of the 2 values there better; paused, and promoted when a "
              "worker is free while fewer than 1 are (the top ends at 0.3)");
    EXPECT_EQ(explain(reason(Rule::promoted, 1, 0.3, 0, 2, 1, 0.3), config),
              "promoted from epoch 1: loss 0.3, 0 of the 2 values there better, within the top "
              "1 (the top ends at 0.3)");
    EXPECT_EQ(explain(reason(Rule::milestone, 1, 0.3), config),
              "epoch 1: loss 0.3; paused until every trial of its round has reached this rung");
    EXPECT_EQ(explain(reason(Rule::round_end, 1, 0.4, 1, 4, 2, 0.4), config),
              "promoted from epoch 1 when its round ended: loss 0.4, 1 of the 4 values there "
              "better, within the top 2 (the top ends at 0.4)");
    EXPECT_EQ(explain(reason(Rule::max_t, 2, 0.9, 0, 1, 1), config),
              "reached max_t: loss 0.9; the trial completes (at its last rung, epoch 2: 0 of "
              "the 1 values there better)");
    EXPECT_EQ(explain(reason(Rule::max_t, 4, 0.1234567), config),
              "reached max_t (epoch 4): loss 0.123457; the trial completes");
    // PASHA: the quantile promotion, and the top rung.
    EXPECT_EQ(explain(reason(Rule::pasha_paused, 1, 0.5, 1, 4, 2, 0.55), config),
              "epoch 1: loss 0.5, 1 of the 4 values there better; paused; promoted when a "
              "worker is free while fewer than 2 are (the rung's quantile is 0.55)");
    EXPECT_EQ(explain(reason(Rule::pasha_top, 3, 0.4, 0, 1, 0), config),
              "epoch 3: loss 0.4, 0 of the 1 values there better; paused at PASHA's top rung: "
              "trials go no further until PASHA raises it (with 1 value the rung promotes none "
              "yet)");
    EXPECT_EQ(explain(reason(Rule::pasha_promoted, 1, 0.3, 0, 3, 2, 0.35), config),
              "promoted from epoch 1: loss 0.3, 0 of the 3 values there better, fewer than 2 "
              "(as good as the rung's quantile, 0.35)");
    EXPECT_EQ(explain_raise(TopRaise{9, 3, 12, 4, 0.0215}, config),
              "PASHA raised its top rung: trials now go up to epoch 9, because at epoch 3 trial "
              "12 ranks at place 5, outside its group one rung below (values within epsilon "
              "0.0215)");
    EXPECT_EQ(explain(reason(Rule::run_ending, 2, 0.5), config),
              "epoch 2: loss 0.5; the run was ending, so the tuner stopped it without asking "
              "the scheduler");
    // MO-ASHA: a place in the rung's order, its front, how far from feasible.
    DecisionReason mo = reason(Rule::ranked, 3, 0.2, 4, 9, 3);
    mo.front = 2;
    EXPECT_EQ(explain(mo, config),
              "epoch 3: loss 0.2, 4 of the 9 results there ranked before it (it is on front 2); "
              "it goes on while fewer than 3 are");
    mo.front = 0;
    mo.violation = 0.25;
    EXPECT_EQ(explain(mo, config),
              "epoch 3: loss 0.2, 4 of the 9 results there ranked before it (infeasible by "
              "0.25); it goes on while fewer than 3 are");
    mo.violation = INFINITY;
    EXPECT_NE(explain(mo, config)
                  .find("(infeasible: a constrained value or an objective is "
                        "missing or not finite)"),
              std::string::npos);
    // The journal keeps both.
    mo.front = 1;
    EXPECT_EQ(decode_reason(json::parse(encode_reason(mo))), mo);
    EXPECT_NE(encode_reason(mo).find(R"("front":1,"violation":"Infinity")"), std::string::npos)
        << encode_reason(mo);
}
