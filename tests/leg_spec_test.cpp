// A leg before anything runs (backends/leg_spec.hpp): its argv, environment and directories,
// the trial protocol of the README, checked without starting a process.

#include "backends/leg_spec.hpp"

#include "test_util.hpp"

#include <algorithm>

using namespace asha;

namespace {

/// The value of `key` in `env`, and how many entries set it.
std::pair<std::string, int> lookup(const std::vector<std::string>& env, const std::string& key) {
    std::string value;
    int count = 0;
    for (const std::string& entry : env)
        if (entry.rfind(key + "=", 0) == 0) {
            value = entry.substr(key.size() + 1);
            ++count;
        }
    return {value, count};
}

}  // namespace

TEST(TrialArgv, CommandThenHyperparametersThenCheckpointDir) {
    Config config{
        {"learning_rate", 0.1}, {"batch_size", 128}, {"optimizer", "adam"}, {"max_epochs", 10}};
    EXPECT_EQ(
        trial_argv({"python3", "train.py"}, config, "max_epochs", 4, "/r/trials/3/checkpoints"),
        (std::vector<std::string>{"python3", "train.py", "--learning_rate", "0.1", "--batch_size",
                                  "128", "--optimizer", "adam", "--max_epochs", "4",
                                  "--st_checkpoint_dir", "/r/trials/3/checkpoints"}));
    EXPECT_EQ(trial_argv({"t"}, Config{{"x", 0.30000000000000004}}, "max_epochs", 2.5, "c"),
              (std::vector<std::string>{"t", "--x", "0.30000000000000004", "--max_epochs", "2.5",
                                        "--st_checkpoint_dir", "c"}));
    // No max_resource_attr: the milestone is not passed; milestone 0 (unbounded) neither.
    EXPECT_EQ(trial_argv({"t"}, Config{{"x", 1}}, "", 3, "c"),
              (std::vector<std::string>{"t", "--x", "1", "--st_checkpoint_dir", "c"}));
    EXPECT_EQ(trial_argv({"t"}, Config{{"max_epochs", 9}}, "max_epochs", 0, "c"),
              (std::vector<std::string>{"t", "--max_epochs", "9", "--st_checkpoint_dir", "c"}));
}

// The tuner's own per-leg variables never leak from its environment into a trial's, the
// config's "env" wins over what the tuner inherited, and Python runs unbuffered unless told.
TEST(TrialEnvironment, InheritedThenTheConfigsThenTheMarker) {
    const std::vector<std::string> inherited = {"PATH=/bin", "ASHA_TRIAL_ID=7", "ASHA_RUN_DIR=/x",
                                                "HOME=/root", "OMP_NUM_THREADS=8"};
    const auto env = trial_environment(
        inherited, {{"OMP_NUM_THREADS", "1"}, {"WANDB_MODE", "offline"}}, "ASHA_RUN_DIR=/runs/a");
    EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "HOME=/root", "OMP_NUM_THREADS=1",
                                             "WANDB_MODE=offline", "PYTHONUNBUFFERED=1",
                                             "ASHA_RUN_DIR=/runs/a"}));
    // Buffering asked for, by the tuner's environment or by the config: left as asked.
    EXPECT_EQ(lookup(trial_environment({"PYTHONUNBUFFERED="}, {}, "M=1"), "PYTHONUNBUFFERED"),
              std::make_pair(std::string(""), 1));
    EXPECT_EQ(lookup(trial_environment({}, {{"PYTHONUNBUFFERED", "0"}}, "M=1"), "PYTHONUNBUFFERED"),
              std::make_pair(std::string("0"), 1));
}

TEST(LegSpec, ArgvEnvironmentAndDirectoriesOfOneLeg) {
    TrialCommand run;
    run.command = {"python3", "train.py"};
    run.max_resource_attr = "epochs";
    run.trials_dir = "/runs/a/trials";
    run.working_dir = "/work";
    run.env = {"PATH=/bin", "ASHA_RUN_DIR=/runs/a"};
    TrialLaunch launch;
    launch.trial_id = 12;
    launch.kind = LaunchKind::promote;
    launch.config = Config{{"lr", 0.5}, {"epochs", 27}};
    launch.milestone = 9;
    launch.leg = 2;
    const LegSpec spec = leg_spec(run, launch);
    EXPECT_EQ(spec.trial, 12);
    EXPECT_EQ(spec.leg, 2);
    EXPECT_EQ(spec.trial_dir, "/runs/a/trials/12");
    EXPECT_EQ(spec.checkpoint_dir, "/runs/a/trials/12/checkpoints");
    EXPECT_EQ(spec.cwd, "/work");
    EXPECT_EQ(spec.argv,
              (std::vector<std::string>{"python3", "train.py", "--lr", "0.5", "--epochs", "9",
                                        "--st_checkpoint_dir", "/runs/a/trials/12/checkpoints"}));
    EXPECT_EQ(spec.env,
              (std::vector<std::string>{"PATH=/bin", "ASHA_RUN_DIR=/runs/a", "ASHA_TRIAL_ID=12",
                                        "ASHA_TRIAL_DIR=/runs/a/trials/12",
                                        "ASHA_CHECKPOINT_DIR=/runs/a/trials/12/checkpoints"}));
}
