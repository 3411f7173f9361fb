#include "asha/experiment.hpp"
#include "policy/config_names.hpp"

#include "test_util.hpp"

#include <filesystem>
#include <fstream>

using namespace asha;
using asha::test::lenet_document;

namespace {

/// The error message for the LeNet document with `patch` merged in ("" if it is valid).
std::string error_for(const char* patch_text, const char* remove = nullptr) {
    json doc = lenet_document();
    merge_json(doc, json::parse(patch_text));
    if (remove) doc.erase(remove);
    try {
        parse_experiment(doc, "lenet.json");
        return "";
    } catch (const ConfigError& e) {
        return e.what();
    }
}

}  // namespace

TEST(Experiment, ParsesTheBooksConfig) {
    ExperimentConfig c = test::lenet_config();
    EXPECT_EQ(c.name, "lenet-asha");
    EXPECT_EQ(c.max_t, 10);
    EXPECT_EQ(c.scheduler.grace_period, 2);
    EXPECT_EQ(c.scheduler.reduction_factor, 2);
    EXPECT_EQ(c.workers, 2);
    ASSERT_EQ(c.points_to_evaluate.size(), 1u);
    EXPECT_EQ(c.points_to_evaluate[0].dump(),
              R"({"learning_rate":0.1,"batch_size":128,"max_epochs":10})");
    EXPECT_EQ(*c.stop.max_wallclock_time, 300);
}

TEST(Experiment, MaxTFromSchedulerBlockWhenNotInConfigSpace) {
    json doc = lenet_document();
    doc["config_space"].erase("max_epochs");
    doc["scheduler"]["max_t"] = 27;
    EXPECT_EQ(parse_experiment(doc, "x.json").max_t, 27);
}

// Every validation error names the file, the JSON path, what was expected and what was found.
TEST(Experiment, ValidationErrorsAreExact) {
    struct Case {
        const char* patch;
        const char* message;
    };
    const Case cases[] = {
        {R"({"learning_rat": 1})", "lenet.json: $.learning_rat: unknown key"},
        {R"({"report_update_interval": -1})",
         "lenet.json: $.report_update_interval: expected a number of seconds >= 0 (0: write "
         "report.html only at the end), found -1"},
        {R"({"metrc": "x"})", "lenet.json: $.metrc: unknown key (did you mean \"metric\"?)"},
        {R"({"config_space": {"learning_rate": {"lower": 2}}})",
         "lenet.json: $.config_space.learning_rate.lower: expected a value < upper (1.0), found 2"},
        {R"({"config_space": {"learning_rate": {"lower": 0}}})",
         "lenet.json: $.config_space.learning_rate.lower: expected a number > 0 for a log domain, "
         "found 0"},
        {R"({"config_space": {"learning_rate": {"lower": "abc"}}})",
         "lenet.json: $.config_space.learning_rate.lower: expected a number, found \"abc\""},
        {R"({"config_space": {"learning_rate": {"type": "logunifrom"}}})",
         "lenet.json: $.config_space.learning_rate.type: expected one of uniform, loguniform, "
         "randint, lograndint, "
         "choice, finrange, logfinrange, constant, found \"logunifrom\" (did you mean "
         "\"loguniform\"?)"},
        {R"({"config_space": {"opt": {"type": "choice", "categories": []}}})",
         "lenet.json: $.config_space.opt.categories: expected a non-empty array of values, found "
         "[]"},
        {R"({"config_space": {"batch_size": {"lower": 32.5}}})",
         "lenet.json: $.config_space.batch_size.lower: expected an integer, found 32.5"},
        {R"({"config_space": {"batch_size": {"uper": 3}}})",
         "lenet.json: $.config_space.batch_size.uper: unknown key (did you mean \"upper\"?)"},
        {R"({"scheduler": {"grace_period": 20}})",
         "lenet.json: $.scheduler.grace_period: expected a value <= max_t (10), found 20"},
        {R"({"scheduler": {"reduction_factor": 1.5}})",
         "lenet.json: $.scheduler.reduction_factor: expected a number >= 2, found 1.5"},
        {R"({"scheduler": {"type": "ashaa"}})",
         "lenet.json: $.scheduler.type: expected one of asha, fifo, sync_sh, pasha, hyperband, "
         "found "
         "\"ashaa\" (did you mean "
         "\"asha\"?)"},
        {R"({"scheduler": {"brackets": 9}})",
         "lenet.json: $.scheduler.brackets: expected at most 4 brackets (rung levels 3 + max_t), "
         "found 9"},
        {R"({"scheduler": {"max_t": 20}})",
         "lenet.json: $.scheduler.max_t: is 20 but config_space.max_epochs is 10; give max_t in "
         "one place"},
        {R"({"mode": "minimize"})",
         "lenet.json: $.mode: expected one of min, max, found \"minimize\""},
        {R"({"workers": 0})", "lenet.json: $.workers: expected an integer > 0, found 0"},
        {R"({"stop": {"max_wallclock_time": -1}})",
         "lenet.json: $.stop.max_wallclock_time: expected a number > 0, found -1"},
        {R"({"stop": {"max_trials": 3}})", "lenet.json: $.stop.max_trials: unknown key"},
        {R"({"points_to_evaluate": [{"learning_rate": 5}]})",
         "lenet.json: $.points_to_evaluate[0].learning_rate: expected a value in the loguniform "
         "domain of "
         "\"learning_rate\", found 5"},
        {R"({"points_to_evaluate": [{"lr": 0.5}]})",
         "lenet.json: $.points_to_evaluate[0].lr: unknown key"},
        {R"({"config_space": {"max_epochs": 2.5}})",
         "lenet.json: $.config_space.max_epochs: expected a positive integer constant "
         "(max_resource_attr \"max_epochs\" "
         "gives the largest resource level), found 2.5"},
        {R"({"gpus": [0, 0]})", "lenet.json: $.gpus[1]: GPU 0 is listed twice"},
        {R"({"gpus": "all"})",
         "lenet.json: $.gpus: expected \"auto\", \"none\" or an array of GPU indices, found "
         "\"all\""},
        {R"({"command": []})",
         "lenet.json: $.command: expected a non-empty array of strings, found []"},
        {R"({"command": "python3 train.py"})",
         "lenet.json: $.command: expected an array of strings, one per argument (no shell is "
         "involved), e.g. "
         "[\"python3\", \"train.py\"], found \"python3 train.py\""},
    };
    for (const auto& c : cases) EXPECT_EQ(error_for(c.patch), c.message) << c.patch;
}

TEST(Experiment, MissingRequiredKeys) {
    EXPECT_EQ(error_for("{}", "metric"),
              "lenet.json: $: missing \"metric\" (the reported key to optimise, e.g. "
              "\"validation_error\", or a list of keys)");
    EXPECT_EQ(error_for("{}", "config_space"),
              "lenet.json: $: missing \"config_space\" (the hyperparameters to tune)");
    json doc = lenet_document();
    doc["config_space"].erase("max_epochs");
    EXPECT_THROW_MSG(parse_experiment(doc, "lenet.json"), ConfigError,
                     "lenet.json: $: cannot tell max_t: set \"max_resource_attr\" to a constant of "
                     "config_space (e.g. "
                     "\"max_epochs\": 10) or give scheduler.max_t");
}

TEST(Experiment, LoadReportsUnreadableAndInvalidFiles) {
    EXPECT_THROW_MSG(load_experiment("/nonexistent/x.json"), ConfigError,
                     "/nonexistent/x.json: cannot read the config file: No such file or directory");
    std::string path = ::testing::TempDir() + "/broken.json";
    std::ofstream(path) << "{\"name\": \"x\",\n  \"metric\": }";
    try {
        load_experiment(path);
        FAIL() << "expected an error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(
                      path + ": not valid JSON: parse error at line 2, column 13", 0),
                  0u)
            << e.what();
    }
}

TEST(Experiment, OverridesMergeIntoTheDocument) {
    std::string path = ::testing::TempDir() + "/lenet.json";
    std::ofstream(path) << lenet_document().dump();
    ExperimentConfig c = load_experiment(
        path, json::parse(R"({"workers": 8, "stop": {"max_num_trials_started": 5}})"));
    EXPECT_EQ(c.workers, 8);
    EXPECT_EQ(*c.stop.max_num_trials_started, 5);
    EXPECT_EQ(*c.stop.max_wallclock_time, 300);  // kept from the file
}

TEST(Experiment, ConfigDirNamesTheConfigFilesDirectory) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(::testing::TempDir()) / "config-dir-test" / "configs";
    fs::create_directories(dir);
    json doc = lenet_document();
    doc["command"] = {"/usr/bin/python3", "${config_dir}/../examples/train.py", "--data",
                      "at:${config_dir}", "$HOME"};
    doc["working_dir"] = "${config_dir}";
    doc["env"] = {{"DATA", "${config_dir}/data"}, {"THREADS", 1}};
    std::ofstream(dir / "x.json") << doc.dump();
    // A relative path to the file, as a user types it: the directory still comes out absolute.
    fs::path cwd = fs::current_path();
    fs::current_path(dir.parent_path());
    ExperimentConfig c = load_experiment("configs/x.json");
    fs::current_path(cwd);
    std::string d = fs::canonical(dir).string();
    ASSERT_EQ(c.command.size(), 5u);
    EXPECT_EQ(c.command[1], fs::canonical(dir.parent_path()).string() + "/examples/train.py");
    EXPECT_EQ(c.command[3], "at:" + d);  // inside an argument: replaced, the rest kept
    EXPECT_EQ(c.command[4], "$HOME");    // no shell: anything else is left as written
    EXPECT_EQ(c.working_dir, d);
    ASSERT_EQ(c.env.size(), 2u);
    EXPECT_EQ(c.env[0].second, d + "/data");
    EXPECT_EQ(c.document["command"][1], c.command[1]);  // what the journal keeps for a resume
}

TEST(Experiment, EditDistanceHints) {
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(closest_match("grace_perod", {"grace_period", "brackets"}), "grace_period");
    EXPECT_EQ(closest_match("zzzzzz", {"grace_period", "brackets"}), "");
}

TEST(Experiment, SlurmBackend) {
    json doc = lenet_document();
    doc["backend"] = json::parse(R"({"type": "slurm", "partition": "gpu", "gpus_per_trial": 2,
        "cpus_per_trial": 4, "mem": "16G", "time_limit": "1:00:00", "extra_args": ["--account=ml"]})");
    ExperimentConfig c = parse_experiment(doc, "lenet.json");
    EXPECT_EQ(c.backend.type, BackendSpec::Type::slurm);
    EXPECT_EQ(c.backend.partition, "gpu");
    EXPECT_EQ(c.backend.gpus_per_trial, 2);
    EXPECT_EQ(c.backend.cpus_per_trial, 4);
    EXPECT_EQ(c.backend.mem, "16G");
    EXPECT_EQ(c.backend.time_limit, "1:00:00");
    EXPECT_EQ(c.backend.extra_args, std::vector<std::string>{"--account=ml"});
    doc = lenet_document();
    doc["backend"] = "slurm";
    EXPECT_EQ(parse_experiment(doc, "x").backend.type, BackendSpec::Type::slurm);
    EXPECT_EQ(error_for(R"({"backend": {"type": "slurm", "gpu": 1}})"),
              "lenet.json: $.backend.gpu: unknown key");
    EXPECT_EQ(error_for(R"({"backend": {"partition": "gpu"}})"),
              "lenet.json: $.backend: these keys are for \"type\": \"slurm\"; the local backend "
              "uses the top-level gpus and gpus_per_trial");
    EXPECT_EQ(error_for(R"({"backend": {"type": "slurm", "gpus_per_trial": -1}})"),
              "lenet.json: $.backend.gpus_per_trial: expected an integer >= 0, found -1");
}

// One table of names per config enum: the name a value is written with reads back as it, and
// an alias ("hyperband") is read but never written.
TEST(ConfigNames, EveryWrittenNameReadsBack) {
    auto round_trips = [](const auto& table) {
        for (const auto& [name, value] : table) {
            const std::string& written = name_of(table, value);
            bool found = false;
            for (const auto& [n, v] : table) found |= n == written && v == value;
            EXPECT_TRUE(found) << name;
        }
    };
    round_trips(kModeNames);
    round_trips(kSchedulerNames);
    round_trips(kVariantNames);
    round_trips(kSearcherNames);
    round_trips(kBackendNames);
    round_trips(kSlurmModeNames);
    round_trips(kReportFormatNames);
    round_trips(kJournalSyncNames);
    EXPECT_EQ(name_of(kSchedulerNames, SchedulerType::sync_sh), "sync_sh");
    EXPECT_EQ(all_names(kSchedulerNames),
              (std::vector<std::string>{"asha", "fifo", "sync_sh", "pasha", "hyperband"}));
    // metadata.json's resolved config, parsed again, is the same experiment.
    json doc = json::parse(R"({"name": "n", "config_space": {"x": {"type": "uniform", "lower": 0,
        "upper": 1}, "max_epochs": 9}, "metric": "acc", "mode": "max",
        "max_resource_attr": "max_epochs", "searcher": "tpe",
        "scheduler": {"type": "hyperband", "brackets": 2}})");
    const ExperimentConfig c = parse_experiment(doc, "n.json");
    json names = {{"mode", name_of(kModeNames, c.mode)},
                  {"scheduler", name_of(kSchedulerNames, c.scheduler.type)},
                  {"searcher", name_of(kSearcherNames, c.searcher.type)}};
    EXPECT_EQ(names, json::parse(R"({"mode": "max", "scheduler": "sync_sh", "searcher": "tpe"})"));
}

// Several objectives and constraints (README "Several objectives and constraints"): the lists,
// the bounds and what such a run may use, each error with its JSON path.
TEST(Experiment, ObjectivesAndConstraintsErrorsAreExact) {
    const std::vector<std::pair<const char*, const char*>> cases = {
        {R"({"metric": []})",
         "lenet.json: $.metric: expected a non-empty list of metric names, found []"},
        {R"({"metric": ["err", 3]})", "lenet.json: $.metric[1]: expected a string, found 3"},
        {R"({"metric": ["err", "size", "err"]})",
         "lenet.json: $.metric[2]: \"err\" is listed twice"},
        {R"({"metric": ["err", "size"], "mode": ["min"]})",
         "lenet.json: $.mode: has 1 modes for 2 metrics (give one mode for all, or one per "
         "metric)"},
        {R"({"metric": ["err", "size"], "mode": ["min", "smaller"]})",
         "lenet.json: $.mode[1]: expected one of min, max, found \"smaller\""},
        {R"({"metric": ["err", "epoch"]})",
         "lenet.json: $.resource_attr: expected a non-empty name different from every metric, "
         "found \"epoch\""},
        {R"({"constraints": {"epoch": {"max": 3}}})",
         "lenet.json: $.constraints.epoch: \"epoch\" is the resource attribute: it grows as a "
         "trial "
         "trains, it cannot be bounded (set max_t instead)"},
        {R"({"constraints": {"memory_mb": {"max": "8 GB"}}})",
         "lenet.json: $.constraints.memory_mb.max: expected a number, found \"8 GB\""},
        {R"({"constraints": {"memory_mb": {}}})",
         "lenet.json: $.constraints.memory_mb: expected {\"min\": N} or {\"max\": N} or both, "
         "found {}"},
        {R"({"constraints": {"memory_mb": {"maximum": 8000}}})",
         "lenet.json: $.constraints.memory_mb.maximum: unknown key"},
        {R"({"constraints": {"accuracy": {"min": 0.9, "max": 0.5}}})",
         "lenet.json: $.constraints.accuracy: min 0.9 is above max 0.5: no report could be "
         "feasible"},
        {R"({"constraints": [{"memory_mb": 1}]})",
         "lenet.json: $.constraints: expected an object, found [{\"memory_mb\":1}]"},
        {R"({"metric": ["err", "size"], "searcher": "bohb"})",
         "lenet.json: $.searcher: \"bohb\" models one metric; with several objectives use "
         "\"tpe\" (MO-TPE) or \"random\""},
        {R"({"metric": ["err", "size"], "scheduler": {"type": "sync_sh"}})",
         "lenet.json: $.metric: several objectives need scheduler type \"asha\" or \"fifo\" "
         "(sync_sh "
         "ranks one metric)"},
        {R"({"constraints": {"m": {"max": 1}}, "scheduler": {"type": "sync_sh"}})",
         "lenet.json: $.constraints: constraints need scheduler type \"asha\" or \"fifo\" (sync_sh "
         "ranks one metric)"},
        {R"({"metric": ["err", "size"], "stop": {"min_metric_value": 0.1}})",
         "lenet.json: $.stop.min_metric_value: a metric target needs a single objective (this run "
         "has 2)"},
        {R"({"metric": ["err", "size"], "scheduler": {"multiobjective_priority": "pareto"}})",
         "lenet.json: $.scheduler.multiobjective_priority: expected one of non_dominated, "
         "linear_scalarization, found \"pareto\""},
        {R"({"metric": ["err", "size"], "scheduler": {"multiobjective_priority": "linear_scalarization", "weights": [1]}})",
         "lenet.json: $.scheduler.weights: has 1 weights for 2 metrics (one weight per metric)"},
        {R"({"metric": ["err", "size"], "scheduler": {"multiobjective_priority": "linear_scalarization", "weights": [1, -2]}})",
         "lenet.json: $.scheduler.weights[1]: expected a number >= 0, found -2"},
        {R"({"metric": ["err", "size"], "scheduler": {"weights": [1, 2]}})",
         "lenet.json: $.scheduler.weights: weights are for \"multiobjective_priority\": "
         "\"linear_scalarization\""},
    };
    for (const auto& [patch, message] : cases) EXPECT_EQ(error_for(patch), message) << patch;
}

TEST(Experiment, ReadsObjectivesAndConstraints) {
    json doc = lenet_document();
    merge_json(doc, json::parse(R"({"metric": ["err", "size"], "mode": ["min", "max"],
        "constraints": {"memory_mb": {"max": 8000}, "accuracy": {"min": 0.5, "max": 1}},
        "scheduler": {"multiobjective_priority": "linear_scalarization", "weights": [1, 0.5]}})"));
    const ExperimentConfig c = parse_experiment(doc, "x.json");
    ASSERT_EQ(c.objectives.size(), 2u);
    EXPECT_EQ(c.metric, "err");
    EXPECT_EQ(c.mode, Mode::min);
    EXPECT_EQ(c.objectives[1].name, "size");
    EXPECT_EQ(c.objectives[1].mode, Mode::max);
    EXPECT_TRUE(multi_objective(c));
    ASSERT_EQ(c.constraints.size(), 2u);
    EXPECT_EQ(c.constraints[0].name, "memory_mb");
    EXPECT_FALSE(c.constraints[0].min);
    EXPECT_EQ(*c.constraints[0].max, 8000);
    EXPECT_EQ(*c.constraints[1].min, 0.5);
    EXPECT_EQ(c.scheduler.priority, MoPriority::linear_scalarization);
    EXPECT_EQ(c.scheduler.weights, (std::vector<double>{1, 0.5}));
    // One mode for all; a single metric stays a single objective.
    merge_json(
        doc, json::parse(
                 R"({"mode": "max", "scheduler": {"multiobjective_priority": "non_dominated"}})"));
    doc["scheduler"].erase("weights");
    const ExperimentConfig all_max = parse_experiment(doc, "x.json");
    EXPECT_EQ(all_max.objectives[1].mode, Mode::max);
    EXPECT_EQ(all_max.objectives[0].mode, Mode::max);
    EXPECT_FALSE(multi_objective(test::lenet_config()));
    EXPECT_EQ(test::lenet_config().objectives.size(), 1u);
}
