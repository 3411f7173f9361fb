// Local runs with real subprocesses (tiny shell scripts in tests/trials/), through run_experiment:
// one smoke test per behaviour of the process engine and the local launcher; the Tuner's exact
// behaviour lives in tuner_test.cpp, against the scripted backend (retries running out,
// trial_timeout, max_failures: there only, each to the exact call and second).

#include "asha/run.hpp"
#include "backends/backend_factory.hpp"
#include "backends/process_backend.hpp"
#include "run/run_reader.hpp"

#include "test_util.hpp"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace asha;
using asha::test::read_file;
namespace fs = std::filesystem;

namespace {

std::string trial_script(const char* name) {
    return std::string(ASHA_SOURCE_DIR) + "/tests/trials/" + name;
}

/// A run directory named after the current test.
fs::path fresh_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return test::temp_path(std::string(info->test_suite_name()) + "-" + info->name());
}

json base_document(const char* script) {
    json doc = json::parse(R"({
      "name": "local",
      "config_space": {"quality": {"type": "uniform", "lower": 0.0, "upper": 1.0}, "max_epochs": 3},
      "metric": "validation_error", "resource_attr": "epoch", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 2},
      "stop": {"max_num_trials_started": 6},
      "workers": 2, "gpus": "none", "stop_grace_period": 0.2
    })");
    doc["command"] = json::array({"/bin/sh", trial_script(script)});
    return doc;
}

struct LocalRun {
    RunOutcome result;
    std::vector<TrialRecord> trials;
    fs::path dir;
    CsvTable results;  // results.csv

    std::string column(std::size_t row, const std::string& name) const {
        const int c = results.column(name);
        EXPECT_GE(c, 0) << "results.csv has no column " << name;
        return c < 0 ? "" : results.rows.at(row).at(static_cast<std::size_t>(c));
    }
};

/// Runs `doc` through the library's entry point, as `asha-tune --config` does.
LocalRun run_local(const json& doc) {
    LocalRun run;
    run.dir = fresh_dir();
    NewRunOptions options;
    options.dir = run.dir;
    options.command_line = "test";
    run.result = run_experiment(plan_run(parse_experiment(doc, "local.json"), options));
    run.trials = run.result.trials;
    run.results = parse_csv(test::read_file(run.dir / "results.csv"));
    return run;
}

}  // namespace

TEST(LocalProcesses, ReportsAreParsedAndAshaStopsTheWorseTrials) {
    json doc = base_document("reporter.sh");
    doc["points_to_evaluate"] = json::parse(R"([{"quality": 0.1}, {"quality": 0.9}])");
    doc["workers"] = 1;  // trial 0 reports before trial 1 starts: the order is fixed
    LocalRun run = run_local(doc);
    ASSERT_EQ(run.trials.size(), 6u);
    EXPECT_EQ(run.trials[0].status, TrialStatus::completed);
    EXPECT_EQ(run.trials[0].reports, 3u);
    EXPECT_EQ(run.trials[1].status,
              TrialStatus::stopped);  // 0.9 + 0.1 is worse than 0.1 + 0.1 at rung 1
    // Stopped at its first report. How many of its three lines it printed before SIGTERM landed
    // cannot be exact: reporter.sh prints them without waiting, and the OS decides who runs
    // first (tuner_test.cpp pins a stop at the exact report with the scripted backend).
    EXPECT_GE(run.trials[1].reports, 1u);
    EXPECT_LE(run.trials[1].reports, 3u);
    EXPECT_EQ(run.column(0, "trial_id"), "0");
    EXPECT_EQ(run.column(0, "epoch"), "1");
    EXPECT_EQ(run.column(0, "validation_error"), "0.2");
    EXPECT_EQ(run.column(0, "st_decision"), "CONTINUE");
    EXPECT_EQ(run.column(0, "config_quality"), "0.1");
    EXPECT_EQ(run.column(3, "trial_id"), "1");
    EXPECT_EQ(run.column(3, "st_decision"), "STOP");
    EXPECT_EQ(run.column(3, "st_status"), "Stopped");
    EXPECT_EQ(run.column(0, "cuda"), "unset");
    // With one worker the order of everything is fixed, and reports after a STOP are not given
    // to the scheduler: each trial is Stopped exactly when results.csv has a STOP for it, and
    // Completed otherwise.
    std::set<std::string> stopped_in_results;
    for (std::size_t row = 0; row < run.results.rows.size(); ++row)
        if (run.column(row, "st_decision") == "STOP")
            stopped_in_results.insert(run.column(row, "trial_id"));
    for (const auto& t : run.trials)
        EXPECT_EQ(t.status, stopped_in_results.count(std::to_string(t.id)) ? TrialStatus::stopped
                                                                           : TrialStatus::completed)
            << "trial " << t.id;
    EXPECT_GE(stopped_in_results.size(), 1u);
    // Everything the trial printed is in its log.
    EXPECT_NE(read_file(run.dir / "trials/0/stdout.log").find("\"epoch\": 3"), std::string::npos);
    EXPECT_EQ(read_file(run.dir / "trials/0/argv.log")
                  .find("--quality 0.1 --max_epochs 3 --st_checkpoint_dir "),
              0u);
}

// A trial the scheduler stopped is Stopped even when it reached its milestone before the
// signal could land (here it ignores SIGTERM and finishes at once): the decision counts, not
// the race, and trials.csv agrees with results.csv.
TEST(LocalProcesses, AStoppedTrialThatFinishesAnywayIsStopped) {
    json doc = base_document("reporter.sh");
    doc["command"] = json::array(
        {"/bin/sh", "-c", "trap '' TERM; exec /bin/sh " + trial_script("reporter.sh") + " \"$@\"",
         "trial"});
    doc["points_to_evaluate"] = json::parse(R"([{"quality": 0.1}, {"quality": 0.9}])");
    doc["workers"] = 1;
    doc["stop"] = {{"max_num_trials_started", 2}};
    LocalRun run = run_local(doc);
    ASSERT_EQ(run.trials.size(), 2u);
    EXPECT_EQ(run.trials[0].status, TrialStatus::completed);
    EXPECT_EQ(run.trials[1].status, TrialStatus::stopped);
    EXPECT_EQ(run.column(3, "trial_id"), "1");
    EXPECT_EQ(run.column(3, "st_decision"), "STOP");
}

TEST(LocalProcesses, StoppingKillsTheWholeProcessGroupAfterTheGracePeriod) {
    json doc = base_document("stubborn.sh");
    doc["workers"] = 1;
    doc["stop"] = {{"max_num_trials_started", 2}};
    doc["points_to_evaluate"] = json::parse(R"([{"quality": 0.1}, {"quality": 0.9}])");
    doc["config_space"]["max_epochs"] = 8;
    // stubborn.sh reports 0.9 once and then runs on, ignoring SIGTERM (as does the grandchild
    // it started). Its one report already meets the target, so the run ends there, before the
    // second trial starts: the tuner stops trial 0, which ignores SIGTERM and is killed after
    // the grace period, with its whole process group.
    doc["stop"]["min_metric_value"] = 0.95;
    LocalRun run = run_local(doc);
    ASSERT_EQ(run.trials.size(), 1u);
    EXPECT_EQ(run.trials[0].status, TrialStatus::stopped);
    EXPECT_EQ(*run.trials[0].exit_code, -SIGKILL);  // ignored SIGTERM, killed after 0.2 s
    pid_t grandchild = std::stoi(read_file(run.dir / "trials/0/grandchild.pid"));
    EXPECT_TRUE(test::wait_for_exit(grandchild, 5000))
        << "grandchild " << grandchild << " survived";
}

TEST(LocalProcesses, PromotionRelaunchesWithTheNextMilestoneAndTheSameCheckpointDir) {
    json doc = base_document("reporter.sh");
    doc["config_space"]["max_epochs"] = 4;
    doc["scheduler"]["variant"] = "promotion";
    doc["workers"] = 1;
    doc["stop"] = {{"max_num_trials_started", 4}};
    doc["points_to_evaluate"] =
        json::parse(R"([{"quality": 0.1}, {"quality": 0.5}, {"quality": 0.2}, {"quality": 0.9}])");
    LocalRun run = run_local(doc);
    // Rungs at 1 and 2, max_t 4: trial 0 is promoted to 2 (after trial 1), then to 4.
    std::string argv0 = read_file(run.dir / "trials/0/argv.log");
    std::string ckpt = (fs::absolute(run.dir) / "trials/0/checkpoints").string();
    EXPECT_EQ(argv0, "--quality 0.1 --max_epochs 1 --st_checkpoint_dir " + ckpt + "\n" +
                         "--quality 0.1 --max_epochs 2 --st_checkpoint_dir " + ckpt + "\n" +
                         "--quality 0.1 --max_epochs 4 --st_checkpoint_dir " + ckpt + "\n");
    EXPECT_EQ(run.trials[0].status, TrialStatus::completed);
    EXPECT_EQ(run.trials[0].legs, 3);
    EXPECT_EQ(run.trials[0].reports,
              4u);  // each leg resumed from the checkpoint: epochs 1, 2, 3, 4
    EXPECT_EQ(run.trials[1].status, TrialStatus::paused);
}

namespace {

/// Runs `workers` trials on GPUs 0-3 that all wait until every one of them has started, so
/// that they hold their GPUs at the same time; returns how many trials got each GPU set.
std::map<std::string, int> gpu_sets_at_once(int workers, const char* patch,
                                            LocalRun* out = nullptr) {
    json doc = base_document("reporter.sh");
    doc["command"].push_back("--barrier");
    doc["command"].push_back(std::to_string(workers));
    doc["gpus"] = json::array({0, 1, 2, 3});
    doc["workers"] = workers;
    doc["stop"] = {{"max_num_trials_started", workers}};
    merge_json(doc, json::parse(patch));
    LocalRun run = run_local(doc);
    std::map<std::string, int> uses;
    for (const auto& t : run.trials) ++uses[t.gpus];
    if (out) *out = run;
    return uses;
}

}  // namespace

TEST(LocalProcesses, GpusAreDistinctPerRunningTrial) {
    LocalRun run;
    EXPECT_EQ(gpu_sets_at_once(4, "{}", &run),
              (std::map<std::string, int>{{"0", 1}, {"1", 1}, {"2", 1}, {"3", 1}}));
    ASSERT_FALSE(run.results.rows.empty());
    for (std::size_t i = 0; i < run.results.rows.size(); ++i)  // what each trial saw
        EXPECT_EQ(run.column(i, "cuda"), run.trials.at(std::stoul(run.column(i, "trial_id"))).gpus);
}

TEST(LocalProcesses, GpusPerTrialTwo) {
    EXPECT_EQ(gpu_sets_at_once(2, R"({"gpus_per_trial": 2})"),
              (std::map<std::string, int>{{"0,1", 1}, {"2,3", 1}}));
}

TEST(LocalProcesses, SharingGpusWithTrialsPerGpu) {
    EXPECT_EQ(gpu_sets_at_once(8, R"({"trials_per_gpu": 2})"),
              (std::map<std::string, int>{{"0", 2}, {"1", 2}, {"2", 2}, {"3", 2}}));
}

TEST(LocalProcesses, MoreWorkersThanGpusIsAConfigError) {
    json doc = base_document("reporter.sh");
    doc["gpus"] = json::array({0, 1, 2, 3});
    doc["workers"] = 8;
    EXPECT_THROW_MSG(
        BackendFactory(parse_experiment(doc, "local.json"), false), ConfigError,
        "local.json: $.workers: expected at most 4 workers for 4 GPUs with gpus_per_trial 1 and "
        "trials_per_gpu 1, found 8 (set trials_per_gpu to share GPUs)");
}

TEST(LocalProcesses, WithoutGpusCudaVisibleDevicesIsLeftAlone) {
    ::setenv("CUDA_VISIBLE_DEVICES", "7", 1);
    json doc = base_document("reporter.sh");
    doc["stop"] = {{"max_num_trials_started", 1}};
    LocalRun run = run_local(doc);
    ::unsetenv("CUDA_VISIBLE_DEVICES");
    EXPECT_EQ(run.column(0, "cuda"), "7");
}

TEST(LocalProcesses, FailedAndSilentTrialsAreRecordedAndTheRunGoesOn) {
    json doc = base_document("fail.sh");
    doc["stop"] = {{"max_num_trials_started", 3}};
    LocalRun failing = run_local(doc);
    ASSERT_EQ(failing.trials.size(), 3u);
    for (const auto& t : failing.trials) {
        EXPECT_EQ(t.status, TrialStatus::failed);
        EXPECT_EQ(t.error,
                  "exited with code 3: Traceback: something went wrong|RuntimeError: boom");
        EXPECT_EQ(*t.exit_code, 3);
    }
    EXPECT_EQ(failing.result.summary.failed, 3u);
    std::string trials_csv = read_file(failing.dir / "trials.csv");
    EXPECT_NE(trials_csv.find(",Failed,"), std::string::npos);

    // Every silent trial fails by itself, unless the run ends first: the first 3 failures end it
    // (max_failures), and which trials they are is the OS's choice (trial 0 may still be
    // starting while 1, 2 and 3 have failed), so a trial that has not failed was stopped.
    LocalRun silent = run_local(base_document("silent.sh"));
    std::size_t failed = 0;
    for (const auto& t : silent.trials) {
        if (t.status != TrialStatus::failed) {
            EXPECT_EQ(t.status, TrialStatus::stopped) << "trial " << t.id;
            continue;
        }
        ++failed;
        EXPECT_EQ(t.error,
                  "exited with code 0 without a report (no usable report of validation_error and "
                  "epoch on stdout)")
            << "trial " << t.id;
    }
    EXPECT_GE(failed, 3u);
}

TEST(LocalProcesses, HostileOutputIsSkippedAndGoodReportsKept) {
    json doc = base_document("garbage.sh");
    doc["stop"] = {{"max_num_trials_started", 1}};
    LocalRun run = run_local(doc);
    ASSERT_EQ(run.results.rows.size(), 3u);
    EXPECT_EQ(run.column(0, "validation_error"), "0.7");
    EXPECT_EQ(run.column(1, "validation_error"), "nan");
    EXPECT_EQ(run.column(2, "epoch"), "3");  // the last line had no newline
    EXPECT_EQ(run.column(2, "validation_error"), "0.6");
    EXPECT_EQ(run.trials[0].status, TrialStatus::completed);
}

TEST(LocalProcesses, EnvironmentNamesTheTrial) {
    json doc = base_document("reporter.sh");
    doc["command"] = json::array({"/bin/sh", "-c",
                                  "env | grep -E '^(ASHA_|OMP_NUM_THREADS|PYTHONUNBUFFERED)' | "
                                  "sort > \"$ASHA_TRIAL_DIR/env.txt\"; "
                                  "echo '[tune-metric]: {\"epoch\": 3, \"validation_error\": 1}'",
                                  "sh"});
    doc["env"] = {{"OMP_NUM_THREADS", 1}};
    doc["stop"] = {{"max_num_trials_started", 1}};
    LocalRun run = run_local(doc);
    std::string root = fs::absolute(run.dir).string();
    EXPECT_EQ(read_file(run.dir / "trials/0/env.txt"),
              "ASHA_CHECKPOINT_DIR=" + root + "/trials/0/checkpoints\n" + "ASHA_RUN_DIR=" + root +
                  "\n" + "ASHA_TRIAL_DIR=" + root + "/trials/0\n" + "ASHA_TRIAL_ID=0\n" +
                  "OMP_NUM_THREADS=1\nPYTHONUNBUFFERED=1\n");
}

TEST(LocalProcesses, MissingCommandCannotStart) {
    json doc = base_document("reporter.sh");
    doc["command"] = json::array({"/nonexistent/train"});
    EXPECT_THROW_MSG(BackendFactory(parse_experiment(doc, "local.json"), false), Error,
                     "command not found or not executable: /nonexistent/train");
    doc["command"] = json::array({"no-such-program-asha"});
    EXPECT_THROW_MSG(BackendFactory(parse_experiment(doc, "local.json"), false), Error,
                     "command not found or not executable: no-such-program-asha (searched PATH)");
}

TEST(LocalProcesses, FailedLegsAreRetriedFromTheirCheckpoint) {
    json doc = base_document("flaky.sh");
    doc["max_retries"] = 1;
    doc["stop"] = {{"max_num_trials_started", 2}};
    LocalRun run = run_local(doc);
    ASSERT_EQ(run.trials.size(), 2u);
    for (const auto& t : run.trials) {
        EXPECT_EQ(t.status, TrialStatus::completed);
        EXPECT_EQ(t.legs, 2);
        EXPECT_EQ(t.retries, 1);
        EXPECT_EQ(t.reports, 3u);  // epoch 1 before the crash, 2 and 3 after the resume
    }
    EXPECT_EQ(run.result.summary.failed, 0u);
    // Per trial: leg 0 crashed (Failed, exit code 1), leg 1 completed (exit code 0).
    CsvTable legs = parse_csv(read_file(run.dir / "legs.csv"));
    const int l_trial = legs.column("trial_id"), l_leg = legs.column("leg"),
              l_status = legs.column("status"), l_exit = legs.column("exit_code");
    ASSERT_EQ(legs.rows.size(), 4u);
    std::map<std::pair<std::string, std::string>, std::string> ends;
    for (const auto& row : legs.rows)
        ends[{row.at(static_cast<std::size_t>(l_trial)), row.at(static_cast<std::size_t>(l_leg))}] =
            row.at(static_cast<std::size_t>(l_status)) + " " +
            row.at(static_cast<std::size_t>(l_exit));
    for (const char* trial : {"0", "1"}) {
        EXPECT_EQ((ends[{trial, "0"}]), "Failed 1") << "trial " << trial;
        EXPECT_EQ((ends[{trial, "1"}]), "Completed 0") << "trial " << trial;
    }
    CsvTable trials_csv = parse_csv(read_file(run.dir / "trials.csv"));
    EXPECT_EQ(trials_csv.rows.at(0).at(static_cast<std::size_t>(trials_csv.column("retries"))),
              "1");
    EXPECT_EQ(trials_csv.rows.at(0).at(static_cast<std::size_t>(trials_csv.column("legs"))), "2");
}

TEST(LocalProcesses, ReportTimeoutStopsAHungTrial) {
    json doc = base_document("stubborn.sh");  // reports once, then hangs ignoring SIGTERM
    doc["report_timeout"] = 0.5;
    doc["stop"] = {{"max_num_trials_started", 1}};
    LocalRun run = run_local(doc);
    EXPECT_EQ(run.trials[0].status, TrialStatus::timeout);
    EXPECT_EQ(run.trials[0].error, "no report for report_timeout (0.5 s)");
    // stubborn.sh ignores SIGTERM from before its report on, so once its report was accepted
    // only the grace period's SIGKILL ends it. On a loaded machine the timeout (which counts
    // from the leg's start too) can come before the script has even set its trap; then the
    // SIGTERM ends it, and which of the two happens is the OS's timing, not the tuner's.
    if (run.trials[0].reports >= 1)
        EXPECT_EQ(*run.trials[0].exit_code, -SIGKILL);
    else
        EXPECT_TRUE(*run.trials[0].exit_code == -SIGKILL || *run.trials[0].exit_code == -SIGTERM)
            << *run.trials[0].exit_code;
    EXPECT_NE(read_file(run.dir / "trials.csv").find(",Timeout,"), std::string::npos);
}

TEST(LocalProcesses, IdenticalFailuresOfTheFirstTrialsEndTheRun) {
    json doc = base_document("fail.sh");
    doc["workers"] = 1;
    doc["stop"] = {{"max_num_trials_started", 50}};
    LocalRun run = run_local(doc);
    EXPECT_EQ(run.result.exit_code, ExitCode::too_many_failures);
    EXPECT_EQ(run.trials.size(), 3u);
    EXPECT_EQ(
        run.result.summary.stop_reason,
        "the first 3 trials all failed the same way: exited with code 3: Traceback: something went "
        "wrong|RuntimeError: boom (see trials/2/stderr.log)");
}
