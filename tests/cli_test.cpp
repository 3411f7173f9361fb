// The asha-tune executable end to end: flags, exit codes, run directory, --json, signals.

#include "backends/process.hpp"
#include "sys/leg_records.hpp"

#include "cli_util.hpp"
#include "test_util.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace asha;
using namespace asha::test;
namespace fs = std::filesystem;

namespace {

json quick_document() {
    json doc = json::parse(R"({
      "name": "cli",
      "command": ["/bin/sh", "tests/trials/reporter.sh"],
      "config_space": {"quality": {"type": "uniform", "lower": 0.0, "upper": 1.0},
                       "optimizer": {"type": "choice", "categories": ["sgd", "adam"]}, "max_epochs": 3},
      "metric": "validation_error", "max_resource_attr": "max_epochs",
      "scheduler": {"grace_period": 1, "reduction_factor": 2},
      "stop": {"max_num_trials_started": 5}, "workers": 2, "gpus": "none"
    })");
    return doc;
}

/// The first report of a run: by then its first trial has written the files it writes first.
bool first_report(const std::string& journal_text) {
    return journal_text.find("{\"event\":\"report\"") != std::string::npos;
}

}  // namespace

TEST(Cli, HelpListsEveryOptionWithItsDefault) {
    Outcome o = asha_tune({"--help"});
    EXPECT_EQ(o.exit_code, 0);
    for (const char* option :
         {"--config", "--workers", "--run-dir", "--seed", "--gpus", "--gpus-per-trial",
          "--max-wallclock-time", "--max-trials", "--quiet", "--json", "--version", "simulate"})
        EXPECT_NE(o.out.find(option), std::string::npos) << option;
    EXPECT_NE(o.out.find("default 1"), std::string::npos);
    Outcome v = asha_tune({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_EQ(v.out.rfind("asha-tune ", 0), 0u);
}

TEST(Cli, BadFlagsAndBadConfigsExitTwo) {
    EXPECT_EQ(asha_tune({"--workers", "2"}).exit_code, 2);  // no --config
    EXPECT_EQ(asha_tune({"--config", "configs/quick.json", "--workers", "zero"}).exit_code, 2);
    EXPECT_EQ(asha_tune({"--config", "/nonexistent.json"}).exit_code, 2);
    json doc = quick_document();
    doc["scheduler"]["reduction_factr"] = 3;
    std::string path = write_config("bad", doc);
    Outcome o = asha_tune({"--config", path});
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(
        o.err,
        "asha-tune: error: " + path +
            ": $.scheduler.reduction_factr: unknown key (did you mean \"reduction_factor\"?)\n");
    EXPECT_EQ(
        asha_tune({"--config", write_config("gpus", quick_document()), "--gpus", "0,x"}).exit_code,
        2);
}

TEST(Cli, RunThatCannotStartExitsThree) {
    json doc = quick_document();
    doc["command"] = json::array({"./no/such/train.py"});
    Outcome o = asha_tune(
        {"--config", write_config("nocmd", doc), "--run-dir", temp_path("nocmd").string()});
    EXPECT_EQ(o.exit_code, 3);
    EXPECT_NE(
        o.err.find("asha-tune: error: command not found or not executable: ./no/such/train.py"),
        std::string::npos);
    fs::path existing = temp_path("existing");
    fs::create_directories(existing);
    Outcome e = asha_tune(
        {"--config", write_config("ok", quick_document()), "--run-dir", existing.string()});
    EXPECT_EQ(e.exit_code, 3);
    EXPECT_NE(e.err.find("already exists; asha-tune never overwrites a run"), std::string::npos);
    Outcome r = asha_tune(
        {"--config", write_config("ok2", quick_document()), "--run-dir", "/proc/asha/run"});
    EXPECT_EQ(r.exit_code, 3);
}

TEST(Cli, RunDirectoryHasEveryFileAndColumn) {
    fs::path dir = temp_path("rundir");
    Outcome o = asha_tune({"--config", write_config("rundir", quick_document()), "--run-dir",
                           dir.string(), "--json", "--seed", "7"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    json summary = json::parse(o.out);  // stdout holds only the JSON summary
    EXPECT_EQ(summary["run_dir"], dir.string());
    EXPECT_EQ(summary["trials"]["started"], 5);
    EXPECT_EQ(summary["metric"], "validation_error");
    EXPECT_TRUE(summary["best"]["config"].contains("quality"));
    json metadata = json::parse(read_file(dir / "metadata.json"));
    EXPECT_EQ(metadata["seed"], 7);
    EXPECT_EQ(metadata["config"]["scheduler"]["reduction_factor"], 2);
    for (const char* key : {"tuner_version", "host", "start_time", "command_line"})
        EXPECT_TRUE(metadata.contains(key)) << key;
    std::string results = read_file(dir / "results.csv");
    EXPECT_EQ(results.substr(0, results.find('\n')),
              "trial_id,st_tuner_time,st_worker_time,epoch,validation_error,cuda,st_decision,st_"
              "status,config_quality,"
              "config_optimizer,config_max_epochs");
    std::string trials = read_file(dir / "trials.csv");
    EXPECT_EQ(trials.substr(0, trials.find('\n')),
              "trial_id,status,bracket,legs,iter,epoch,validation_error,worker_time,leg_started,"
              "retries,gpus,exit_code,"
              "error,config_quality,"
              "config_optimizer,config_max_epochs");
    EXPECT_EQ(std::count(trials.begin(), trials.end(), '\n'), 6);
    json best = json::parse(read_file(dir / "best.json"));
    EXPECT_EQ(best["trial_id"], summary["best"]["trial_id"]);
    for (int id = 0; id < 5; ++id) {
        fs::path t = dir / "trials" / std::to_string(id);
        for (const char* f : {"config.json", "stdout.log", "stderr.log"})
            EXPECT_TRUE(fs::exists(t / f)) << t / f;
        EXPECT_TRUE(fs::is_directory(t / "checkpoints"));
    }
    EXPECT_EQ(fs::exists(dir / "results.csv.tmp"), false);
    EXPECT_TRUE(fs::exists(dir / "report.html"));
    // The final report, written while the tuner still held the run: finished, and static.
    std::string final_report = read_file(dir / "report.html");
    EXPECT_NE(final_report.find("class=\"facts\">finished;"), std::string::npos);
    EXPECT_EQ(final_report.find("http-equiv=\"refresh\""), std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "tuner.pid"));
    // `asha-tune status` reads the same files back: a finished run exits 0.
    Outcome status = asha_tune({"status", dir.string(), "--json"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    json st = json::parse(status.out);
    EXPECT_EQ(st["state"], "finished");
    EXPECT_EQ(st["trials"]["started"], 5);
    EXPECT_EQ(st["best"]["trial_id"], summary["best"]["trial_id"]);
    // One shape for a run's summary: what --json printed at the end is what status says.
    std::vector<std::string> keys, status_keys;
    for (const auto& [key, value] : summary.items()) keys.push_back(key);
    for (const auto& [key, value] : st.items()) status_keys.push_back(key);
    EXPECT_EQ(keys, status_keys);
    for (const char* key : {"run_id", "state", "metric", "mode", "best", "stop_reason", "trials"})
        EXPECT_EQ(st[key], summary[key]) << key;
    EXPECT_EQ(st["run_id"].get<std::string>().size(), 12u);
    Outcome table = asha_tune({"status", dir.string()});
    EXPECT_NE(table.out.find(" trial_id "), std::string::npos);
    EXPECT_NE(table.out.find("validation_error: best "), std::string::npos);
    EXPECT_EQ(asha_tune({"status", "/nonexistent/run"}).exit_code, 2);
    Outcome report = asha_tune({"report", dir.string(), "-o", (dir / "again.html").string()});
    EXPECT_EQ(report.exit_code, 0) << report.err;
    EXPECT_TRUE(fs::exists(dir / "again.html"));
    // Exit codes say what failed: not a run directory is bad input (2); a report that cannot be
    // written is an error while running (1), with the file it could not write.
    EXPECT_EQ(asha_tune({"report", "/nonexistent/run"}).exit_code, 2);
    const fs::path nowhere = dir / "missing-dir" / "r.html";
    Outcome unwritable = asha_tune({"report", dir.string(), "-o", nowhere.string()});
    EXPECT_EQ(unwritable.exit_code, 1) << unwritable.err;
    EXPECT_NE(unwritable.err.find("cannot write " + nowhere.string() + ".tmp"), std::string::npos)
        << unwritable.err;
}

// A diverged trial is never the best: -Infinity in mode min, +Infinity in mode max and NaN in
// either rank worst in best.json, the --json summary, `status` and the report.
TEST(Cli, NonFiniteMetricsAreNeverTheBest) {
    for (const char* mode : {"min", "max"}) {
        SCOPED_TRACE(mode);
        json doc = quick_document();
        doc["mode"] = mode;
        doc["scheduler"] = {{"type", "fifo"}};
        doc["workers"] = 1;
        doc["stop"] = {{"max_num_trials_started", 3}};
        doc["env"] = {{"DIVERGED", std::string(mode) == "min" ? "-Infinity" : "Infinity"}};
        // Trial 0 diverges, trial 1 reports 0.4, trial 2 reports NaN.
        doc["command"] =
            json::array({"/bin/sh", "-c",
                         "case $ASHA_TRIAL_ID in 0) v=$DIVERGED ;; 1) v=0.4 ;; *) v=NaN ;; esac; "
                         "echo \"[tune-metric]: {\\\"epoch\\\": 1, \\\"validation_error\\\": $v}\"",
                         "trial"});
        fs::path dir = temp_path(std::string("nonfinite-") + mode);
        Outcome o = asha_tune({"--config", write_config("nonfinite", doc), "--run-dir",
                               dir.string(), "--json", "--quiet"});
        ASSERT_EQ(o.exit_code, 0) << o.err;
        json summary = json::parse(o.out);
        EXPECT_EQ(summary["best"]["trial_id"], 1) << summary.dump();
        EXPECT_EQ(summary["best"]["metric"], 0.4);
        json best = json::parse(read_file(dir / "best.json"));
        EXPECT_EQ(best["trial_id"], 1);
        EXPECT_EQ(best["value"], 0.4);
        json st = json::parse(asha_tune({"status", dir.string(), "--json"}).out);
        EXPECT_EQ(st["best"]["trial_id"], 1);
        EXPECT_NE(asha_tune({"status", dir.string()})
                      .out.find("validation_error: best 0.4 for "
                                "trial-id 1"),
                  std::string::npos);
        const std::string report = read_file(dir / "report.html");
        EXPECT_NE(report.find("Best validation_error: <b>0.4</b> (trial 1)"), std::string::npos);
        EXPECT_EQ(report.find(">inf<"), std::string::npos);
        EXPECT_EQ(report.find(">-inf<"), std::string::npos);
        // The diverged values are recorded as they came.
        EXPECT_NE(read_file(dir / "results.csv").find(std::string(mode) == "min" ? "-inf" : "inf"),
                  std::string::npos);
    }
    // A run where nothing is finite has no best at all.
    json doc = quick_document();
    doc["scheduler"] = {{"type", "fifo"}};
    doc["stop"] = {{"max_num_trials_started", 2}};
    doc["command"] = json::array(
        {"/bin/sh", "-c", "echo '[tune-metric]: {\"epoch\": 1, \"validation_error\": -Infinity}'"});
    fs::path dir = temp_path("nonfinite-all");
    Outcome o = asha_tune(
        {"--config", write_config("nonfinite-all", doc), "--run-dir", dir.string(), "--json"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_TRUE(json::parse(o.out)["best"].is_null()) << o.out;
    EXPECT_NE(o.err.find("validation_error: no finite result yet"), std::string::npos) << o.err;
    EXPECT_FALSE(fs::exists(dir / "best.json"));
}

TEST(Cli, SimulatePrintsTheTableAndUtilisation) {
    Outcome o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--workers", "8",
                           "--max-wallclock-time", "600", "--run-dir", temp_path("sim").string()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(
        o.out.find("learning_rate batch_size max_epochs epoch validation_error worker-time\n"),
        std::string::npos)
        << o.out;
    EXPECT_NE(o.out.find("stopped because: reached max_wallclock_time (600 s)"), std::string::npos);
    EXPECT_NE(o.out.find("worker utilisation: "), std::string::npos);
    EXPECT_NE(o.out.find("validation_error: best "), std::string::npos);
}

TEST(Cli, SimulateRefusesAConfigSpaceTheBenchmarkCannotRead) {
    json doc = quick_document();  // quality, optimizer: the lenet benchmark reads neither
    std::string path = write_config("simbad", doc);
    Outcome o =
        asha_tune({"simulate", "--config", path, "--run-dir", temp_path("simbad").string()});
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(o.err, "asha-tune: error: " + path +
                         ": $.config_space: the lenet benchmark reads learning_rate batch_size and "
                         "the config space "
                         "has none of them (every simulated trial would be the same)\n");
}

TEST(Cli, InterruptStopsTrialsAndExits130) {
    json doc = quick_document();
    doc["command"] = json::array({"/bin/sh", "tests/trials/stubborn.sh"});
    doc["stop_grace_period"] = 0.3;
    doc["workers"] = 1;
    fs::path dir = temp_path("interrupt");
    // stubborn.sh reports once its grandchild exists; then interrupt the tuner.
    BackgroundTuner tuner(
        {"--config", write_config("interrupt", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(wait_for_journal(dir / "journal.jsonl", first_report, tuner.pidfd()));
    fs::path pid_file = dir / "trials/0/grandchild.pid";
    ASSERT_TRUE(fs::exists(pid_file));
    Outcome running = asha_tune({"status", dir.string(), "--json"});
    EXPECT_EQ(running.exit_code, 1) << running.out;  // still running
    EXPECT_EQ(json::parse(running.out)["state"], "running");
    tuner.signal(SIGINT);
    EXPECT_EQ(tuner.wait(), 130);
    pid_t grandchild = std::stoi(read_file(pid_file));
    // The tuner reaped the trial's whole process group before it exited.
    std::string stat = read_file("/proc/" + std::to_string(grandchild) + "/stat");
    EXPECT_TRUE(stat.empty() || stat.find(") Z") != std::string::npos) << stat;
    EXPECT_NE(read_file(dir / "trials.csv").find(",Stopped,"), std::string::npos);
}

// Every local leg of a run goes to the run's keeper. One killed from outside takes its legs'
// supervision with it (they end as legs whose supervisor died), and the run goes on, each leg
// under a supervisor of its own; nothing of the first trial is left.
TEST(Cli, ARunGoesOnWhenItsKeeperIsKilled) {
    json doc = quick_document();
    doc["command"] = json::array({"/bin/sh", "-c",
                                  "if [ \"$ASHA_TRIAL_ID\" = 0 ]; then exec sh "
                                  "tests/trials/chatty.sh; fi; exec sh tests/trials/reporter.sh "
                                  "\"$@\"",
                                  "sh"});
    doc["workers"] = 1;
    doc["stop"]["max_num_trials_started"] = 3;
    fs::path dir = temp_path("keeper-killed");
    BackgroundTuner tuner(
        {"--config", write_config("keeper-killed", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(wait_for_journal(dir / "journal.jsonl", first_report, tuner.pidfd()));
    const std::string journal = read_file(dir / "journal.jsonl");
    const std::string handle = "\"handle\":\"keeper ";
    const auto at = journal.find(handle);
    ASSERT_NE(at, std::string::npos) << journal;
    const pid_t keeper = std::stoi(journal.substr(at + handle.size()));
    const pid_t trial = std::stoi(read_file(dir / "trials/0/pid"));
    ASSERT_EQ(::kill(keeper, SIGKILL), 0);
    EXPECT_EQ(tuner.wait(), 0) << tuner.err();
    EXPECT_NE(tuner.err().find("is gone"), std::string::npos) << tuner.err();
    const std::string after = read_file(dir / "journal.jsonl");
    for (int t : {1, 2})
        EXPECT_NE(after.find("\"trial\":" + std::to_string(t) + ",\"handle\":\"supervisor "),
                  std::string::npos)
            << after;
    EXPECT_TRUE(test::wait_for_exit(trial, 0)) << "trial 0 (" << trial << ") outlived the run";
    EXPECT_NE(read_file(dir / "results.csv").find(",Completed,"), std::string::npos);
}

// If the tuner is SIGKILLed and no resume comes, its trials must not train on unattended:
// the run's keeper waits orphan_timeout for a tuner, then stops the trials, records why, and
// nothing of the run is left.
TEST(Cli, AnAbandonedRunStopsItsTrialsAfterTheOrphanTimeout) {
    json doc = quick_document();
    doc["command"] = json::array({"/bin/sh", "tests/trials/chatty.sh"});
    doc["config_space"]["max_epochs"] = 1000000;
    doc["workers"] = 1;
    doc["orphan_timeout"] = 0.5;
    fs::path dir = temp_path("abandoned");
    BackgroundTuner tuner(
        {"--config", write_config("abandoned", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(wait_for_journal(dir / "journal.jsonl", first_report, tuner.pidfd()));
    fs::path pid_file = dir / "trials/0/pid";
    ASSERT_TRUE(fs::exists(pid_file));
    pid_t trial = std::stoi(read_file(pid_file));
    tuner.signal(SIGKILL);
    EXPECT_EQ(tuner.wait(), 128 + SIGKILL);
    // Stopped 0.5 s after the tuner died (the bound only detects a hang).
    ASSERT_TRUE(test::wait_for_exit(trial, 120000))
        << "trial " << trial << " outlived the killed tuner";
    // The supervisor records the end and exits right after the trial: wait for the whole
    // record (appended in one write after the run record).
    ASSERT_TRUE(wait_for_change(dir / "trials/0/leg-0.jsonl", [&](const std::string&) {
        return read_leg_end((dir / "trials/0").string(), 0).has_value();
    }));
    const auto end = read_leg_end((dir / "trials/0").string(), 0);
    EXPECT_TRUE(end->orphaned);
    EXPECT_TRUE(end->stopped);
    EXPECT_NE(read_file(dir / "trials/0/stderr.log")
                  .find("no tuner for 0.5 s (orphan_timeout): stopping the trial"),
              std::string::npos);
    // Its supervisor (the run's keeper), with no leg and no tuner left, ends too.
    const auto run = read_leg_run((dir / "trials/0").string(), 0);
    ASSERT_TRUE(run);
    EXPECT_TRUE(test::wait_for_exit(run->supervisor, 120000))
        << "the supervisor " << run->supervisor << " outlived its abandoned run";
}
