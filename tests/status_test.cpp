#include "report/table.hpp"

#include "test_util.hpp"

using namespace asha;

namespace {

TrialRecord trial(TrialId id, TrialStatus status, double lr, int batch, std::size_t reports,
                  double metric, double worker_time) {
    TrialRecord t;
    t.id = id;
    t.status = status;
    t.config = Config{{"learning_rate", lr}, {"batch_size", batch}, {"max_epochs", 10}};
    t.reports = reports;
    t.last_resource = static_cast<double>(reports);
    t.last_metric = metric;
    t.worker_time = worker_time;
    t.legs = 1;
    return t;
}

}  // namespace

TEST(Status, TableLikeTheBook) {
    ExperimentConfig c = test::lenet_config();
    std::vector<TrialRecord> trials = {
        trial(0, TrialStatus::stopped, 0.1, 128, 2, 0.900415, 11.096493),
        trial(1, TrialStatus::completed, 0.021214, 188, 10, 0.899418, 37.17845),
        trial(2, TrialStatus::in_progress, 0.384048, 226, 0, 0, 0)};
    trials[2].legs = 1;
    trials[2].leg_started = 100;
    EXPECT_EQ(render_table(trials, c, 50, 104.5),
              " trial_id     status iter learning_rate batch_size max_epochs epoch "
              "validation_error worker-time\n"
              "        0    Stopped    2      0.100000        128         10     2         "
              "0.900415   11.096493\n"
              "        1  Completed   10      0.021214        188         10    10         "
              "0.899418   37.178450\n"
              "        2 InProgress    0      0.384048        226         10     -                "
              "-    4.500000\n");
}

TEST(Status, LongTablesShowRunningAndBestFirst) {
    ExperimentConfig c = test::lenet_config();
    std::vector<TrialRecord> trials;
    for (int i = 0; i < 6; ++i)
        trials.push_back(trial(i, TrialStatus::stopped, 0.1, 64, 2, 0.9 - 0.01 * i, 1));
    trials[1].status = TrialStatus::in_progress;
    trials[1].leg_started = 0;
    std::string table = render_table(trials, c, 3, 1);
    // Trial 1 (running), then 5 and 4 (best metrics), in id order.
    EXPECT_NE(table.find("\n        1 "), std::string::npos);
    EXPECT_NE(table.find("\n        4 "), std::string::npos);
    EXPECT_NE(table.find("\n        5 "), std::string::npos);
    EXPECT_EQ(table.find("\n        0 "), std::string::npos);
    EXPECT_NE(table.find(" ... 3 more trials not shown (all are in trials.csv)\n"),
              std::string::npos);
}

TEST(Status, SummaryLines) {
    RunSummary s;
    s.started = 11;
    s.running = 2;
    s.completed = 5;
    s.wallclock = 185.4;
    EXPECT_EQ(render_progress_line(s),
              "2 trials running, 9 finished (5 until the end), 185.40s wallclock-time");
    ExperimentConfig c;
    c.metric = "validation_error";
    EXPECT_EQ(render_best_line(s, c), "validation_error: no finite result yet");
    s.best_trial = 4;
    s.best_metric = 0.1341;
    EXPECT_EQ(render_best_line(s, c), "validation_error: best 0.1341 for trial-id 4");
    // Several objectives: the front, one line per point.
    c.objectives = {{"validation_error", Mode::min}, {"accuracy", Mode::max}};
    c.resource_attr = "epoch";
    c.max_t = 10;
    s.multi_objective = true;
    EXPECT_EQ(render_best_line(s, c),
              "Pareto front of validation_error (min), accuracy (max): no feasible result at "
              "epoch 10 yet");
    s.front = {{3, 10, {0.1, 0.5}}, {7, 10, {0.2, 0.9}}};
    EXPECT_EQ(render_best_line(s, c),
              "Pareto front of validation_error (min), accuracy (max): 2 results\n"
              "  trial-id 3: validation_error 0.1, accuracy 0.5\n"
              "  trial-id 7: validation_error 0.2, accuracy 0.9");
    s.stop_reason = "reached max_wallclock_time (300 s)";
    s.workers = 2;
    s.busy_time = 370.8;
    EXPECT_EQ(render_run_end(s),
              "stopped because: reached max_wallclock_time (300 s)\n"
              "worker utilisation: 100.0% (370.8 busy worker-seconds / (2 workers x 185.40 s))\n"
              "trials: 11 started, 5 completed, 0 stopped, 0 paused, 0 failed");
}

TEST(Status, RungsShowHowTheMetricFell) {
    EXPECT_EQ(render_rungs({}, "epoch"), "");  // FIFO has no rungs
    std::vector<RungSummary> rungs = {{0, 4, 7, 0, 0.898, 0.5455},
                                      {0, 8, 3, 0, 0.41234, 0.3245},
                                      {1, 8, 2, 0, std::nan(""), std::nan("")}};
    EXPECT_EQ(render_rungs({rungs[0], rungs[1]}, "epoch"),
              "rungs:\n"
              "  epoch 4: 7 trials, best 0.5455, cutoff 0.898\n"
              "  epoch 8: 3 trials, best 0.3245, cutoff 0.4123\n");
    EXPECT_EQ(render_rungs(rungs, "epoch"),
              "rungs:\n"
              "  bracket 0, epoch 4: 7 trials, best 0.5455, cutoff 0.898\n"
              "  bracket 0, epoch 8: 3 trials, best 0.3245, cutoff 0.4123\n"
              "  bracket 1, epoch 8: 2 trials, best -, cutoff -\n");
    std::vector<RungSummary> many(15, rungs[0]);
    std::string text = render_rungs(many, "epoch");
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 14);
    EXPECT_NE(text.find("  ... 3 more in summary.json\n"), std::string::npos);
}
