// What a run's backend needs is checked before anything is created (backends/backend_factory):
// each problem a user can have gets its error and exit code, and nothing is started.

#include "backends/backend_factory.hpp"

#include "asha/errors.hpp"

#include "test_util.hpp"

using namespace asha;

namespace {

ExperimentConfig config_with(const json& patch) {
    json doc = json::parse(R"({"name": "f", "config_space": {"learning_rate": {"type":
        "loguniform", "lower": 0.01, "upper": 1}, "max_epochs": 9}, "metric": "loss",
        "max_resource_attr": "max_epochs", "command": ["/bin/true"], "gpus": "none"})");
    if (!patch.is_null()) merge_json(doc, patch);
    return parse_experiment(doc, "f.json");
}

/// The exit code and message of the error that building the factory throws ("" if none).
std::pair<int, std::string> refusal(const ExperimentConfig& c, bool simulate) {
    try {
        BackendFactory factory(c, simulate);
    } catch (const Error& e) {
        return {static_cast<int>(e.code()), e.what()};
    }
    return {0, ""};
}

}  // namespace

TEST(BackendFactory, EachProblemIsRefusedBeforeAnythingStarts) {
    EXPECT_EQ(refusal(config_with(json::object()), false), std::make_pair(0, std::string()));
    EXPECT_EQ(refusal(config_with({{"command", json::array({"no-such-trainer"})}}), false),
              std::make_pair(3, std::string("command not found or not executable: "
                                            "no-such-trainer (searched PATH)")));
    EXPECT_EQ(refusal(config_with({{"working_dir", "/nonexistent/dir"}}), false),
              std::make_pair(3, std::string("working_dir /nonexistent/dir is not a directory")));
    json no_command = config_with(json::object()).document;
    no_command.erase("command");
    EXPECT_EQ(refusal(parse_experiment(no_command, "f.json"), false).first, 2);
    // Two GPUs per trial of the one listed: a config error, named.
    const auto [code, message] =
        refusal(config_with({{"gpus", json::array({0})}, {"gpus_per_trial", 2}}), false);
    EXPECT_EQ(code, 2) << message;
    EXPECT_NE(message.find("gpus_per_trial"), std::string::npos) << message;
}

TEST(BackendFactory, ASimulationReadsTheBenchmarksHyperparameters) {
    // The lenet benchmark reads learning_rate (and others): a space with none of them is refused.
    json other_space = config_with(json::object()).document;
    other_space["config_space"] =
        json::parse(R"({"width": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 9})");
    other_space["simulator"] = {{"benchmark", "lenet"}};
    const auto [code, message] = refusal(parse_experiment(other_space, "f.json"), true);
    EXPECT_EQ(code, 2) << message;
    EXPECT_NE(message.find("has none of them"), std::string::npos) << message;
    const ExperimentConfig lenet = config_with({{"simulator", {{"benchmark", "lenet"}}}});
    BackendFactory simulated(lenet, true);  // keeps a reference: the config outlives it
    EXPECT_EQ(simulated.journal_name(), "simulate");
    EXPECT_NE(simulated.create("/nonexistent/run", "", -1), nullptr);  // nothing on disk needed
    EXPECT_EQ(BackendFactory(config_with(json::object()), false).journal_name(), "local");
}
