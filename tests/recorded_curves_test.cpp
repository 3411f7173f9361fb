// Simulating on recorded curves (issue 23): tables and run directories are read and checked
// (every bad input a clear error naming file, line and column), the recorded configurations are
// the search space (random draws, a model's proposals mapped to the nearest, never a running
// one), and a simulation replays every recorded value and time exactly.

#include "policy/recorded_curves.hpp"
#include "asha/scheduler.hpp"
#include "policy/recorded_space.hpp"
#include "run/curve_source.hpp"
#include "run/run_reader.hpp"

#include "cli_util.hpp"
#include "test_util.hpp"

#include <map>
#include <set>

using namespace asha;
using namespace asha::test;

namespace {

const char* kSpace = R"({"lr": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
                         "bs": {"type": "randint", "lower": 16, "upper": 128},
                         "act": {"type": "choice", "categories": ["relu", "tanh"]},
                         "max_epochs": 4})";

ConfigSpace space() {
    return ConfigSpace::parse(json::parse(kSpace), JsonPath("space.json"));
}

/// Feeds CSV text to a builder as curve_source does (header first, lines numbered from 1).
RecordedCurves build(const std::string& text, const std::vector<std::string>& required = {"err"},
                     bool by_trial = false) {
    static const ConfigSpace s = space();
    CurveTableBuilder builder(s, "epoch", required, by_trial);
    std::size_t line = 0;
    scan_csv(text, [&](std::vector<std::string>& cells) {
        if (++line == 1)
            builder.begin("t.csv", cells);
        else
            builder.add(cells, line);
    });
    return builder.finish();
}

const std::string kHeader = "config_lr,config_bs,config_act,epoch,err,loss,st_step_time\n";

TEST(RecordedCurves, ATableBecomesOneCurvePerConfigurationWithTypedValuesAndElapsedTime) {
    const RecordedCurves c = build(kHeader +
                                   "0.1,32,relu,1,0.5,2.0,3\n"
                                   "0.5,64,tanh,1,0.7,2.5,1.5\n"
                                   "0.1,32,relu,2,0.4,1.5,2\n"
                                   "0.5,64,tanh,2,nan,inf,1.5\n");
    ASSERT_EQ(c.curves.size(), 2u);
    EXPECT_EQ(c.value_names, (std::vector<std::string>{"err", "loss"}));
    const RecordedCurve& first = c.curves[0];
    EXPECT_EQ(first.config,
              json::parse(R"({"lr": 0.1, "bs": 32, "act": "relu", "max_epochs": 4})"));
    EXPECT_TRUE(first.config["bs"].is_number_integer());
    EXPECT_EQ(first.levels, (std::vector<double>{1, 2}));
    EXPECT_EQ(first.elapsed, (std::vector<double>{3, 5}));
    EXPECT_EQ(first.values, (std::vector<double>{0.5, 2.0, 0.4, 1.5}));
    EXPECT_TRUE(std::isnan(c.curves[1].values[2]));
    EXPECT_TRUE(std::isinf(c.curves[1].values[3]));
    EXPECT_EQ(c.find(first.config), std::optional<std::size_t>(0));
    EXPECT_EQ(c.find(json::parse(R"({"lr": 0.2, "bs": 32, "act": "relu", "max_epochs": 4})")),
              std::nullopt);
}

TEST(RecordedCurves, CumulativeTimeAndStatusAreRead) {
    const RecordedCurves c = build(
        "config_lr,config_bs,config_act,config_max_epochs,epoch,err,st_worker_time,status\n"
        "0.1,32,relu,4,1,0.5,3,Completed\n"
        "0.1,32,relu,4,2,0.4,5.5,Completed\n"
        "0.2,32,relu,4,1,0.9,1,Failed\n");
    ASSERT_EQ(c.curves.size(), 2u);
    EXPECT_EQ(c.curves[0].elapsed, (std::vector<double>{3, 5.5}));
    EXPECT_FALSE(c.curves[0].failed);
    EXPECT_TRUE(c.curves[1].failed);
}

struct BadTable {
    std::string name, text, message;
};

class RecordedCurvesBad : public ::testing::TestWithParam<BadTable> {};

TEST_P(RecordedCurvesBad, IsAClearErrorNamingFileLineAndColumn) {
    try {
        build(GetParam().text);
        ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), GetParam().message);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RecordedCurvesBad,
    ::testing::Values(
        BadTable{"MissingHyperparameter", "config_lr,config_act,epoch,err,st_step_time\n",
                 "t.csv:1: no column \"config_bs\" for the hyperparameter \"bs\" of the config's "
                 "config_space"},
        BadTable{"UnknownHyperparameter",
                 "config_lr,config_bs,config_act,config_wd,epoch,err,st_step_time\n",
                 "t.csv:1: column \"config_wd\": \"wd\" is not a hyperparameter of the config's "
                 "config_space"},
        BadTable{"MissingResource", "config_lr,config_bs,config_act,err,st_step_time\n",
                 "t.csv:1: no column \"epoch\" (the config's resource_attr)"},
        BadTable{"MissingMetric", "config_lr,config_bs,config_act,epoch,loss,st_step_time\n",
                 "t.csv:1: no column \"err\", which the config optimises or constrains"},
        BadTable{"MissingTime", "config_lr,config_bs,config_act,epoch,err\n",
                 "t.csv:1: no time column: add \"st_worker_time\" (seconds since the "
                 "configuration's training began) or \"st_step_time\" (seconds the step took)"},
        BadTable{"NonNumericValue", kHeader + "0.1,32,relu,1,0.5,2.0,3\n0.1,32,relu,2,low,2.0,3\n",
                 "t.csv:3: column \"err\": expected a number, found \"low\""},
        BadTable{"NonNumericTime", kHeader + "0.1,32,relu,1,0.5,2.0,3s\n",
                 "t.csv:2: column \"st_step_time\": expected a number, found \"3s\""},
        BadTable{"OutsideTheSpace", kHeader + "0.1,32,relu,1,0.5,2.0,3\n0.1,256,relu,1,0.5,2.0,3\n",
                 "t.csv:3: column \"config_bs\": 256 is outside the config's domain of \"bs\""},
        BadTable{"UnknownCategory", kHeader + "0.1,32,gelu,1,0.5,2.0,3\n",
                 "t.csv:2: column \"config_act\": gelu is outside the config's domain of \"act\""},
        BadTable{"WrongConstant",
                 "config_lr,config_bs,config_act,config_max_epochs,epoch,err,st_step_time\n"
                 "0.1,32,relu,9,1,0.5,3\n",
                 "t.csv:2: column \"config_max_epochs\": 9 is outside the config's domain of "
                 "\"max_epochs\""},
        BadTable{"DuplicateRow",
                 kHeader + "0.1,32,relu,1,0.5,2.0,3\n0.1,32,relu,2,0.5,2.0,3\n"
                           "0.1,32,relu,2,0.4,2.0,3\n",
                 "t.csv:4: column \"epoch\": a second row at level 2 for the same configuration"},
        BadTable{"NonMonotoneLevels",
                 kHeader + "0.1,32,relu,2,0.5,2.0,3\n0.1,32,relu,1,0.5,2.0,3\n",
                 "t.csv:3: column \"epoch\": the levels of a configuration must increase, but 1 "
                 "follows 2"},
        BadTable{"NonPositiveLevel", kHeader + "0.1,32,relu,0,0.5,2.0,3\n",
                 "t.csv:2: column \"epoch\": expected a positive level, found 0"},
        BadTable{"NegativeTime", kHeader + "0.1,32,relu,1,0.5,2.0,-1\n",
                 "t.csv:2: column \"st_step_time\": expected seconds ≥ 0, found -1"},
        BadTable{"TimeGoesBack",
                 "config_lr,config_bs,config_act,epoch,err,st_worker_time\n"
                 "0.1,32,relu,1,0.5,3\n0.1,32,relu,2,0.5,2\n",
                 "t.csv:3: column \"st_worker_time\": 2 is before the configuration's previous "
                 "row (3): the time since training began cannot go back"},
        BadTable{"ShortRow", kHeader + "0.1,32,relu,1,0.5\n", "t.csv:2: expected 7 cells, found 5"},
        BadTable{"SameConfigurationWrittenTwoWays",
                 kHeader + "0.1,32,relu,1,0.5,2.0,3\n0.10,32,relu,1,0.5,2.0,3\n",
                 "t.csv: the configuration {\"lr\":0.1,\"bs\":32,\"act\":\"relu\","
                 "\"max_epochs\":4} has two curves (its values are written two ways)"},
        BadTable{"NoRows", kHeader, "t.csv: no recorded curves (no data rows)"}),
    [](const ::testing::TestParamInfo<BadTable>& p) { return p.param.name; });

/// `n` curves whose learning rates run from 0.01 up, one level each.
RecordedCurves grid(int n) {
    std::string text = kHeader;
    for (int i = 0; i < n; ++i)
        text += std::to_string(0.01 + i * (0.98 / n)) + ",32,relu,1,0.5,1,1\n";
    return build(text);
}

TEST(RecordedSpace, RandomDrawsTryEveryConfigurationOncePerPass) {
    const RecordedCurves curves = grid(17);
    const ConfigSpace s = space();
    RecordedSpace recorded(curves, s);
    Rng rng(3);
    TrialId trial = 0;
    for (int pass = 0; pass < 3; ++pass) {
        std::set<std::size_t> drawn;
        for (int i = 0; i < 17; ++i) {
            const Config c = recorded.draw(trial, rng);
            recorded.on_leg_end(trial++);
            ASSERT_TRUE(curves.find(c));
            EXPECT_TRUE(drawn.insert(*curves.find(c)).second) << "pass " << pass << ": " << c;
        }
    }
}

TEST(RecordedSpace, NeverARunningConfigurationEvenInANewPass) {
    const RecordedCurves curves = grid(5);
    const ConfigSpace s = space();
    RecordedSpace recorded(curves, s);
    Rng rng(1);
    std::vector<std::size_t> running;
    for (TrialId t = 0; t < 5; ++t) running.push_back(*curves.find(recorded.draw(t, rng)));
    // Trials 1 and 3 end; the pass is over: the next two are exactly those two configurations.
    recorded.on_leg_end(1);
    recorded.on_leg_end(3);
    std::set<std::size_t> next = {
        *curves.find(recorded.draw(5, rng)),
        *curves.find(recorded.nearest(6, curves.curves[running[0]].config))};
    EXPECT_EQ(next, (std::set<std::size_t>{running[1], running[3]}));
}

TEST(RecordedSpace, AProposalBecomesTheNearestUntriedConfiguration) {
    const RecordedCurves curves = build(kHeader +
                                        "0.01,16,relu,1,0.5,1,1\n"
                                        "0.1,64,relu,1,0.5,1,1\n"
                                        "0.1,64,tanh,1,0.5,1,1\n"
                                        "1.0,128,tanh,1,0.5,1,1\n");
    const ConfigSpace s = space();
    RecordedSpace recorded(curves, s);
    const json proposal = json::parse(R"({"lr": 0.12, "bs": 60, "act": "tanh", "max_epochs": 4})");
    EXPECT_EQ(*curves.find(recorded.nearest(0, proposal)), 2u);
    // Taken (and running): the next nearest is the other "tanh" (a differing category costs 1,
    // more than the distance in lr and bs), then the nearest "relu".
    EXPECT_EQ(*curves.find(recorded.nearest(1, proposal)), 3u);
    recorded.on_leg_end(0);  // ended, but tried in this pass
    EXPECT_EQ(*curves.find(recorded.nearest(2, proposal)), 1u);
}

TEST(RecordedSpace, EverySearcherSuggestsOnlyRecordedConfigurationsAndRepeatsItself) {
    const RecordedCurves curves = grid(40);
    for (const char* searcher : {"random", "bohb", "tpe"}) {
        json doc = json::parse(R"({"config_space": {}, "metric": "err",
                                   "max_resource_attr": "max_epochs",
                                   "points_to_evaluate": [{"lr": 0.33}]})");
        doc["config_space"] = json::parse(kSpace);
        doc["searcher"] = searcher;
        const ExperimentConfig c = parse_experiment(doc, "c.json");
        std::vector<json> first;
        for (int round = 0; round < 2; ++round) {
            Rng rng(5);
            auto s = make_searcher(c, rng, &curves);
            std::set<std::size_t> seen;
            for (TrialId t = 0; t < 40; ++t) {
                const Config config = s->suggest(t);
                ASSERT_TRUE(curves.find(config)) << searcher << ": " << config;
                EXPECT_TRUE(seen.insert(*curves.find(config)).second) << searcher;
                s->on_report(t, 1, curves.curves[*curves.find(config)].config["lr"].get<double>());
                s->on_leg_end(t, LegEnd::reached_milestone);
                if (round == 0)
                    first.push_back(config);
                else
                    EXPECT_EQ(config, first[static_cast<std::size_t>(t)]) << searcher;
            }
        }
        // The point to evaluate became the recorded configuration nearest to it.
        EXPECT_NEAR(first[0]["lr"].get<double>(), 0.33, 0.98 / 40) << searcher;
    }
}

// --- Through the executable: replay, errors, run directories. ---

json curves_document(const fs::path& table) {
    json doc = json::parse(R"({
      "name": "replay",
      "config_space": {"lr": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
                       "bs": {"type": "randint", "lower": 16, "upper": 128},
                       "max_epochs": 4},
      "metric": "err", "mode": "min", "resource_attr": "epoch", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "fifo"}, "workers": 2, "seed": 0
    })");
    doc["simulator"]["curves"] = table.string();
    return doc;
}

TEST(RecordedCurvesReplay, EveryTrialReportsTheRecordedValuesAtTheRecordedTimes) {
    // Four curves: complete, complete, short (the recording ended at epoch 2), failed at 3.
    const fs::path table = temp_path("replay-table.csv");
    std::ofstream(table) << "config_lr,config_bs,epoch,err,loss,st_step_time,status\n"
                            "0.1,32,1,0.9,2.3,4.5,Completed\n0.1,32,2,0.5,1.2,2,Completed\n"
                            "0.1,32,3,0.4,1.1,2,Completed\n0.1,32,4,0.35,1.0,2.25,Completed\n"
                            "0.5,64,1,0.8,2.0,3,Completed\n0.5,64,2,0.6,1.5,1,Completed\n"
                            "0.5,64,3,0.5,1.4,1,Completed\n0.5,64,4,0.45,1.3,1,Completed\n"
                            "0.02,16,1,0.9,2.3,7,Completed\n0.02,16,2,0.9,2.3,7,Completed\n"
                            "0.9,128,1,0.7,1.9,2,Failed\n0.9,128,2,0.6,1.8,2,Failed\n"
                            "0.9,128,3,nan,nan,2,Failed\n";
    const fs::path dir = temp_path("replay-run");
    const Outcome o =
        asha_tune({"simulate", "--config", write_config("replay", curves_document(table)),
                   "--run-dir", dir.string(), "--quiet", "--max-trials", "4"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const RunData run = read_run(dir);
    ExperimentConfig c = parse_experiment(curves_document(table), "c.json");
    const auto recorded = load_recorded_curves(c);
    // Each trial: its config is recorded, and its rows are the recording's rows.
    const CsvTable results = parse_csv(read_file(dir / "results.csv"));
    std::map<TrialId, std::vector<std::vector<std::string>>> rows;
    for (const auto& row : results.rows) rows[std::stoi(row[0])].push_back(row);
    ASSERT_EQ(rows.size(), 4u);
    std::set<std::size_t> replayed;
    for (const TrialRecord& t : run.trials) {
        const auto curve = recorded->find(t.config);
        ASSERT_TRUE(curve) << t.config;
        replayed.insert(*curve);
        const RecordedCurve& r = recorded->curves[*curve];
        const auto& mine = rows[t.id];
        ASSERT_EQ(mine.size(), r.levels.size()) << t.config;
        for (std::size_t k = 0; k < mine.size(); ++k) {
            EXPECT_EQ(std::stod(mine[k][results.column("epoch")]), r.levels[k]);
            EXPECT_EQ(std::stod(mine[k][results.column("st_worker_time")]), r.elapsed[k]);
            for (std::size_t v = 0; v < recorded->value_names.size(); ++v) {
                const double want = r.values[k * recorded->value_names.size() + v];
                const std::string& cell = mine[k][results.column(recorded->value_names[v])];
                if (std::isnan(want))
                    EXPECT_EQ(cell, "nan");
                else
                    EXPECT_EQ(std::stod(cell), want) << recorded->value_names[v];
            }
        }
        const std::string status = to_string(t.status);
        if (r.failed)
            EXPECT_EQ(status, "Failed") << t.config;
        else
            EXPECT_EQ(status, "Completed") << t.config;
    }
    EXPECT_EQ(replayed.size(), 4u);
}

TEST(RecordedCurvesReplay, BadInputExitsTwoNamingTheFileAndLine) {
    const fs::path table = temp_path("bad-table.csv");
    std::ofstream(table) << "config_lr,config_bs,epoch,err,st_step_time\n0.1,32,1,0.9,4\n"
                            "0.1,1000,1,0.9,4\n";
    const fs::path dir = temp_path("bad-run");
    const Outcome o =
        asha_tune({"simulate", "--config", write_config("bad", curves_document(table)), "--run-dir",
                   dir.string(), "--quiet"});
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(table.string() + ":3: column \"config_bs\": 1000 is outside"),
              std::string::npos)
        << o.err;
    EXPECT_FALSE(fs::exists(dir)) << "no run directory for a run that cannot start";
}

TEST(RecordedCurvesReplay, AFinishedRunIsASourceAndAnUnfinishedOneIsRefused) {
    // A FIFO run on the synthetic LeNet, then replayed with ASHA from its directory.
    const fs::path recording = temp_path("recording");
    Outcome o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--scheduler", "fifo",
                           "--max-trials", "30", "--workers", "4", "--run-dir", recording.string(),
                           "--quiet"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const fs::path replay = temp_path("replay-asha");
    o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--curves", recording.string(),
                   "--max-trials", "60", "--workers", "4", "--run-dir", replay.string(),
                   "--quiet"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    // Every report of the replay is the recording's report of the same configuration.
    std::map<std::pair<std::string, double>, double> recorded;
    const RunData a = read_run(recording), b = read_run(replay);
    std::map<TrialId, std::string> config_a, config_b;
    for (const auto& t : a.trials) config_a[t.id] = t.config.dump();
    for (const auto& t : b.trials) config_b[t.id] = t.config.dump();
    for (const ResultRow& r : a.results) recorded[{config_a[r.trial], r.resource}] = r.metric;
    ASSERT_EQ(recorded.size(), 30u * 27u);
    std::set<std::string> configs;
    for (const ResultRow& r : b.results) {
        auto it = recorded.find({config_b[r.trial], r.resource});
        ASSERT_NE(it, recorded.end()) << config_b[r.trial];
        EXPECT_EQ(r.metric, it->second);
        configs.insert(config_b[r.trial]);
    }
    EXPECT_EQ(configs.size(), 30u) << "60 trials over 30 recorded configurations: two passes";
    // `asha-tune curves` writes the same curves as a table: replayed, the same run.
    const fs::path table = temp_path("exported.csv.gz");
    o = asha_tune({"curves", recording.string(), "-o", table.string()});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const fs::path from_table = temp_path("replay-table");
    o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--curves", table.string(),
                   "--max-trials", "60", "--workers", "4", "--run-dir", from_table.string(),
                   "--quiet"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(read_file(from_table / "results.csv"), read_file(replay / "results.csv"));
    // A run that has not ended (its summary.json gone) is refused.
    fs::remove(recording / "summary.json");
    o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--curves", recording.string(),
                   "--run-dir", temp_path("replay-refused").string(), "--quiet"});
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find(recording.string() + ": not a finished run (no summary.json)"),
              std::string::npos)
        << o.err;
}

TEST(RecordedCurvesReplay, TheSameSeedGivesTheSameRun) {
    const fs::path recording = temp_path("recording-det");
    Outcome o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--scheduler", "fifo",
                           "--max-trials", "25", "--workers", "8", "--run-dir", recording.string(),
                           "--quiet"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    std::string first;
    for (int round = 0; round < 2; ++round) {
        const fs::path dir = temp_path("det-" + std::to_string(round));
        o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--curves",
                       recording.string(), "--searcher", "tpe", "--variant", "promotion",
                       "--max-trials", "80", "--run-dir", dir.string(), "--quiet"});
        ASSERT_EQ(o.exit_code, 0) << o.err;
        if (round == 0)
            first = read_file(dir / "results.csv");
        else
            EXPECT_EQ(read_file(dir / "results.csv"), first);
    }
    EXPECT_GT(first.size(), 1000u);
}

}  // namespace
