#include "asha/cli.hpp"

#include "asha/benchmarks.hpp"
#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "asha/local_backend.hpp"
#include "asha/progress.hpp"
#include "asha/report.hpp"
#include "asha/run_dir.hpp"
#include "asha/run_reader.hpp"
#include "asha/sim_backend.hpp"
#include "asha/status.hpp"
#include "asha/tuner.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

namespace asha {

namespace {

struct Flags {
    std::string config;
    std::optional<int> workers;
    std::string run_dir;
    std::optional<std::int64_t> seed;
    std::string gpus;
    std::optional<int> gpus_per_trial;
    std::optional<double> max_wallclock_time;
    std::optional<std::int64_t> max_trials;
    std::string scheduler;
    std::string variant;
    std::string benchmark;
    bool quiet = false;
    bool json_output = false;
    bool verbose = false;
};

void add_flags(CLI::App& app, Flags& f, bool simulate) {
    app.add_option("-c,--config", f.config, "Experiment config file (JSON)")
        ->required()
        ->check(CLI::ExistingFile);
    app.add_option("-w,--workers", f.workers, "Trials run at once [config: workers, default 1]")
        ->check(CLI::PositiveNumber);
    app.add_option("--run-dir", f.run_dir, "Run directory [default: runs/<name>-<UTC time>]");
    app.add_option("--seed", f.seed, "Seed of all randomness [config: seed, default 0]")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--max-wallclock-time", f.max_wallclock_time,
                   "Stop after this many seconds [config: stop]")
        ->check(CLI::PositiveNumber);
    app.add_option("--max-trials", f.max_trials,
                   "Start at most this many trials [config: stop.max_num_trials_started]")
        ->check(CLI::PositiveNumber);
    app.add_option("--scheduler", f.scheduler, "Override scheduler.type")
        ->check(CLI::IsMember({"asha", "sync_sh", "hyperband", "fifo"}));
    app.add_option("--variant", f.variant, "Override scheduler.variant")
        ->check(CLI::IsMember({"stopping", "promotion"}));
    if (simulate) {
        app.add_option("--benchmark", f.benchmark,
                       "Synthetic benchmark [config: simulator.benchmark, default lenet]")
            ->check(CLI::IsMember(benchmark_names()));
    } else {
        app.add_option("--gpus", f.gpus, "auto | none | 0,1,2,3 [config: gpus, default auto]");
        app.add_option("--gpus-per-trial", f.gpus_per_trial,
                       "GPUs per trial [config: gpus_per_trial, default 1]")
            ->check(CLI::PositiveNumber);
    }
    app.add_flag("-q,--quiet", f.quiet, "No progress table, warnings only");
    app.add_flag("--json", f.json_output,
                 "Print a JSON summary on stdout at the end (the table goes to stderr)");
    app.add_flag("-v,--verbose", f.verbose, "Log every trial start and decision");
}

json overrides_from(const Flags& f) {
    json o = json::object();
    if (f.workers) o["workers"] = *f.workers;
    if (f.seed) o["seed"] = *f.seed;
    if (f.max_wallclock_time) o["stop"]["max_wallclock_time"] = *f.max_wallclock_time;
    if (f.max_trials) o["stop"]["max_num_trials_started"] = *f.max_trials;
    if (!f.scheduler.empty()) o["scheduler"]["type"] = f.scheduler;
    if (!f.variant.empty()) o["scheduler"]["variant"] = f.variant;
    if (!f.benchmark.empty()) o["simulator"]["benchmark"] = f.benchmark;
    if (f.gpus_per_trial) o["gpus_per_trial"] = *f.gpus_per_trial;
    if (!f.gpus.empty()) {
        if (f.gpus == "auto" || f.gpus == "none")
            o["gpus"] = f.gpus;
        else {
            json ids = json::array();
            std::stringstream in(f.gpus);
            for (std::string item; std::getline(in, item, ',');) {
                try {
                    std::size_t used = 0;
                    int id = std::stoi(item, &used);
                    if (used != item.size() || id < 0) throw std::invalid_argument(item);
                    ids.push_back(id);
                } catch (const std::exception&) {
                    throw ConfigError(
                        "--gpus: expected auto, none or GPU indices like 0,1,2,3, found \"" +
                        f.gpus + "\"");
                }
            }
            o["gpus"] = ids;
        }
    }
    return o;
}

void setup_logging(const Flags& f) {
    auto logger = spdlog::stderr_color_mt("asha-tune");
    logger->set_pattern("[%H:%M:%S] %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(f.verbose ? spdlog::level::debug
                      : f.quiet ? spdlog::level::warn
                                : spdlog::level::info);
}

std::string command_line(int argc, char** argv) {
    std::string out;
    for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
    return out;
}

/// The JSON of a run's counts by status and of its best result, shared by --json and status --json.
json counts_json(const RunSummary& s) {
    return {{"started", s.started}, {"running", s.running}, {"completed", s.completed},
            {"stopped", s.stopped}, {"paused", s.paused},   {"failed", s.failed}};
}

json best_json(const RunSummary& s, const ExperimentConfig& c, const json& config) {
    if (!s.best_trial) return nullptr;
    json metric = std::isfinite(s.best_metric) ? json(s.best_metric)
                                               : json(format_value(json(s.best_metric)));
    return {{"trial_id", *s.best_trial},
            {"metric", metric},
            {c.resource_attr, s.best_resource},
            {"config", config}};
}

json summary_json(const RunSummary& s, const std::vector<TrialRecord>& trials,
                  const ExperimentConfig& c, const std::string& run_dir) {
    json config = s.best_trial ? trials.at(static_cast<std::size_t>(*s.best_trial)).config : json();
    return {{"run_dir", run_dir},
            {"metric", c.metric},
            {"mode", c.mode == Mode::max ? "max" : "min"},
            {"best", best_json(s, c, config)},
            {"stop_reason", s.stop_reason},
            {"wallclock", s.wallclock},
            {"utilisation", s.utilisation()},
            {"trials", counts_json(s)}};
}

void print_end(const RunResult& result, const Tuner& tuner, const ExperimentConfig& c,
               const RunDir& dir, const Flags& f) {
    std::FILE* human = f.json_output ? stderr : stdout;
    std::string text = "--------------------\nResource summary (last result is reported):\n" +
                       render_table(tuner.trials(), c, 50, tuner.now()) +
                       render_progress_line(result.summary) + "\n\n" +
                       render_best_line(result.summary, c.metric) + "\n" +
                       render_run_end(result.summary) + "\n" + "results: " + dir.path().string() +
                       "\n--------------------\n";
    if (!f.quiet || f.json_output)
        std::fputs(text.c_str(), human);
    else
        std::fputs((render_best_line(result.summary, c.metric) + "\nstopped because: " +
                    result.summary.stop_reason + "\nresults: " + dir.path().string() + "\n")
                       .c_str(),
                   human);
    if (f.json_output)
        std::cout << summary_json(result.summary, tuner.trials(), c, dir.path().string()).dump(2)
                  << std::endl;
}

/// A simulation whose config space has none of the benchmark's hyperparameters would run the
/// same curve for every trial: refuse it; say which ones fall back to defaults otherwise.
void check_benchmark_parameters(const Benchmark& benchmark, const ExperimentConfig& c) {
    std::string used, missing;
    for (const auto& name : benchmark.parameters())
        (c.config_space.find(name) ? used : missing) += (name + " ");
    if (used.empty())
        throw ConfigError(
            c.file + ": $.config_space: the " + benchmark.name() + " benchmark reads " + missing +
            "and the config space has none of them (every simulated trial would be the same)");
    if (!missing.empty())
        spdlog::info("benchmark {}: {}not in config_space, default values used", benchmark.name(),
                     missing);
}

int simulate(const Flags& f, const std::string& cmdline) {
    ExperimentConfig c = load_experiment(f.config, overrides_from(f));
    auto benchmark = make_benchmark(c.benchmark);
    check_benchmark_parameters(*benchmark, c);
    Rng rng(c.seed);
    auto scheduler = make_scheduler(c, rng);
    SimBackend backend(*benchmark, c.metric, c.resource_attr, c.seed, c.time_scale);
    RunDir dir(f.run_dir.empty() ? RunDir::default_path(c) : std::filesystem::path(f.run_dir), c,
               RunDirOptions{false, false, cmdline, 0});
    spdlog::info("simulating {} on benchmark {} with {} workers (virtual time); results in {}",
                 c.name, c.benchmark, c.workers, dir.path().string());
    Tuner tuner(c, *scheduler, backend, &dir, nullptr);
    RunResult result = tuner.run();
    print_end(result, tuner, c, dir, f);
    return static_cast<int>(result.exit_code);
}

int run_local(const Flags& f, const std::string& cmdline) {
    ExperimentConfig c = load_experiment(f.config, overrides_from(f));
    LocalBackendOptions options = make_local_options(c);  // validates command and GPUs
    Rng rng(c.seed);
    auto scheduler = make_scheduler(c, rng);
    RunDir dir(f.run_dir.empty() ? RunDir::default_path(c) : std::filesystem::path(f.run_dir), c,
               RunDirOptions{true, true, cmdline});
    options.run_dir = dir.path();
    SignalWatcher signals;
    options.wake_fd = signals.fd();
    LocalBackend backend(std::move(options));
    spdlog::info("results of trials will be saved in {}", dir.path().string());
    TerminalProgress progress(stderr, c.print_update_interval, f.quiet || f.json_output);
    Tuner tuner(c, *scheduler, backend, &dir, &progress);
    RunResult result = tuner.run();
    print_end(result, tuner, c, dir, f);
    return static_cast<int>(result.exit_code);
}

/// `asha-tune status RUN_DIR`: exit 0 if the run ended, 1 if it is still running.
int show_status(const std::string& dir, bool as_json) {
    RunData run = read_run(dir);
    RunSummary s;
    for (const auto& t : run.trials) {
        ++s.started;
        s.running += t.status == TrialStatus::in_progress;
        s.completed += t.status == TrialStatus::completed;
        s.stopped += t.status == TrialStatus::stopped;
        s.paused += t.status == TrialStatus::paused;
        s.failed += t.status == TrialStatus::failed || t.status == TrialStatus::timeout;
    }
    double best_key = INFINITY, last_time = 0;
    for (const auto& r : run.results) {
        last_time = std::max(last_time, r.time);
        double key = badness(r.metric, run.config.mode == Mode::max);
        if (!s.best_trial || key < best_key) {
            best_key = key;
            s.best_trial = r.trial;
            s.best_metric = r.metric;
            s.best_resource = r.resource;
        }
    }
    s.wallclock = run.summary.is_object() ? run.summary.value("wallclock", last_time) : last_time;
    const char* state = run.finished ? "finished" : run.running ? "running" : "interrupted";
    if (as_json) {
        json config;
        for (const auto& t : run.trials)
            if (s.best_trial && t.id == *s.best_trial) config = t.config;
        json doc = {{"run_dir", dir},
                    {"state", state},
                    {"metric", run.config.metric},
                    {"best", best_json(s, run.config, config)},
                    {"wallclock", s.wallclock},
                    {"trials", counts_json(s)}};
        if (run.summary.is_object()) doc["stop_reason"] = run.summary.value("stop_reason", "");
        std::cout << doc.dump(2) << std::endl;
    } else {
        std::cout << dir << ": " << state
                  << (run.finished || run.running ? "" : " (the tuner ended without a summary)")
                  << "\n"
                  << render_table(run.trials, run.config, 50, s.wallclock)
                  << render_progress_line(s) << "\n"
                  << render_best_line(s, run.config.metric) << "\n";
        if (run.summary.is_object())
            std::cout << "stopped because: " << run.summary.value("stop_reason", "") << "\n";
    }
    return run.running ? 1 : 0;
}

/// `asha-tune report RUN_DIR... [-o FILE]`.
int write_report(const std::vector<std::string>& dirs, std::string output) {
    std::vector<RunData> runs;
    for (const auto& d : dirs) runs.push_back(read_run(d));
    if (output.empty())
        output = dirs.size() == 1 ? (std::filesystem::path(dirs[0]) / "report.html").string()
                                  : "report.html";
    write_file_atomic(output, render_report(runs));
    std::cout << output << "\n";
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"asha-tune: hyperparameter tuning with asynchronous successive halving (ASHA)",
                 "asha-tune"};
    app.set_version_flag("--version", std::string("asha-tune ") + ASHA_VERSION);
    app.require_subcommand(0, 1);
    Flags run_flags, sim_flags;
    add_flags(app, run_flags, false);
    CLI::App* sim =
        app.add_subcommand("simulate", "Run the experiment on a simulated backend (virtual time)");
    add_flags(*sim, sim_flags, true);
    std::string status_dir;
    bool status_json = false;
    CLI::App* status = app.add_subcommand(
        "status", "Show a run's status (exit 0: it ended, 1: still running, 2: not a run dir)");
    status->add_option("run_dir", status_dir, "Run directory")->required();
    status->add_flag("--json", status_json, "Print the status as JSON");
    std::vector<std::string> report_dirs;
    std::string report_output;
    CLI::App* report =
        app.add_subcommand("report", "Write a self-contained HTML report of one or more runs");
    report
        ->add_option("run_dirs", report_dirs,
                     "Run directories (several are compared in one report)")
        ->required();
    report->add_option(
        "-o,--output", report_output,
        "Output file [default: RUN_DIR/report.html, or ./report.html for several runs]");
    // The top-level --config is only required when no subcommand is given.
    app.get_option("--config")->required(false);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : static_cast<int>(ExitCode::bad_config);
    }
    if (status->parsed() || report->parsed()) {
        try {
            return status->parsed() ? show_status(status_dir, status_json)
                                    : write_report(report_dirs, report_output);
        } catch (const std::exception& e) {
            std::cerr << "asha-tune: error: " << e.what() << "\n";
            return static_cast<int>(ExitCode::bad_config);
        }
    }
    const bool simulating = sim->parsed();
    const Flags& flags = simulating ? sim_flags : run_flags;
    if (!simulating && flags.config.empty()) {
        std::cerr
            << "asha-tune: error: --config is required\nRun with --help for more information.\n";
        return static_cast<int>(ExitCode::bad_config);
    }
    setup_logging(flags);
    try {
        return simulating ? simulate(flags, command_line(argc, argv))
                          : run_local(flags, command_line(argc, argv));
    } catch (const Error& e) {
        std::cerr << "asha-tune: error: " << e.what() << "\n";
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::cerr << "asha-tune: error: " << e.what() << "\n";
        return static_cast<int>(ExitCode::runtime);
    }
}

}  // namespace asha
