// The Tuner loop over the simulated backend: determinism, stop criteria, and that the decisions
// taken in a whole run are exactly the ones the stopping rule gives (checked by brute force).

#include "asha/tuner.hpp"
#include "backends/sim_backend.hpp"
#include "policy/stopping_rule.hpp"

#include "scheduler_test_util.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace asha;

namespace {

struct Row {
    TrialId trial;
    double time, resource, metric;
    Decision decision;
};

class RecordingWriter : public RunWriter {
  public:
    std::vector<Row> rows;
    std::vector<std::pair<TrialId, double>> starts;  // (trial, milestone) of every leg
    void trial_started(const TrialRecord& t) override { starts.emplace_back(t.id, t.milestone); }
    void result(const TrialRecord& t, const Report& r, Decision d, double time) override {
        rows.push_back({t.id, time, r.resource, r.metric, d});
    }
};

ExperimentConfig sim_config(const char* patch) {
    json doc = json::parse(R"({
      "name": "sim",
      "config_space": {
        "learning_rate": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
        "batch_size": {"type": "randint", "lower": 32, "upper": 256},
        "max_epochs": 27
      },
      "metric": "validation_error", "resource_attr": "epoch", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
      "stop": {"max_wallclock_time": 2000},
      "workers": 16, "seed": 3
    })");
    merge_json(doc, json::parse(patch));
    return parse_experiment(doc, "sim.json");
}

struct SimRun {
    RunResult result;
    std::vector<TrialRecord> trials;
    RecordingWriter writer;
};

std::unique_ptr<SimRun> simulate(const ExperimentConfig& c) {
    auto run = std::make_unique<SimRun>();
    auto benchmark = make_benchmark(c.benchmark, c.max_t);
    Rng rng(c.seed);
    auto scheduler = make_scheduler(c, rng);
    SimBackend backend(*benchmark, c.metric, c.resource_attr, c.seed);
    Tuner tuner(c, *scheduler, backend, &run->writer);
    run->result = tuner.run();
    run->trials = tuner.trials();
    return run;
}

}  // namespace

TEST(TunerSim, SameSeedSameRunOtherSeedOtherRun) {
    auto a = simulate(sim_config("{}"));
    auto b = simulate(sim_config("{}"));
    auto c = simulate(sim_config(R"({"seed": 4})"));
    ASSERT_GT(a->writer.rows.size(), 100u);
    ASSERT_EQ(a->writer.rows.size(), b->writer.rows.size());
    for (std::size_t i = 0; i < a->writer.rows.size(); ++i) {
        EXPECT_EQ(a->writer.rows[i].trial, b->writer.rows[i].trial);
        EXPECT_EQ(a->writer.rows[i].time, b->writer.rows[i].time);
        EXPECT_EQ(a->writer.rows[i].metric, b->writer.rows[i].metric);
        EXPECT_EQ(a->writer.rows[i].decision, b->writer.rows[i].decision);
    }
    EXPECT_NE(a->trials[1].config.dump(), c->trials[1].config.dump());
}

// Replays every report of a whole run through a brute-force version of the stopping rule
// (sorted arrays, numpy-style quantile) and expects the same decision each time.
TEST(TunerSim, EveryStoppingDecisionMatchesBruteForce) {
    auto run = simulate(sim_config("{}"));
    std::vector<test::DecidedReport> rows;
    for (const Row& row : run->writer.rows)
        if (row.decision != Decision::stop || row.time < 2000)  // the end of the run stops all
            rows.push_back({row.trial, row.resource, row.metric, row.decision});
    EXPECT_GT(test::check_stopping_rule(rows, rung_levels(1, 3, 27), 27), 50u);
}

// The same brute-force check where the reference's rule differs from a plain 1/eta: the book's
// own setting (grace 2, eta 2, max_t 10: rung 8 is judged at q = 0.8), a non-integer eta
// (levels rounded to 1, 2, 6, 16), mode max, and asynchronous Hyperband (rungs per bracket).
class ReferenceRule : public ::testing::TestWithParam<const char*> {};

TEST_P(ReferenceRule, EveryStoppingDecisionMatchesBruteForce) {
    auto run = simulate(sim_config(GetParam()));
    const ExperimentConfig& c = sim_config(GetParam());
    std::vector<test::DecidedReport> rows;
    for (const Row& row : run->writer.rows)
        if (row.decision != Decision::stop || row.time < 2000)  // the end of the run stops all
            rows.push_back({row.trial, row.resource, row.metric, row.decision,
                            run->trials[static_cast<std::size_t>(row.trial)].bracket});
    const auto levels =
        rung_levels(c.scheduler.grace_period, c.scheduler.reduction_factor, c.max_t);
    EXPECT_GT(test::check_stopping_rule(rows, levels, c.max_t, c.mode == Mode::max), 20u);
    if (c.scheduler.brackets > 1) {
        std::set<int> brackets;
        for (const auto& t : run->trials) brackets.insert(t.bracket);
        EXPECT_EQ(brackets.size(), static_cast<std::size_t>(c.scheduler.brackets));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Settings, ReferenceRule,
    ::testing::Values(
        R"({"config_space": {"max_epochs": 10}, "scheduler": {"grace_period": 2, "reduction_factor": 2}})",
        R"({"scheduler": {"grace_period": 1, "reduction_factor": 2.5}})",
        R"({"config_space": {"max_epochs": 20}, "mode": "max"})",
        R"({"config_space": {"max_epochs": 10}, "scheduler": {"grace_period": 2, "reduction_factor": 2, "brackets": 3}})",
        R"({"config_space": {"max_epochs": 30}, "scheduler": {"brackets": 2}, "mode": "max"})"));

TEST(TunerSim, MaxNumTrialsStarted) {
    auto run = simulate(
        sim_config(R"({"stop": {"max_wallclock_time": 1e9, "max_num_trials_started": 40}})"));
    EXPECT_EQ(run->trials.size(), 40u);
    EXPECT_EQ(run->result.summary.stop_reason, "reached max_num_trials_started (40)");
    EXPECT_EQ(run->result.summary.running, 0u);
    for (const auto& t : run->trials) EXPECT_NE(t.status, TrialStatus::in_progress);
}

TEST(TunerSim, MaxNumTrialsCompletedAndFinished) {
    auto completed = simulate(
        sim_config(R"({"stop": {"max_wallclock_time": 1e9, "max_num_trials_completed": 3}})"));
    EXPECT_EQ(completed->result.summary.completed, 3u);
    EXPECT_EQ(completed->result.summary.stop_reason, "reached max_num_trials_completed (3)");
    auto finished = simulate(
        sim_config(R"({"stop": {"max_wallclock_time": 1e9, "max_num_trials_finished": 25}})"));
    const RunSummary& s = finished->result.summary;
    EXPECT_EQ(s.stop_reason, "reached max_num_trials_finished (25)");
    // The criterion is met at 25; the trials running then are stopped and counted too.
    EXPECT_GE(s.completed + s.stopped + s.failed, 25u);
}

TEST(TunerSim, MaxWallclockTimeAndMaxCost) {
    auto wall = simulate(sim_config(R"({"stop": {"max_wallclock_time": 100}})"));
    EXPECT_DOUBLE_EQ(wall->result.summary.wallclock, 100);
    for (const Row& row : wall->writer.rows) EXPECT_LE(row.time, 100);
    auto cost = simulate(sim_config(R"({"stop": {"max_wallclock_time": 1e9, "max_cost": 500}})"));
    EXPECT_EQ(cost->result.summary.stop_reason, "reached max_cost (500 worker-seconds)");
    EXPECT_GE(cost->result.summary.busy_time, 500);
    EXPECT_LT(cost->result.summary.busy_time,
              500 + 16 * 12);  // overshoot: at most one epoch per worker
}

TEST(TunerSim, MetricTargetEndsTheRun) {
    auto run =
        simulate(sim_config(R"({"stop": {"max_wallclock_time": 1e9, "min_metric_value": 0.3}})"));
    const RunSummary& s = run->result.summary;
    EXPECT_LE(s.best_metric, 0.3);
    ASSERT_TRUE(s.best_trial);
    EXPECT_EQ(s.stop_reason,
              "trial " + std::to_string(*s.best_trial) + " reached validation_error <= 0.3");
    auto max_mode = simulate(sim_config(
        R"({"mode": "max", "stop": {"max_wallclock_time": 1e9, "max_metric_value": 0.9}})"));
    const RunSummary& m = max_mode->result.summary;
    EXPECT_GE(m.best_metric, 0.9);
    ASSERT_TRUE(m.best_trial);
    EXPECT_EQ(m.stop_reason,
              "trial " + std::to_string(*m.best_trial) + " reached validation_error >= 0.9");
}

TEST(TunerSim, PromotionVariantResumesFromCheckpointsAtRungLevels) {
    auto run = simulate(sim_config(R"({"scheduler": {"variant": "promotion"}})"));
    std::map<TrialId, double> last;
    for (const Row& row : run->writer.rows) {
        EXPECT_GT(row.resource, last[row.trial]);  // a resumed leg goes on from its checkpoint
        EXPECT_EQ(row.resource, last[row.trial] + 1);
        last[row.trial] = row.resource;
    }
    std::map<TrialId, std::vector<double>> milestones;
    for (auto [id, m] : run->writer.starts) milestones[id].push_back(m);
    std::size_t promoted = 0;
    for (auto& [id, ms] : milestones) {
        EXPECT_EQ(ms[0], 1);
        for (std::size_t i = 1; i < ms.size(); ++i) EXPECT_EQ(ms[i], ms[i - 1] * 3);
        promoted += ms.size() > 1;
    }
    EXPECT_GT(promoted, 10u);
    EXPECT_GT(run->result.summary.paused, 0u);
}

TEST(TunerSim, AshaKeepsWorkersBusyWhereSyncShIdles) {
    auto asha_run =
        simulate(sim_config(R"({"workers": 64, "stop": {"max_wallclock_time": 3000}})"));
    auto sync_run = simulate(sim_config(
        R"({"workers": 64, "scheduler": {"type": "sync_sh"}, "stop": {"max_wallclock_time": 3000}})"));
    EXPECT_GE(asha_run->result.summary.utilisation(), 0.95);
    EXPECT_LT(sync_run->result.summary.utilisation(), 0.90);
}

TEST(TunerSim, FifoRunsEveryTrialToMaxT) {
    auto run = simulate(sim_config(
        R"({"scheduler": {"type": "fifo"}, "stop": {"max_wallclock_time": 1e9, "max_num_trials_started": 10}})"));
    for (const auto& t : run->trials) {
        EXPECT_EQ(t.status, TrialStatus::completed);
        EXPECT_EQ(t.last_resource, 27);
    }
}
