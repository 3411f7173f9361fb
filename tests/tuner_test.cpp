// The Tuner's handling of what trials do, driven by a scripted fake backend on a virtual clock
// (scripted_backend.hpp): retries, timeouts, interrupts, failure limits and legs that wait in a
// queue, each checked to the exact call and second, and replayed from the journal exactly.

#include "asha/tuner.hpp"
#include "run/journal.hpp"

#include "scripted_backend.hpp"
#include "test_util.hpp"

#include <signal.h>

#include <memory>

using namespace asha;
using namespace asha::test;

namespace {

/// FIFO over one hyperparameter, one worker, two trials of 3 epochs; `patch` changes it.
ExperimentConfig config_with(const json& patch) {
    json doc = json::parse(R"({
      "name": "scripted",
      "config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 3},
      "metric": "loss", "resource_attr": "epoch", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "fifo"},
      "stop": {"max_num_trials_started": 2},
      "workers": 1, "seed": 0, "stop_grace_period": 5
    })");
    merge_json(doc, patch);
    return parse_experiment(doc, "scripted.json");
}

/// A Tuner over a ScriptedBackend; `scripts[trial][leg]` is what each leg does (a trial or leg
/// beyond the table behaves well: 1 s per epoch, loss 0.5).
struct ScriptedRun {
    using Table = std::vector<std::vector<LegScript>>;
    ScriptedRun(const json& patch, Table scripts, bool queue = false)
        : config(config_with(patch)),
          rng(config.seed),
          scheduler(make_scheduler(config, rng)),
          table(std::move(scripts)),
          backend([this](const TrialLaunch& l) { return script_of(l); },
                  {queue, config.stop_grace_period}),
          tuner(config, *scheduler, backend) {}

    LegScript script_of(const TrialLaunch& l) const {
        const auto trial = static_cast<std::size_t>(l.trial_id);
        const auto leg = static_cast<std::size_t>(l.leg);
        if (trial < table.size() && leg < table[trial].size()) return table[trial][leg];
        return well_behaved(l, 0.5);
    }
    const TrialRecord& trial(TrialId id) const {
        return tuner.trials().at(static_cast<std::size_t>(id));
    }
    std::vector<std::string> log() const { return backend.log(); }

    ExperimentConfig config;
    Rng rng;
    std::unique_ptr<Scheduler> scheduler;
    Table table;
    ScriptedBackend backend;
    Tuner tuner;
};

LegScript steps(std::vector<Step> s) {
    return LegScript{std::move(s)};
}

/// Runs `run` to its end with a journal at `path`, as run_experiment does.
void run_with_journal(ScriptedRun& run, const fs::path& path) {
    JournalWriter journal(path, JournalSync::never, false);
    journal.append(make_journal_header(run.config.document, "scripted.json", "local", "", ""));
    run.tuner.set_journal(&journal);
    run.tuner.run();
}

}  // namespace

TEST(Tuner, AFailedLegIsRetriedFromItsCheckpointBeforeAnythingNew) {
    ScriptedRun run({{"max_retries", 1}},
                    {{steps({report(1, 1, 0.9), exits(1, 1, "CUDA error")})}});
    RunResult result = run.tuner.run();
    EXPECT_EQ(run.log(), (std::vector<std::string>{
                             "0: start 0 leg 0 new to 3 from 0",
                             "1: report 0 epoch 1 = 0.9",
                             "2: exit 0 code 1",
                             "2: start 0 leg 1 retry to 3 from 1",  // its checkpoint: epoch 1
                             "3: report 0 epoch 2 = 0.5",
                             "4: report 0 epoch 3 = 0.5",
                             "4: exit 0 code 0",
                             "4: start 1 leg 0 new to 3 from 0",
                             "5: report 1 epoch 1 = 0.5",
                             "6: report 1 epoch 2 = 0.5",
                             "7: report 1 epoch 3 = 0.5",
                             "7: exit 1 code 0",
                         }));
    EXPECT_EQ(run.trial(0).status, TrialStatus::completed);
    EXPECT_EQ(run.trial(0).retries, 1);
    EXPECT_EQ(run.trial(0).legs, 2);
    EXPECT_EQ(run.trial(0).reports, 3u);
    EXPECT_EQ(result.summary.failed, 0u);
    EXPECT_EQ(result.summary.completed, 2u);
    EXPECT_EQ(result.exit_code, ExitCode::ok);
    EXPECT_DOUBLE_EQ(result.summary.busy_time, 7);
}

TEST(Tuner, RetriesRunOutAndTheTrialFailsWithTheTailOfItsStderr) {
    const LegScript crash = steps({report(1, 1, 0.9), exits(1, 1, "CUDA error")});
    const LegScript crash_again = steps({exits(1, 1, "CUDA error again")});
    ScriptedRun run({{"max_retries", 1}}, {{crash, crash_again}});
    RunResult result = run.tuner.run();
    EXPECT_EQ(run.trial(0).status, TrialStatus::failed);
    EXPECT_EQ(run.trial(0).error, "exited with code 1: CUDA error again");
    EXPECT_EQ(run.trial(0).retries, 1);
    EXPECT_EQ(run.trial(0).legs, 2);
    EXPECT_EQ(result.summary.failed, 1u);
    EXPECT_EQ(result.summary.completed, 1u);  // the run went on with trial 1
    EXPECT_EQ(run.log().at(3), "2: start 0 leg 1 retry to 3 from 1");
    EXPECT_EQ(run.log().at(5), "3: start 1 leg 0 new to 3 from 0");
}

TEST(Tuner, ASilentLegIsStoppedAtItsReportTimeoutAndEndsTimedOut) {
    // Reports epoch 1 at t = 1, then nothing: stopped at 1 + 10, gone 2 s after SIGTERM.
    LegScript silent = steps({report(1, 1, 0.4)});
    silent.exits_after_sigterm = 2;
    ScriptedRun run({{"report_timeout", 10}, {"stop", {{"max_num_trials_started", 1}}}},
                    {{silent}});
    RunResult result = run.tuner.run();
    EXPECT_EQ(run.log(), (std::vector<std::string>{
                             "0: start 0 leg 0 new to 3 from 0",
                             "1: report 0 epoch 1 = 0.4",
                             "11: stop 0",
                             "13: exit 0 signal 15",
                         }));
    EXPECT_EQ(run.trial(0).status, TrialStatus::timeout);
    EXPECT_EQ(run.trial(0).error, "no report for report_timeout (10 s)");
    EXPECT_EQ(run.trial(0).exit_code, -SIGTERM);
    EXPECT_EQ(result.summary.failed, 1u);  // a timeout counts as a failure
    EXPECT_DOUBLE_EQ(result.summary.wallclock, 13);
}

TEST(Tuner, ALegThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
    LegScript stubborn = steps({report(1, 1, 0.4), report(1, 2, 0.4)});
    stubborn.ignores_sigterm = true;
    ScriptedRun run({{"trial_timeout", 1.5}, {"stop", {{"max_num_trials_started", 1}}}},
                    {{stubborn}});
    run.tuner.run();
    // SIGKILL 5 s (stop_grace_period) after SIGTERM. A report in the grace period still counts
    // (the retry of a timed-out leg starts from it).
    EXPECT_EQ(run.log(), (std::vector<std::string>{
                             "0: start 0 leg 0 new to 3 from 0",
                             "1: report 0 epoch 1 = 0.4",
                             "1.5: stop 0",
                             "2: report 0 epoch 2 = 0.4",
                             "6.5: exit 0 signal 9",
                         }));
    EXPECT_EQ(run.trial(0).reports, 2u);
    EXPECT_EQ(run.trial(0).status, TrialStatus::timeout);
    EXPECT_EQ(run.trial(0).error, "ran longer than trial_timeout (1.5 s)");
    EXPECT_EQ(run.trial(0).exit_code, -SIGKILL);
}

TEST(Tuner, ATimedOutLegIsRetriedAndTheTimeoutRestartsWithIt) {
    ScriptedRun run({{"report_timeout", 10}, {"max_retries", 1}, {"stop_grace_period", 0}},
                    {{steps({report(1, 1, 0.4)})}});
    run.tuner.run();
    const auto log = run.log();
    ASSERT_GE(log.size(), 5u);
    EXPECT_EQ(log[2], "11: stop 0");
    EXPECT_EQ(log[3], "11: exit 0 signal 15");
    EXPECT_EQ(log[4], "11: start 0 leg 1 retry to 3 from 1");
    EXPECT_EQ(run.trial(0).status, TrialStatus::completed);
    EXPECT_EQ(run.trial(0).retries, 1);
}

TEST(Tuner, AnInterruptStopsEveryLegAndASecondOneKillsThem) {
    LegScript stubborn =
        well_behaved({0, LaunchKind::new_trial, {}, 3, 0, 0, std::nullopt}, 0.5, 10);
    stubborn.ignores_sigterm = true;
    ScriptedRun run({{"workers", 2}}, {{stubborn}, {stubborn}});
    run.backend.interrupt_at(12, SIGTERM);
    run.backend.interrupt_at(14, SIGINT);
    RunResult result = run.tuner.run();
    EXPECT_EQ(run.log(), (std::vector<std::string>{
                             "0: start 0 leg 0 new to 3 from 0",
                             "0: start 1 leg 0 new to 3 from 0",
                             "10: report 0 epoch 1 = 0.5",
                             "10: report 1 epoch 1 = 0.5",
                             "12: signal 15",
                             "12: stop 0",
                             "12: stop 1",
                             "14: signal 2",
                             "14: kill 0",
                             "14: kill 1",
                             "14: exit 0 signal 9",
                             "14: exit 1 signal 9",
                         }));
    EXPECT_EQ(result.exit_code, ExitCode::interrupted_term);  // the first signal's
    EXPECT_EQ(result.summary.stop_reason, "interrupted by signal 15");
    EXPECT_EQ(run.trial(0).status, TrialStatus::stopped);
    EXPECT_EQ(run.trial(1).status, TrialStatus::stopped);
}

TEST(Tuner, MaxFailuresEndsTheRunAndStopsWhatRuns) {
    const LegScript boom = steps({exits(1, 3, "boom")});
    ScriptedRun run({{"workers", 2},
                     {"max_failures", 2},
                     {"abort_on_identical_failures", 0},
                     {"stop", {{"max_num_trials_started", 10}}}},
                    {{boom}, {steps({report(1, 1, 0.5)})}, {boom}});
    RunResult result = run.tuner.run();
    EXPECT_EQ(run.log(), (std::vector<std::string>{
                             "0: start 0 leg 0 new to 3 from 0",
                             "0: start 1 leg 0 new to 3 from 0",
                             "1: exit 0 code 3",
                             "1: start 2 leg 0 new to 3 from 0",
                             "1: report 1 epoch 1 = 0.5",
                             "2: exit 2 code 3",
                             "2: stop 1",
                             "2: exit 1 signal 15",
                         }));
    EXPECT_EQ(result.exit_code, ExitCode::too_many_failures);
    EXPECT_EQ(result.summary.stop_reason,
              "2 trials failed (max_failures = 2); last error: exited with code 3: boom");
    EXPECT_EQ(result.summary.failed, 2u);
    EXPECT_EQ(run.trial(1).status, TrialStatus::stopped);
}

TEST(Tuner, TheFirstTrialsFailingAlikeEndTheRun) {
    const LegScript boom = steps({exits(1, 127, "train.py: not found")});
    ScriptedRun run({{"stop", {{"max_num_trials_started", 10}}}}, {{boom}, {boom}, {boom}});
    RunResult result = run.tuner.run();
    EXPECT_EQ(result.exit_code, ExitCode::too_many_failures);
    EXPECT_EQ(result.summary.stop_reason,
              "the first 3 trials all failed the same way: exited with code 127: train.py: not "
              "found (see trials/2/stderr.log)");
    EXPECT_EQ(run.tuner.trials().size(), 3u);
}

TEST(Tuner, AFailureUnlikeTheFirstKeepsTheRunGoing) {
    const LegScript boom = steps({exits(1, 1, "boom")});
    const LegScript other = steps({exits(1, 2, "other")});
    ScriptedRun run({{"stop", {{"max_num_trials_started", 5}}}},
                    {{boom}, {other}, {boom}, {boom}, {boom}});
    RunResult result = run.tuner.run();
    EXPECT_EQ(result.exit_code, ExitCode::ok);
    EXPECT_EQ(result.summary.failed, 5u);
    EXPECT_EQ(result.summary.stop_reason, "reached max_num_trials_started (5)");
}

TEST(Tuner, ExitingCleanlyWithoutAReportIsAFailure) {
    ScriptedRun run({{"stop", {{"max_num_trials_started", 1}}}}, {{steps({exits(2)})}});
    run.tuner.run();
    EXPECT_EQ(run.trial(0).status, TrialStatus::failed);
    EXPECT_EQ(run.trial(0).error,
              "exited with code 0 without a report (no usable report of loss and epoch on "
              "stdout)");
}

// Legs that wait in a queue (Slurm) are Pending, cost nothing and cannot time out until their
// `running` event; a leg stopped while it waits ends without ever running.
TEST(Tuner, QueuedLegsArePendingAndNotBusyUntilTheyRun) {
    auto queued = [](double wait) {
        LegScript s = well_behaved({0, LaunchKind::new_trial, {}, 3, 0, 0, std::nullopt}, 0.5);
        s.steps.insert(s.steps.begin(), runs(wait));
        return s;
    };
    ScriptedRun run({{"workers", 2}, {"report_timeout", 10}}, {{queued(20)}, {queued(1)}}, true);
    RunResult result = run.tuner.run();
    EXPECT_EQ(run.log(), (std::vector<std::string>{
                             "0: start 0 leg 0 new to 3 from 0",
                             "0: start 1 leg 0 new to 3 from 0",
                             "1: running 1",
                             "2: report 1 epoch 1 = 0.5",
                             "3: report 1 epoch 2 = 0.5",
                             "4: report 1 epoch 3 = 0.5",
                             "4: exit 1 code 0",
                             "20: running 0",  // 20 s in the queue: no report_timeout
                             "21: report 0 epoch 1 = 0.5",
                             "22: report 0 epoch 2 = 0.5",
                             "23: report 0 epoch 3 = 0.5",
                             "23: exit 0 code 0",
                         }));
    EXPECT_EQ(run.trial(0).status, TrialStatus::completed);
    EXPECT_DOUBLE_EQ(result.summary.busy_time, 3 + 3);  // the queue's 20 s and 1 s are not busy
    EXPECT_DOUBLE_EQ(run.trial(0).worker_time, 3);
}

TEST(Tuner, ALegStoppedInTheQueueEndsWithoutRunning) {
    LegScript never_runs = steps({runs(100)});
    ScriptedRun run(
        {{"workers", 2}, {"stop", {{"max_num_trials_started", 2}, {"max_wallclock_time", 5}}}},
        {{never_runs}}, true);
    ASSERT_NO_THROW(run.tuner.run());
    EXPECT_EQ(run.trial(0).status, TrialStatus::stopped);
    EXPECT_DOUBLE_EQ(run.trial(0).worker_time, 0);
    EXPECT_EQ(run.log().back(), "5: exit 0 signal 15");
}

// Whatever happened, a journal replayed into a fresh Tuner gives the same state, and the
// resumed run ends as the original did.
TEST(Tuner, TheJournalOfRetriesTimeoutsAndQueuesReplaysExactly) {
    const json patch = {{"workers", 2},
                        {"max_retries", 1},
                        {"report_timeout", 10},
                        {"abort_on_identical_failures", 0},
                        {"stop", {{"max_num_trials_started", 6}}}};
    auto queued = [](double wait, std::vector<Step> rest) {
        std::vector<Step> all{runs(wait)};
        all.insert(all.end(), rest.begin(), rest.end());
        return steps(all);
    };
    const ScriptedRun::Table table = {
        {queued(3, {report(1, 1, 0.9), exits(1, 1, "boom")})},           // retried
        {queued(1, {report(1, 1, 0.3)})},                                // times out, retried
        {queued(2, {exits(1, 2, "x")}), queued(0, {exits(1, 2, "x")})},  // fails for good
    };
    const fs::path journal_path = temp_path("scripted-journal.jsonl");
    ScriptedRun original(patch, table, true);
    run_with_journal(original, journal_path);
    JournalContents contents = read_journal(journal_path);
    ScriptedRun replayed(patch, table, true);
    ReplayResult replay = replayed.tuner.restore(contents);
    EXPECT_TRUE(replay.finished);
    ASSERT_EQ(replayed.tuner.trials().size(), original.tuner.trials().size());
    for (std::size_t i = 0; i < original.tuner.trials().size(); ++i) {
        const TrialRecord& a = original.tuner.trials()[i];
        const TrialRecord& b = replayed.tuner.trials()[i];
        SCOPED_TRACE("trial " + std::to_string(i));
        EXPECT_EQ(a.status, b.status);
        EXPECT_EQ(a.legs, b.legs);
        EXPECT_EQ(a.retries, b.retries);
        EXPECT_EQ(a.reports, b.reports);
        EXPECT_EQ(a.error, b.error);
        EXPECT_EQ(a.last_resource, b.last_resource);
        EXPECT_EQ(a.exit_code, b.exit_code);
        EXPECT_DOUBLE_EQ(a.worker_time, b.worker_time);
    }
    EXPECT_EQ(original.trial(0).retries, 1);
    EXPECT_EQ(original.trial(1).retries, 1);
    EXPECT_EQ(original.trial(2).status, TrialStatus::failed);
    EXPECT_TRUE(replayed.backend.log().empty());  // a replay starts and stops nothing
}

// A journal cut while legs were running resumes them: the replayed tuner relaunches exactly
// the legs that were running, and the run ends as an uninterrupted one would.
TEST(Tuner, AResumeRelaunchesTheLegsThatWereRunning) {
    const json patch = {{"workers", 2}, {"stop", {{"max_num_trials_started", 4}}}};
    const fs::path journal_path = temp_path("scripted-cut.jsonl");
    ScriptedRun original(patch, {});
    run_with_journal(original, journal_path);
    // Cut the journal after the first report of trial 2 (some 2/3 of the way).
    std::string text = read_file(journal_path);
    const std::size_t at = text.find("\"trial\":2,\"resource\":1");
    ASSERT_NE(at, std::string::npos) << text;
    text.resize(text.find('\n', at) + 1);
    std::ofstream(journal_path, std::ios::trunc) << text;

    ScriptedRun resumed(patch, {});
    ReplayResult replay = resumed.tuner.restore(read_journal(journal_path));
    EXPECT_FALSE(replay.finished);
    EXPECT_EQ(replay.running, 2u);
    RunResult result = resumed.tuner.run();
    const auto log = resumed.log();
    ASSERT_GE(log.size(), 3u);
    EXPECT_EQ(log[0].substr(log[0].find(':')), ": take over 2 leg 0");
    EXPECT_EQ(log[1].substr(log[1].find(':')), ": start 2 leg 0 new to 3 from 1");
    EXPECT_EQ(resumed.trial(2).status, TrialStatus::completed);
    EXPECT_EQ(result.summary.completed, 4u);
    EXPECT_EQ(resumed.tuner.trials().size(), original.tuner.trials().size());
}

// What becomes of a leg the backend could not take over is the Tuner's decision: one the old
// tuner was stopping ends at once, as killed by the resume's cleanup (SIGKILL, stopped by the
// tuner), and is not started again.
TEST(Tuner, AResumeEndsALegThatWasBeingStopped) {
    const json patch = {{"workers", 2},
                        {"scheduler",
                         {{"type", "asha"},
                          {"variant", "stopping"},
                          {"grace_period", 1},
                          {"reduction_factor", 2}}}};
    LegScript worse = well_behaved({1, LaunchKind::new_trial, {}, 3, 0, 0, std::nullopt}, 0.9);
    worse.ignores_sigterm = true;  // still in its grace period when the tuner dies
    const ScriptedRun::Table table = {
        {well_behaved({0, LaunchKind::new_trial, {}, 3, 0, 0, std::nullopt}, 0.5, 0.5)}, {worse}};
    const fs::path journal_path = temp_path("scripted-stopping.jsonl");
    ScriptedRun original(patch, table);
    run_with_journal(original, journal_path);
    EXPECT_EQ(original.trial(1).status, TrialStatus::stopped);
    // Cut the journal just after trial 1 was decided STOP.
    std::string text = read_file(journal_path);
    const std::size_t at = text.find("\"trial\":1,\"resource\":1");
    ASSERT_NE(at, std::string::npos) << text;
    ASSERT_NE(text.find("\"decision\":\"STOP\"", at), std::string::npos) << text;
    text.resize(text.find('\n', at) + 1);
    std::ofstream(journal_path, std::ios::trunc) << text;

    ScriptedRun resumed(patch, table);
    const ReplayResult replay = resumed.tuner.restore(read_journal(journal_path));
    EXPECT_EQ(replay.running, 2u);
    JournalWriter journal(journal_path, JournalSync::never, false, text.size());
    resumed.tuner.set_journal(&journal);
    resumed.tuner.run();
    const auto log = resumed.log();
    ASSERT_GE(log.size(), 3u);
    EXPECT_EQ(log[0].substr(log[0].find(':')), ": take over 0 leg 0");
    EXPECT_EQ(log[1].substr(log[1].find(':')), ": start 0 leg 0 new to 3 from 2");
    EXPECT_EQ(log[2].substr(log[2].find(':')), ": take over 1 leg 0 (was stopping)");
    for (const std::string& line : log) EXPECT_EQ(line.find("start 1"), std::string::npos) << line;
    EXPECT_EQ(resumed.trial(1).status, TrialStatus::stopped);
    const std::string after = read_file(journal_path).substr(text.size());
    EXPECT_NE(after.find(R"("event":"exit","time":)"), std::string::npos) << after;
    EXPECT_NE(after.find(R"("trial":1,"exit_code":0,"signal":9,"stopped_by_tuner":true)"),
              std::string::npos)
        << after;
}

// trial_timeout counts from each leg's start: a leg that runs longer is stopped, retried like
// a failed one, and the trial ends Timeout when its retries run out.
TEST(Tuner, ALegPastItsTrialTimeoutIsStoppedRetriedAndEndsTimedOut) {
    const auto slow = [](const TrialLaunch& l) { return well_behaved(l, 0.5, 10); };
    ScriptedRun run({{"trial_timeout", 5},
                     {"max_retries", 1},
                     {"stop_grace_period", 0},
                     {"stop", {{"max_num_trials_started", 1}}}},
                    {{slow({0, LaunchKind::new_trial, {}, 3, 0, 0, std::nullopt}),
                      slow({0, LaunchKind::retry, {}, 3, 1, 0, std::nullopt})}});
    run.tuner.run();
    const auto log = run.log();
    ASSERT_EQ(log.size(), 6u) << ::testing::PrintToString(log);
    EXPECT_EQ(log[0], "0: start 0 leg 0 new to 3 from 0");
    EXPECT_EQ(log[1], "5: stop 0");
    EXPECT_EQ(log[2], "5: exit 0 signal 15");
    EXPECT_EQ(log[3], "5: start 0 leg 1 retry to 3 from 0");
    EXPECT_EQ(log[4], "10: stop 0");
    EXPECT_EQ(log[5], "10: exit 0 signal 15");
    EXPECT_EQ(run.trial(0).status, TrialStatus::timeout);
    EXPECT_EQ(run.trial(0).error, "ran longer than trial_timeout (5 s)");
    EXPECT_EQ(run.trial(0).legs, 2);
}

// A report that comes while the run is ending is STOP without asking the scheduler, and the
// journal says so (decision reasons, journal version 2).
TEST(Tuner, AReportWhileTheRunEndsIsStoppedForTheRunsReason) {
    LegScript stubborn = steps({report(1, 1, 0.4), report(1, 2, 0.3)});
    stubborn.ignores_sigterm = true;
    ScriptedRun run({{"stop", {{"max_num_trials_started", 1}, {"max_wallclock_time", 1.5}}}},
                    {{stubborn}});
    const fs::path journal_path = temp_path("scripted-ending.jsonl");
    run_with_journal(run, journal_path);
    const std::string journal = read_file(journal_path);
    EXPECT_NE(journal.find(R"({"event":"report","time":2,"trial":0,"resource":2,"metric":0.3,)"
                           R"("decision":"STOP","why":{"rule":"run_ending","bracket":0,)"
                           R"("level":2,"value":0.3}})"),
              std::string::npos)
        << journal;
    // The report before the end reached no rung (FIFO, max_t 3): nothing to say.
    EXPECT_NE(journal.find(R"("resource":1,"metric":0.4,"decision":"CONTINUE"})"),
              std::string::npos)
        << journal;
}

// The replay asks the scheduler again and finds the reasons it journaled; a journal whose
// reason the scheduler does not give again cannot be resumed, and the error names the line.
TEST(Tuner, AReplayFindsTheSameReasonsOrNamesTheLineWhereItDoesNot) {
    const json patch = {{"workers", 2},
                        {"stop", {{"max_num_trials_started", 6}}},
                        {"scheduler",
                         {{"type", "asha"},
                          {"variant", "promotion"},
                          {"grace_period", 1},
                          {"reduction_factor", 2}}}};
    ScriptedRun::Table table;
    for (int i = 0; i < 6; ++i)
        table.push_back(
            {well_behaved({i, LaunchKind::new_trial, {}, 1, 0, 0, std::nullopt}, 0.1 * (6 - i))});
    const fs::path journal_path = temp_path("scripted-reasons.jsonl");
    ScriptedRun original(patch, table);
    run_with_journal(original, journal_path);
    const std::string text = read_file(journal_path);
    ASSERT_NE(text.find(R"("kind":"promote")"), std::string::npos) << text;
    ASSERT_NE(text.find(R"("why":{"rule":"promoted")"), std::string::npos) << text;
    ScriptedRun replayed(patch, table);
    EXPECT_TRUE(replayed.tuner.restore(read_journal(journal_path)).finished);

    // A PAUSE whose rank was journaled differently.
    std::string edited = text;
    const std::size_t pause = edited.find(R"("rule":"paused")");
    ASSERT_NE(pause, std::string::npos);
    const std::size_t of = edited.find("\"of\":", pause);
    edited.replace(of, 5, "\"of\":9");
    const auto line =
        std::count(edited.begin(), edited.begin() + static_cast<long>(pause), '\n') + 1;
    std::ofstream(journal_path, std::ios::trunc) << edited;
    ScriptedRun tampered(patch, table);
    try {
        tampered.tuner.restore(read_journal(journal_path));
        ADD_FAILURE() << "a journal with another reason was replayed";
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find("journal.jsonl line " + std::to_string(line) + ": trial "),
            std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("is now decided for another reason"),
                  std::string::npos)
            << e.what();
    }
}
