// The Slurm launcher against fake srun / scancel / squeue (tests/slurm/fake/), so that it is
// tested wherever the suite runs: legs as jobs or as steps of an allocation, stops that address
// the leg and only the leg, Slurm's word on a failure, a resume that cancels the dead tuner's
// steps, and a slow scancel that does not hold up the loop. tests/slurm/slurm_test.sh runs the
// same against a real cluster.

#include "backends/slurm_launcher.hpp"

#include "cli_util.hpp"
#include "test_util.hpp"

#include <signal.h>

#include <fstream>
#include <regex>

using namespace asha;
using namespace asha::test;

namespace {

/// A run directory and the fake Slurm's state for the current test.
struct FakeSlurm {
    fs::path dir;    // the run directory
    fs::path state;  // $ASHA_FAKE_SLURM
    std::vector<std::string> env;

    explicit FakeSlurm(const std::string& name, std::vector<std::string> more_env = {})
        : dir(temp_path(name)), state(temp_path(name + "-slurm")) {
        fs::create_directories(state);
        std::ofstream(state / "jobs").flush();
        const char* path = std::getenv("PATH");
        env = {"PATH=" + std::string(ASHA_SOURCE_DIR) + "/tests/slurm/fake:" + (path ? path : ""),
               "ASHA_FAKE_SLURM=" + state.string()};
        env.insert(env.end(), more_env.begin(), more_env.end());
    }
    std::string calls() const { return read_file(state / "calls.log"); }
    /// The calls of `command` ("srun", "scancel", "squeue"), one per line as logged.
    std::vector<std::string> calls_of(const std::string& command) const {
        std::vector<std::string> out;
        std::istringstream lines(calls());
        for (std::string line; std::getline(lines, line);)
            if (line.rfind(command + " ", 0) == 0 && line.rfind("scancel done", 0) != 0)
                out.push_back(line);
        return out;
    }
    /// The Slurm id the fake srun gave the leg named `name`.
    std::string id_of(const std::string& name) const {
        std::istringstream lines(read_file(state / "jobs"));
        std::string found;
        for (std::string id, pid, job; lines >> id >> pid >> job;)
            if (job == name) found = id;
        return found;
    }
};

/// The run id in `run_dir`'s journal header.
std::string run_id_of(const fs::path& run_dir) {
    const std::string journal = read_file(run_dir / "journal.jsonl");
    return json::parse(journal.substr(0, journal.find('\n'))).value("run_id", "");
}

/// What the legs of the run in `run_dir` are named: <prefix><trial id>.
std::string leg_name_prefix(const fs::path& run_dir) {
    return slurm_job_prefix(run_dir, run_id_of(run_dir)) + "-";
}

json slurm_document(const char* script, const json& backend) {
    json doc = json::parse(R"({
      "name": "fake",
      "config_space": {"quality": {"type": "uniform", "lower": 0.0, "upper": 1.0}, "max_epochs": 3,
                       "hang_after": {"type": "choice", "categories": [0, 1]}},
      "metric": "validation_error", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 2},
      "stop": {"max_num_trials_started": 2},
      "workers": 1, "stop_grace_period": 0.2, "gpus": "none"
    })");
    doc["command"] = json::array({"/bin/sh", std::string("tests/trials/") + script});
    doc["backend"] = backend;
    // Trial 0 runs to its end; trial 1, worse at the first rung, is stopped there, and waits
    // for that stop after its first report (reporter.sh --hang_after), so that the stop finds
    // its leg running however late a loaded machine lets the tuner read that report.
    doc["points_to_evaluate"] =
        json::parse(R"([{"quality": 0.1, "hang_after": 0}, {"quality": 0.9, "hang_after": 1}])");
    return doc;
}

}  // namespace

TEST(SlurmLauncher, SrunCommandLines) {
    SlurmLauncherOptions jobs;
    jobs.spec.partition = "gpu";
    jobs.spec.gpus_per_trial = 1;
    jobs.spec.cpus_per_trial = 4;
    jobs.spec.mem = "16G";
    jobs.spec.time_limit = "1:00:00";
    jobs.spec.extra_args = {"--account=ml"};
    const std::vector<std::string> trial = {"python3", "train.py", "--lr", "0.1"};
    const std::vector<std::string> tail = {
        "/bin/sh",
        "-c",
        "echo \"[asha-running] $SLURM_JOB_ID.$SLURM_STEP_ID\"; exec \"$@\"",
        "asha-trial",
        "python3",
        "train.py",
        "--lr",
        "0.1"};
    std::vector<std::string> expected = {"srun",
                                         "--job-name=asha-r-3",
                                         "--ntasks=1",
                                         "--nodes=1",
                                         "--quiet",
                                         "--kill-on-bad-exit=1",
                                         "--partition=gpu",
                                         "--gres=gpu:1",
                                         "--cpus-per-task=4",
                                         "--mem=16G",
                                         "--time=1:00:00",
                                         "--account=ml"};
    expected.insert(expected.end(), tail.begin(), tail.end());
    EXPECT_EQ(srun_argv(jobs, "asha-r-3", trial), expected);

    SlurmLauncherOptions steps = jobs;
    steps.steps = true;
    steps.allocation = "4242";
    expected = {"srun",         "--jobid=4242",      "--exclusive", "--job-name=asha-r-3",
                "--ntasks=1",   "--nodes=1",         "--quiet",     "--kill-on-bad-exit=1",
                "--gres=gpu:1", "--cpus-per-task=4", "--mem=16G",   "--time=1:00:00",
                "--account=ml"};  // no partition: the allocation has one
    expected.insert(expected.end(), tail.begin(), tail.end());
    EXPECT_EQ(srun_argv(steps, "asha-r-3", trial), expected);
}

// Outside an allocation each leg is a job of its own; ASHA's stop addresses that job by its id;
// a failed job carries Slurm's word.
TEST(SlurmLauncher, LegsAreJobsStoppedByTheirIds) {
    FakeSlurm slurm("fake-jobs", {"SLURM_JOB_ID="});
    json doc = slurm_document("reporter.sh", {{"type", "slurm"}});
    Outcome run = asha_tune(
        {"--config", write_config("fake-jobs", doc), "--run-dir", slurm.dir.string(), "--quiet"},
        slurm.env);
    ASSERT_EQ(run.exit_code, 0) << run.err << slurm.calls();
    const std::string name = leg_name_prefix(slurm.dir) + "1";
    const std::string id = slurm.id_of(name);
    ASSERT_FALSE(id.empty()) << slurm.calls();
    EXPECT_EQ(id.find('.'), std::string::npos);  // a job id, not a step
    const auto srun = slurm.calls_of("srun");
    ASSERT_EQ(srun.size(), 2u);
    EXPECT_EQ(srun[1].find("--jobid"), std::string::npos) << srun[1];
    EXPECT_NE(srun[1].find("--job-name=" + name), std::string::npos) << srun[1];
    EXPECT_EQ(slurm.calls_of("scancel").at(0), "scancel --signal=TERM " + id) << slurm.calls();
    const std::string trials = read_file(slurm.dir / "trials.csv");
    EXPECT_NE(trials.find("1,Stopped,"), std::string::npos) << trials;

    FakeSlurm failing("fake-jobs-fail", {"SLURM_JOB_ID="});
    doc = slurm_document("fail.sh", {{"type", "slurm"}});
    doc["abort_on_identical_failures"] = 0;
    run = asha_tune(
        {"--config", write_config("fake-fail", doc), "--run-dir", failing.dir.string(), "--quiet"},
        failing.env);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(read_file(failing.dir / "trials.csv")
                  .find(",exited with code 3: Slurm: FAILED NonZeroExitCode; "),
              std::string::npos)
        << read_file(failing.dir / "trials.csv");
}

// Inside an allocation (SLURM_JOB_ID set) each leg is a step of it: srun --jobid --exclusive,
// and a stop addresses JOB.STEP, never the allocation.
TEST(SlurmLauncher, InsideAnAllocationLegsAreStepsStoppedOneByOne) {
    FakeSlurm slurm("fake-steps", {"SLURM_JOB_ID=4242"});
    json doc = slurm_document("reporter.sh", {{"type", "slurm"}});
    Outcome run = asha_tune(
        {"--config", write_config("fake-steps", doc), "--run-dir", slurm.dir.string(), "--quiet"},
        slurm.env);
    ASSERT_EQ(run.exit_code, 0) << run.err << slurm.calls();
    for (const auto& call : slurm.calls_of("srun"))
        EXPECT_NE(call.find(" --jobid=4242 --exclusive "), std::string::npos) << call;
    const std::string id = slurm.id_of(leg_name_prefix(slurm.dir) + "1");
    ASSERT_EQ(id.rfind("4242.", 0), 0u) << id;
    for (const auto& call : slurm.calls_of("scancel")) {
        EXPECT_NE(call.find(" " + id), std::string::npos) << call;  // only that step
        EXPECT_EQ(call.find(" 4242 "), std::string::npos) << call;
        EXPECT_FALSE(call.size() >= 5 && call.substr(call.size() - 5) == " 4242") << call;
    }
    EXPECT_EQ(slurm.calls_of("scancel").at(0), "scancel --signal=TERM " + id);
    EXPECT_NE(read_file(slurm.dir / "journal.jsonl").find("\"handle\":\"slurm-step 4242 asha-"),
              std::string::npos);
}

// A resume inside the allocation cancels the steps the dead tuner left, by the ids their
// `running` records journaled (no squeue needed), then relaunches their legs.
TEST(SlurmLauncher, AResumeCancelsTheDeadTunersSteps) {
    FakeSlurm slurm("fake-resume", {"SLURM_JOB_ID=4242"});
    json doc = slurm_document("chatty.sh", {{"type", "slurm"}});
    doc["config_space"]["max_epochs"] = 1000000;
    doc["workers"] = 2;
    const std::string config = write_config("fake-resume", doc);
    const fs::path journal = slurm.dir / "journal.jsonl";
    BackgroundTuner tuner({"--config", config, "--run-dir", slurm.dir.string(), "--quiet"},
                          slurm.env);
    // Both legs have reported (only report records have "trial" then "resource"), so both
    // steps are registered with their ids: the resume cancels them by id. (Waiting for trial
    // 1 alone let a loaded machine kill the tuner before trial 0's step had an id.)
    ASSERT_TRUE(wait_for_journal(
        journal,
        [](const std::string& text) {
            return text.find("\"trial\":0,\"resource\"") != std::string::npos &&
                   text.find("\"trial\":1,\"resource\"") != std::string::npos;
        },
        tuner.pidfd()));
    tuner.signal(SIGKILL);
    ASSERT_EQ(tuner.wait(), 128 + SIGKILL);
    const std::string prefix = leg_name_prefix(slurm.dir);
    const std::string old0 = slurm.id_of(prefix + "0"), old1 = slurm.id_of(prefix + "1");
    BackgroundTuner resumed({"resume", slurm.dir.string(), "--quiet"}, slurm.env);
    ASSERT_TRUE(wait_for_journal(
        journal,
        [](const std::string& text) {
            // Resumed, and trial 0's relaunched leg has reported (only report records have
            // "trial" then "resource"): its new step is registered.
            const auto resume = text.find("{\"event\":\"resume\"");
            return resume != std::string::npos &&
                   text.find("\"trial\":0,\"resource\"", resume) != std::string::npos;
        },
        resumed.pidfd()));
    const std::string calls = slurm.calls();
    EXPECT_EQ(calls.find("squeue -h -s"), std::string::npos) << calls;
    const std::regex cancel("scancel (" + old0 + " " + old1 + "|" + old1 + " " + old0 + ")\n");
    EXPECT_TRUE(std::regex_search(calls, cancel)) << calls;
    resumed.signal(SIGTERM);
    EXPECT_EQ(resumed.wait(), 143);
    // The relaunched legs are new steps.
    EXPECT_NE(slurm.id_of(prefix + "0"), old0);
}

// A scancel that takes its time does not hold up the loop: while it runs, another trial's
// reports are read and decided. The fake scancel waits for a token the test gives only once it
// has seen those reports journaled; each trial takes its epochs' tokens from a gate of its own.
TEST(SlurmLauncher, ASlowScancelDoesNotBlockTheLoop) {
    const Gate scancel_gate(temp_path("slow-scancel-gate"));
    const fs::path gates = temp_path("slow-gates");  // one FIFO per trial: gates/<trial id>
    fs::create_directories(gates);
    const Gate gate0(gates / "0"), gate1(gates / "1");
    FakeSlurm slurm("fake-slow", {"SLURM_JOB_ID=4242",
                                  "ASHA_FAKE_SCANCEL_GATE=" + scancel_gate.path().string()});
    json doc = slurm_document("gated.sh", {{"type", "slurm"}});
    doc["command"] = json::array({"/bin/sh", "-c",
                                  "ASHA_TEST_GATE=" + gates.string() +
                                      "/$ASHA_TRIAL_ID exec /bin/sh tests/trials/gated.sh \"$@\"",
                                  "trial"});
    doc["workers"] = 2;
    const fs::path journal = slurm.dir / "journal.jsonl";
    BackgroundTuner tuner(
        {"--config", write_config("fake-slow", doc), "--run-dir", slurm.dir.string(), "--quiet"},
        slurm.env);
    // Trial 0 (quality 0.1) reports epoch 1, then trial 1 (0.9) does: ASHA stops trial 1.
    auto journaled = [&](const std::string& what) {
        return wait_for_journal(
            journal, [&](const std::string& text) { return text.find(what) != std::string::npos; },
            tuner.pidfd());
    };
    gate0.give('g');
    ASSERT_TRUE(journaled("\"trial\":0,\"resource\":1,"));
    gate1.give('g');
    ASSERT_TRUE(journaled("\"trial\":1,\"resource\":1,"));
    // The stop's scancel starts, and waits for its token.
    ASSERT_TRUE(wait_for_change(slurm.state / "calls.log",
                                [](const std::string& text) {
                                    return text.find("scancel --signal=TERM") != std::string::npos;
                                }))
        << slurm.calls() << read_file(journal);
    // Meanwhile trial 0's reports are read, decided and journaled, one per token.
    ASSERT_TRUE(drive(gate0, 'g', journal, tuner, [](const std::string& text) {
        return text.find("\"trial\":0,\"resource\":3,") != std::string::npos;
    }));
    EXPECT_EQ(slurm.calls().find("scancel done"), std::string::npos)
        << "the reports were read only after scancel ended";
    for (int i = 0; i < 8; ++i) scancel_gate.give('g');  // every scancel may go on now
    EXPECT_EQ(tuner.wait(), 0);
    const std::string trials = read_file(slurm.dir / "trials.csv");
    EXPECT_NE(trials.find("1,Stopped,"), std::string::npos) << trials;
    EXPECT_NE(trials.find("0,Completed,"), std::string::npos) << trials;
}

TEST(SlurmLauncher, HandlesRoundTrip) {
    for (const SlurmHandle& h : {SlurmHandle{false, "", "asha-exp-0123456789ab-3", ""},
                                 SlurmHandle{false, "", "asha-exp-0123456789ab-3", "777"},
                                 SlurmHandle{true, "4242", "asha-run-0123456789ab-0", ""},
                                 SlurmHandle{true, "4242", "asha-run-0123456789ab-0", "4242.7"}}) {
        const auto back = SlurmHandle::decode(h.encode());
        ASSERT_TRUE(back) << h.encode();
        EXPECT_EQ(back->step, h.step);
        EXPECT_EQ(back->allocation, h.allocation);
        EXPECT_EQ(back->name, h.name);
        EXPECT_EQ(back->id, h.id);
    }
    EXPECT_EQ((SlurmHandle{false, "", "asha-e-1", "77"}.encode()), "slurm asha-e-1 77");
    EXPECT_EQ((SlurmHandle{true, "42", "asha-e-1", "42.3"}.encode()),
              "slurm-step 42 asha-e-1 42.3");
    // The handles of asha-tune before run ids (no id) still read; others are not Slurm's.
    EXPECT_EQ(SlurmHandle::decode("slurm asha-exp-0")->name, "asha-exp-0");
    EXPECT_EQ(SlurmHandle::decode("slurm-step 42 asha-exp-0")->allocation, "42");
    for (const char* other : {"supervisor 12 34", "slurm", "slurm-step 42", "slurm a b c", ""})
        EXPECT_FALSE(SlurmHandle::decode(other)) << other;
}

// Job names come from the run's id; the directory's name is only a label, never empty, never
// with a space (a trailing slash once named every leg "asha--N").
TEST(SlurmLauncher, JobNamesCarryTheRunId) {
    EXPECT_EQ(slurm_job_prefix("runs/exp", "0123456789ab"), "asha-exp-0123456789ab");
    EXPECT_EQ(slurm_job_prefix("runs/exp/", "0123456789ab"), "asha-exp-0123456789ab");
    EXPECT_EQ(slurm_job_prefix("/abs/runs/exp//", "0123456789ab"), "asha-exp-0123456789ab");
    EXPECT_EQ(slurm_job_prefix("/", "0123456789ab"), "asha-run-0123456789ab");
    EXPECT_EQ(slurm_job_prefix("my run (2)", "0123456789ab"), "asha-my_run__2_-0123456789ab");
    EXPECT_EQ(slurm_job_prefix("a-very-long-directory-name-indeed", "0123456789ab"),
              "asha-a-very-long-directory-na-0123456789ab");
}

// Two runs whose directories share a name (runs/a/exp and runs/b/exp/, the second given with a
// trailing slash) on one cluster: their legs have names of their own, and a resume of the
// first, which cancels what its dead tuner left, leaves the second's jobs alone.
TEST(SlurmLauncher, RunsWithTheSameDirectoryNameLeaveEachOthersJobsAlone) {
    FakeSlurm slurm("fake-twins", {"SLURM_JOB_ID="});
    const fs::path a = temp_path("twins-a") / "exp", b = temp_path("twins-b") / "exp";
    fs::create_directories(a.parent_path());
    fs::create_directories(b.parent_path());
    json doc = slurm_document("chatty.sh", {{"type", "slurm"}});
    doc["config_space"]["max_epochs"] = 1000000;
    doc["workers"] = 2;
    const std::string config = write_config("fake-twins", doc);
    auto both_report = [](const std::string& text) {
        return text.find("\"trial\":0,\"resource\"") != std::string::npos &&
               text.find("\"trial\":1,\"resource\"") != std::string::npos;
    };
    BackgroundTuner first({"--config", config, "--run-dir", a.string(), "--quiet"}, slurm.env);
    BackgroundTuner second({"--config", config, "--run-dir", b.string() + "/", "--quiet"},
                           slurm.env);
    ASSERT_TRUE(wait_for_journal(a / "journal.jsonl", both_report, first.pidfd()));
    ASSERT_TRUE(wait_for_journal(b / "journal.jsonl", both_report, second.pidfd()));
    const std::string id_a = run_id_of(a), id_b = run_id_of(b);
    ASSERT_EQ(id_a.size(), 12u);
    ASSERT_NE(id_a, id_b);
    EXPECT_EQ(leg_name_prefix(b), "asha-exp-" + id_b + "-");
    EXPECT_FALSE(slurm.id_of("asha-exp-" + id_b + "-0").empty()) << read_file(slurm.state / "jobs");

    first.signal(SIGKILL);
    ASSERT_EQ(first.wait(), 128 + SIGKILL);
    BackgroundTuner resumed({"resume", a.string(), "--quiet"}, slurm.env);
    ASSERT_TRUE(wait_for_journal(
        a / "journal.jsonl",
        [](const std::string& text) {
            const auto resume = text.find("{\"event\":\"resume\"");
            return resume != std::string::npos &&
                   text.find("\"trial\":0,\"resource\"", resume) != std::string::npos;
        },
        resumed.pidfd()));
    // The second run's legs never heard of it: they report on, none of them ended.
    const std::size_t seen = read_file(b / "journal.jsonl").size();
    ASSERT_TRUE(wait_for_journal(
        b / "journal.jsonl",
        [seen](const std::string& text) {
            return text.find("\"trial\":0,\"resource\"", seen) != std::string::npos &&
                   text.find("\"trial\":1,\"resource\"", seen) != std::string::npos;
        },
        second.pidfd()));
    EXPECT_EQ(read_file(b / "journal.jsonl").find("\"event\":\"exit\""), std::string::npos);
    for (const auto& call : slurm.calls_of("scancel")) {
        EXPECT_EQ(call.find(id_b), std::string::npos) << call;
        for (const char* trial : {"0", "1"}) {
            const std::string job = slurm.id_of("asha-exp-" + id_b + "-" + trial);
            EXPECT_EQ((call + " ").find(" " + job + " "), std::string::npos) << call;
        }
    }
    resumed.signal(SIGTERM);
    second.signal(SIGTERM);
    EXPECT_EQ(resumed.wait(), 143);
    EXPECT_EQ(second.wait(), 143);
}
