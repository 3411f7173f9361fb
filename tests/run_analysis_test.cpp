// What the report computes of a run before it draws anything (report/run_analysis.hpp).

#include "report/run_analysis.hpp"

#include "test_util.hpp"

using namespace asha;

namespace {

RunData two_trials(Mode mode) {
    RunData run;
    run.config = parse_experiment(
        json::parse(R"({"name": "a", "config_space": {"x": {"type": "uniform", "lower": 0,
                        "upper": 1}, "max_epochs": 9}, "metric": "acc",
                        "max_resource_attr": "max_epochs", "workers": 2,
                        "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3}})"),
        "a.json");
    run.config.mode = mode;
    run.trials.resize(2);
    run.trials[0].id = 0;
    run.trials[1].id = 1;
    // Trial 0: 0.5 then 0.7; trial 1: NaN then 0.6, later.
    run.results = {{0, 1, 1, 0.5, "", {}},
                   {1, 2, 1, NAN, "", {}},
                   {0, 3, 2, 0.7, "", {}},
                   {1, 4, 2, 0.6, "", {}}};
    run.legs = {{0, 0, 0, 3, "", false}, {1, 0, 1, 4, "", false}, {0, 1, 5, 8, "", false}};
    return run;
}

}  // namespace

TEST(RunAnalysis, BestTrialBestSoFarAndUtilisation) {
    const RunData max = two_trials(Mode::max);
    const RunAnalysis a = analyse_run(max);
    ASSERT_EQ(a.curves.size(), 2u);
    EXPECT_EQ(a.curves[0].points.size(), 2u);
    EXPECT_EQ(a.best, std::optional<TrialId>(0));
    EXPECT_EQ(metric_of(max, a.best_badness), 0.7);
    EXPECT_EQ(a.best_so_far, (std::vector<std::pair<double, double>>{{1, 0.5}, {3, 0.7}}));
    EXPECT_EQ(a.makespan, 8);
    EXPECT_EQ(a.slots, (std::vector<int>{0, 1, 0}));
    EXPECT_EQ(a.workers, 2);
    EXPECT_EQ(a.utilisation, (std::vector<double>{6.0 / 8, 3.0 / 8}));
    EXPECT_EQ(a.rung_levels, (std::set<double>{1, 3}));  // max_t is not a rung

    const RunData min = two_trials(Mode::min);
    const RunAnalysis b = analyse_run(min);
    EXPECT_EQ(b.best, std::optional<TrialId>(0));
    EXPECT_EQ(metric_of(min, b.best_badness), 0.5);
    EXPECT_EQ(b.best_so_far, (std::vector<std::pair<double, double>>{{1, 0.5}}));
    EXPECT_TRUE(std::isnan(metric_of(min, INFINITY)));  // no finite best
}

TEST(RunAnalysis, WorkerSlotsNeverOverlap) {
    std::vector<LegRow> legs = {{0, 0, 0, 5, "", false},
                                {1, 0, 0, 2, "", false},
                                {2, 0, 2, 4, "", false},
                                {3, 0, 4, 9, "", false},
                                {4, 0, 5, 6, "", false}};
    EXPECT_EQ(assign_worker_slots(legs), (std::vector<int>{0, 1, 1, 1, 0}));
}
