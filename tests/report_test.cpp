// The HTML report and the run reader, checked by parsing what they produce.

#include "asha/tuner.hpp"
#include "backends/sim_backend.hpp"
#include "report/html_report.hpp"
#include "run/run_dir.hpp"

#include "test_util.hpp"

#include <fmt/format.h>
#include <fstream>
#include <map>

#include <regex>

using namespace asha;
namespace fs = std::filesystem;

namespace {

fs::path simulate_into(const std::string& name, const char* patch) {
    json doc = json::parse(R"({
      "name": "report",
      "config_space": {"learning_rate": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
                       "batch_size": {"type": "randint", "lower": 32, "upper": 256},
                       "optimizer": {"type": "choice", "categories": ["sgd", "adam"]}, "max_epochs": 9},
      "metric": "validation_error", "max_resource_attr": "max_epochs",
      "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
      "stop": {"max_wallclock_time": 300}, "workers": 4
    })");
    merge_json(doc, json::parse(patch));
    ExperimentConfig c = parse_experiment(doc, "report.json");
    fs::path dir =
        fs::path(::testing::TempDir()) / ("asha-report-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    auto benchmark = make_benchmark("lenet");
    Rng rng(c.seed);
    auto scheduler = make_scheduler(c, rng);
    std::vector<std::string> extras;  // a second objective: the simulator reports it too
    for (std::size_t k = 1; k < c.objectives.size(); ++k) extras.push_back(c.objectives[k].name);
    for (const Constraint& bound : c.constraints) extras.push_back(bound.name);
    SimBackend backend(*benchmark, c.metric, c.resource_attr, c.seed, 1, extras);
    RunDir writer(dir, c, RunDirOptions{false, false, "test", {}, 0});
    Tuner(c, *scheduler, backend, &writer).run();
    return dir;
}

/// The text of the first <svg class="css_class"> element.
std::string svg(const std::string& html, const std::string& css_class) {
    auto start = html.find("<svg class=\"" + css_class + "\"");
    if (start == std::string::npos) return "";
    return html.substr(start, html.find("</svg>", start) - start);
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST(Report, OneCurvePerTrialAndOneBarPerLegWithoutOverlap) {
    fs::path dir = simulate_into("basic", R"({"scheduler": {"variant": "promotion"}})");
    RunData run = read_run(dir);
    ASSERT_TRUE(run.finished);
    std::string html = render_report({run});
    std::size_t with_reports = 0;
    for (const auto& t : run.trials) with_reports += t.reports > 0;
    ASSERT_LE(with_reports, kMaxCurves);
    EXPECT_EQ(count(svg(html, "curves-time"), "<polyline class=\"curve"), with_reports);
    EXPECT_EQ(count(svg(html, "curves-resource"), "<polyline class=\"curve"), with_reports);
    EXPECT_EQ(count(svg(html, "curves-time"), "class=\"curve best"), 1u);
    EXPECT_GT(count(svg(html, "curves-time"), "promoted"), 0u);
    EXPECT_EQ(count(svg(html, "best-so-far"), "<polyline class=\"best-curve\""), 1u);

    std::string timeline = svg(html, "timeline");
    std::size_t legs = run.legs.size();
    EXPECT_GT(legs, run.trials.size());  // promotions add legs
    EXPECT_EQ(count(timeline, "<rect class=\"leg\""), legs);
    EXPECT_EQ(count(timeline, "<text class=\"worker\""), 4u);
    EXPECT_GT(count(timeline, "<line class=\"rung\""), 0u);
    std::regex bar(R"re(data-worker="(\d+)" data-start="([^"]+)" data-end="([^"]+)")re");
    std::map<int, std::vector<std::pair<double, double>>> by_worker;
    for (std::sregex_iterator it(timeline.begin(), timeline.end(), bar), end; it != end; ++it)
        by_worker[std::stoi((*it)[1])].emplace_back(std::stod((*it)[2]), std::stod((*it)[3]));
    EXPECT_EQ(by_worker.size(), 4u);
    for (auto& [worker, bars] : by_worker) {
        std::sort(bars.begin(), bars.end());
        for (std::size_t i = 1; i < bars.size(); ++i)
            EXPECT_LE(bars[i - 1].second, bars[i].first + 1e-9)
                << "worker " << worker << " bar " << i;
    }
    // One scatter per tuned hyperparameter; the log domain says so.
    EXPECT_EQ(count(html, "<svg class=\"scatter\""), 3u);
    EXPECT_NE(html.find("against learning_rate (log axis)"), std::string::npos);
    EXPECT_NE(html.find("<table class=\"rungs\">"), std::string::npos);
    EXPECT_NE(html.find("<table class=\"top\">"), std::string::npos);
    // The top trials' real-valued hyperparameters are shown to 6 significant digits, with the
    // exact value on hover (learning_rate: every trial has one).
    const std::string top = html.substr(html.find("<table class=\"top\">"));
    std::regex cell(R"re(<td title="([^"]+)">([^<]+)</td>)re");
    std::size_t cells = 0;
    for (std::sregex_iterator
             it(top.begin(), top.begin() + static_cast<long>(top.find("</table>")), cell),
         end;
         it != end; ++it, ++cells)
        EXPECT_EQ((*it)[2].str(), fmt::format("{:.6g}", std::stod((*it)[1].str())));
    EXPECT_GT(cells, 0u);
    EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, nothing to run
    EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
}

TEST(Report, LargeRunsAreDecimatedAndSayHow) {
    fs::path dir =
        simulate_into("large", R"({"workers": 64, "stop": {"max_wallclock_time": 1500}})");
    RunData run = read_run(dir);
    std::size_t with_reports = 0;
    for (const auto& t : run.trials) with_reports += t.reports > 0;
    ASSERT_GT(with_reports, kMaxCurves + 100);
    std::string html = render_report({run});
    EXPECT_EQ(count(svg(html, "curves-time"), "<polyline class=\"curve"), kMaxCurves);
    EXPECT_EQ(count(svg(html, "curves-time"), "<circle class=\"final\""),
              std::min(with_reports - kMaxCurves, kMaxDots));
    EXPECT_LE(count(html, "<circle class=\"point\""), 3 * kMaxDots);  // three scatter plots
    EXPECT_NE(html.find("Decimated: full curves for the 300 best trials"), std::string::npos);
}

TEST(Report, SeveralRunsAreCompared) {
    fs::path a = simulate_into("asha", "{}");
    fs::path b = simulate_into("sync", R"({"scheduler": {"type": "sync_sh"}})");
    std::string html = render_report({read_run(a), read_run(b)});
    EXPECT_EQ(count(svg(html, "best-so-far"), "<polyline class=\"best-curve\""), 2u);
    EXPECT_NE(html.find("<table class=\"utilisation\">"), std::string::npos);
    EXPECT_EQ(count(html, "<section class=\"run\">"), 2u);
}

TEST(RunReader, ParsesQuotedCsvAndDropsAPartialLastLine) {
    CsvTable t = parse_csv("a,b\n1,\"x, \"\"y\"\"\"\n2,z\n3,partial");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0][1], "x, \"y\"");
    EXPECT_EQ(t.column("b"), 1);
    EXPECT_EQ(t.column("c"), -1);
}

TEST(RunReader, NotARunDirectory) {
    EXPECT_THROW_MSG(read_run("/nonexistent/run"), Error,
                     "/nonexistent/run: not a run directory (no readable metadata.json)");
}

// The facts line counts trials by status (it once indexed an array by the status enum, which
// broke when Pending was added).
TEST(Report, FactsCountTrialsByStatus) {
    fs::path dir = simulate_into("facts", "{}");
    RunData run = read_run(dir);
    std::map<TrialStatus, std::size_t> n;
    for (const auto& t : run.trials) ++n[t.status];
    run.trials.push_back(run.trials.back());
    run.trials.back().status = TrialStatus::pending;
    std::string expected = std::to_string(run.trials.size()) + " trials: 1 running, " +
                           std::to_string(n[TrialStatus::completed]) + " completed, " +
                           std::to_string(n[TrialStatus::stopped]) + " stopped, " +
                           std::to_string(n[TrialStatus::paused]) + " paused, 0 failed";
    EXPECT_GT(n[TrialStatus::stopped], 0u);
    EXPECT_NE(render_report({run}).find(expected), std::string::npos) << expected;
}

TEST(Report, ALiveReportReloadsItselfAndAStaticOneDoesNot) {
    RunData run = read_run(simulate_into("refresh", "{}"));
    std::string live = render_report({run}, ReportOptions{30});
    EXPECT_NE(live.find("<meta http-equiv=\"refresh\" content=\"30\">"), std::string::npos);
    EXPECT_LT(live.find("http-equiv"), live.find("</head>"));
    EXPECT_NE(live.find("reloads itself every 30 s"), std::string::npos);
    std::string still = render_report({run});
    EXPECT_EQ(still.find("http-equiv"), std::string::npos);
    EXPECT_EQ(still.find("reloads itself"), std::string::npos);
}

// Non-finite values rank worst in the report: never the best, never a step of the best-so-far
// curve, and shown as "none finite" in the top-trials table.
TEST(Report, NonFiniteValuesAreNeverTheBest) {
    fs::path dir = simulate_into("nonfinite", R"({"stop": {"max_wallclock_time": 100}})");
    RunData run = read_run(dir);
    ASSERT_GE(run.results.size(), 3u);
    // Every trial but the last diverges, in mode min: -inf.
    const TrialId finite = run.results.back().trial;
    for (auto& r : run.results)
        if (r.trial != finite) r.metric = -INFINITY;
    const std::string html = render_report({run});
    EXPECT_NE(html.find("(trial " + std::to_string(finite) + ")."), std::string::npos);
    EXPECT_NE(html.find("none finite"), std::string::npos);
    const std::string curve = svg(html, "best-so-far");
    EXPECT_EQ(curve.find("inf"), std::string::npos);
    EXPECT_EQ(curve.find("nan"), std::string::npos);
}

// Several objectives: the front of pareto.json drawn point by point over every full-fidelity
// result, the hypervolume against time, and the front's table.
TEST(Report, SeveralObjectivesShowTheParetoFront) {
    // A hostile first metric name: a comma, a quote and markup, in every file and the page.
    const fs::path dir =
        simulate_into("mo", R"({"metric": ["err,\"<b>&x", "epoch_seconds"], "workers": 8,
                  "stop": {"max_wallclock_time": 600}})");
    const json pareto = json::parse(std::ifstream(dir / "pareto.json"));
    const json& front = pareto["front"];
    ASSERT_GE(front.size(), 2u) << pareto.dump();
    EXPECT_TRUE(front[0]["values"].contains("err,\"<b>&x")) << pareto.dump();
    EXPECT_FALSE(fs::exists(dir / "best.json")) << "several objectives have no one best";
    const RunData run = read_run(dir);
    const RunSummary read_back = summarize(run);  // the reader finds the same front
    ASSERT_EQ(read_back.front.size(), front.size());
    for (std::size_t i = 0; i < front.size(); ++i)
        EXPECT_EQ(read_back.front[i].trial, front[i]["trial_id"].get<TrialId>());
    const std::string html = render_report({run}, ReportOptions{});
    EXPECT_EQ(html.find("<b>&x"), std::string::npos) << "the name must be escaped";
    const std::string scatter = svg(html, "pareto");
    ASSERT_FALSE(scatter.empty());
    EXPECT_EQ(count(scatter, "class=\"front-point\""), front.size());
    for (const json& p : front)
        EXPECT_NE(scatter.find(fmt::format("<title>trial {}: ", p["trial_id"].get<int>())),
                  std::string::npos)
            << p.dump();
    EXPECT_FALSE(svg(html, "hypervolume").empty());
    EXPECT_NE(html.find(fmt::format("{} of the ", front.size())), std::string::npos);
    EXPECT_EQ(count(html, "<table class=\"front-table\">"), 1u);
}

// A constraint in a single-objective run: the best is the best feasible result, and an
// infeasible report ranks after every feasible one at its rung.
TEST(Report, AConstraintKeepsTheInfeasibleOutOfTheBest) {
    const fs::path dir = simulate_into(
        "constrained", R"({"constraints": {"epoch_seconds": {"max": 3.5}}, "workers": 8,
                           "stop": {"max_wallclock_time": 600}})");
    const RunData run = read_run(dir);
    const RunSummary s = summarize(run);
    ASSERT_TRUE(s.best_trial);
    double unconstrained_best = INFINITY;
    std::size_t infeasible = 0;
    for (const ResultRow& r : run.results) {
        unconstrained_best = std::min(unconstrained_best, r.metric);
        if (r.seen.violation > 0) ++infeasible;
        if (r.trial == *s.best_trial && r.metric == s.best_metric) {
            EXPECT_EQ(r.seen.violation, 0) << "the best must be feasible";
        }
    }
    EXPECT_GT(infeasible, 0u) << "the bound must bite for the test to mean something";
    const json best = json::parse(std::ifstream(dir / "best.json"));
    EXPECT_EQ(best["trial_id"].get<TrialId>(), *s.best_trial);
    EXPECT_GE(s.best_metric, unconstrained_best);
}
