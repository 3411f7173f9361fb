#include "cli/cli.hpp"

#include "backends/synthetic_benchmarks.hpp"
#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "run/journal.hpp"
#include "backends/local_backend.hpp"
#include "backends/process.hpp"
#include "cli/terminal_progress.hpp"
#include "report/html_report.hpp"
#include "run/run_dir.hpp"
#include "run/run_reader.hpp"
#include "backends/signals.hpp"
#include "backends/sim_backend.hpp"
#include "report/table.hpp"
#include "asha/tuner.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <sys/vfs.h>

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
    std::string backend;
    bool quiet = false;
    bool json_output = false;
    bool verbose = false;
    bool resume = false;
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
        app.add_option("--backend", f.backend,
                       "Where trials run: local, or slurm (each trial a job) [config: backend]")
            ->check(CLI::IsMember({"local", "slurm"}));
        app.add_option("--gpus", f.gpus, "auto | none | 0,1,2,3 [config: gpus, default auto]");
        app.add_option("--gpus-per-trial", f.gpus_per_trial,
                       "GPUs per trial [config: gpus_per_trial, default 1]")
            ->check(CLI::PositiveNumber);
    }
    app.add_flag("-q,--quiet", f.quiet, "No progress table, warnings only");
    app.add_flag("--json", f.json_output,
                 "Print a JSON summary on stdout at the end (the table goes to stderr)");
    app.add_flag("-v,--verbose", f.verbose, "Log every trial start and decision");
    app.add_flag("--resume", f.resume,
                 "Continue the run in --run-dir if it exists (same config), else start it");
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
    if (!f.backend.empty()) o["backend"]["type"] = f.backend;
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
    std::string text =
        "--------------------\nResource summary (last result is reported):\n" +
        render_table(tuner.trials(), c, 50, tuner.now()) + render_progress_line(result.summary) +
        "\n\n" + render_rungs(tuner.scheduler().rungs(), c.resource_attr) +
        render_best_line(result.summary, c.metric) + "\n" + render_run_end(result.summary) + "\n" +
        "results: " + dir.path().string() + "\n--------------------\n";
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

/// A run to execute: a new one, or one to continue from its journal.
struct RunPlan {
    ExperimentConfig config;
    std::filesystem::path dir;
    std::string command_line;
    bool simulate = false;
    bool resume = false;
};

/// The pgid numbers in a replay's leftover handles ("pgid 1234").
std::vector<pid_t> leftover_groups(const ReplayResult& replay) {
    std::vector<pid_t> pgids;
    for (const auto& handle : replay.leftover_handles)
        if (handle.rfind("pgid ", 0) == 0) pgids.push_back(std::stoi(handle.substr(5)));
    return pgids;
}

/// The Slurm job names in a replay's leftover handles ("slurm asha-run-3").
std::vector<std::string> leftover_jobs(const ReplayResult& replay) {
    std::vector<std::string> names;
    for (const auto& handle : replay.leftover_handles)
        if (handle.rfind("slurm ", 0) == 0) names.push_back(handle.substr(6));
    return names;
}

/// Slurm trials write their checkpoints and logs from the nodes: the run directory must be on
/// a filesystem they share. What can be checked here: not a memory filesystem of this machine.
void check_shared_run_dir(const std::filesystem::path& dir) {
    struct statfs fs {};
    if (::statfs(dir.c_str(), &fs) == 0 &&
        (fs.f_type == 0x01021994 /* tmpfs */ || fs.f_type == 0x858458f6 /* ramfs */))
        spdlog::warn(
            "run directory {} is on a memory filesystem of this machine: Slurm nodes "
            "other than this one cannot see it (use a shared filesystem)",
            dir.string());
    else
        spdlog::info("Slurm backend: trials run as jobs and write to {}, which every node must see",
                     dir.string());
}

/// Runs `plan`. `signals` is the watcher a real run installed before it created anything
/// (nullptr for a simulation, which Ctrl-C simply kills: its journal resumes it exactly).
int execute(const RunPlan& plan, const Flags& f, const SignalWatcher* signals) {
    const ExperimentConfig& c = plan.config;
    std::unique_ptr<Benchmark> benchmark;
    LocalBackendOptions options;
    if (plan.simulate) {
        benchmark = make_benchmark(c.benchmark);
        check_benchmark_parameters(*benchmark, c);
    } else {
        options = make_local_options(c);  // validates command and GPUs
    }
    Rng rng(c.seed);
    auto scheduler = make_scheduler(c, rng);
    RunDirOptions dir_options;
    dir_options.trial_dirs = dir_options.flush_when_idle = !plan.simulate;
    dir_options.command_line = plan.command_line;
    dir_options.report_interval = plan.simulate ? 0 : c.report_update_interval;
    const double refresh = dir_options.report_interval;
    dir_options.write_report = [path = plan.dir, refresh](bool ended) {
        write_html_report(path, ended, refresh);
    };
    dir_options.resume = plan.resume;
    RunDir dir(plan.dir, c, dir_options);  // takes the run's lock
    const auto journal_path = dir.path() / "journal.jsonl";
    std::optional<JournalContents> journal;
    if (plan.resume) journal = read_journal(journal_path);
    // Simulations keep records in memory: nothing outside the run directory depends on them.
    JournalWriter journal_writer(journal_path, plan.simulate ? JournalSync::never : c.journal_fsync,
                                 plan.simulate,
                                 journal ? std::optional(journal->good_bytes) : std::nullopt);
    if (!journal)
        journal_writer.append(make_journal_header(
            c.resolved, c.file, plan.simulate ? "simulate" : "local", plan.command_line));
    std::unique_ptr<Backend> backend;
    if (plan.simulate) {
        backend = std::make_unique<SimBackend>(*benchmark, c.metric, c.resource_attr, c.seed,
                                               c.time_scale);
    } else {
        options.run_dir = dir.path();
        options.job_prefix = "asha-" + dir.path().filename().string();
        if (options.slurm) check_shared_run_dir(dir.path());
        options.wake_fd = signals->fd();
        backend = std::make_unique<LocalBackend>(std::move(options));
    }
    TerminalProgress progress(stderr, c.print_update_interval, f.quiet || f.json_output);
    Tuner tuner(c, *scheduler, *backend, &dir, plan.simulate ? nullptr : &progress);
    tuner.set_journal(&journal_writer);
    if (journal) {
        if (journal->torn_bytes)
            spdlog::warn("{}: dropped its torn last line ({} bytes), written as the tuner died",
                         journal_path.string(), journal->torn_bytes);
        ReplayResult replay = tuner.restore(*journal);
        dir.replay_done();
        if (replay.finished) {
            tuner.rewrite_ended_run();  // its files may be missing or stale: the journal decides
            std::cout << dir.path().string() << ": the run already ended (" << replay.stop_reason
                      << "); nothing to resume\n";
            return 0;
        }
        if (!plan.simulate) {
            if (std::size_t n = cancel_slurm_jobs(leftover_jobs(replay)))
                spdlog::warn("cancelled {} Slurm job(s) of the previous tuner", n);
            if (std::size_t n =
                    kill_marked_processes(trial_marker(dir.path()), leftover_groups(replay)))
                spdlog::warn("killed {} leftover trial process(es) of the previous tuner", n);
        }
        spdlog::info(
            "resuming {}: replayed {} journal records, {} trial(s) started, {} leg(s) "
            "were running",
            dir.path().string(), replay.records, tuner.trials().size(), replay.running);
    } else if (plan.simulate) {
        spdlog::info("simulating {} on benchmark {} with {} workers (virtual time); results in {}",
                     c.name, c.benchmark, c.workers, dir.path().string());
    } else {
        spdlog::info("results of trials will be saved in {}", dir.path().string());
    }
    RunResult result = tuner.run();
    print_end(result, tuner, c, dir, f);
    return static_cast<int>(result.exit_code);
}

/// The experiment a run directory's journal was started with, with `overrides` (only the
/// keys a resume may change) applied. Changes into the directory the run was started in, so
/// that relative paths in `command` and `working_dir` mean what they meant then.
RunPlan plan_resume(const std::filesystem::path& dir_arg, const json& overrides,
                    const std::string& cmdline) {
    namespace fs = std::filesystem;
    RunPlan plan;
    plan.dir = fs::absolute(dir_arg);
    plan.command_line = cmdline;
    plan.resume = true;
    if (!fs::exists(plan.dir / "journal.jsonl"))
        throw Error(ExitCode::bad_config,
                    plan.dir.string() +
                        ": no journal.jsonl here, so nothing to resume (is it a "
                        "run directory of asha-tune " ASHA_VERSION " or later?)");
    JournalHeader header = read_journal_header(plan.dir / "journal.jsonl");
    std::error_code ec;
    fs::path cwd = header.cwd;
    if (!cwd.empty() && fs::is_directory(cwd, ec) && fs::current_path(ec) != cwd) {
        spdlog::info("working in {}, where the run was started", cwd.string());
        fs::current_path(cwd, ec);
    }
    json doc = header.config;
    merge_json(doc, overrides);
    plan.config = parse_experiment(doc, header.config_file);
    plan.simulate = header.backend == "simulate";
    return plan;
}

/// `--resume`: the run directory continues if it has a journal from the same config (workers
/// may change), and starts fresh otherwise.
RunPlan plan_run(const Flags& f, const std::string& cmdline, bool simulate) {
    namespace fs = std::filesystem;
    ExperimentConfig c = load_experiment(f.config, overrides_from(f));
    if (f.resume && f.run_dir.empty())
        throw ConfigError("--resume needs --run-dir (the run directory to continue or create)");
    if (f.resume && fs::exists(fs::path(f.run_dir) / "journal.jsonl")) {
        json before = read_journal_header(fs::path(f.run_dir) / "journal.jsonl").config;
        json now = c.resolved;
        before.erase("workers");
        now.erase("workers");
        if (before != now) {
            json patch = json::diff(before, now);
            throw ConfigError(f.run_dir +
                              " was started from a different config (first "
                              "difference at " +
                              patch.at(0).value("path", std::string("/")) +
                              "); continue it as it was with: asha-tune resume " + f.run_dir);
        }
        json overrides = json::object();
        overrides["workers"] = c.workers;
        return plan_resume(f.run_dir, overrides, cmdline);
    }
    RunPlan plan;
    plan.dir = f.run_dir.empty() ? RunDir::default_path(c) : fs::path(f.run_dir);
    plan.config = std::move(c);
    plan.command_line = cmdline;
    plan.simulate = simulate;
    return plan;
}

/// `asha-tune status RUN_DIR`: exit 0 if the run ended, 1 if it is still running.
int show_status(const std::string& dir, bool as_json) {
    RunData run = read_run(dir);
    RunSummary s;
    for (const auto& t : run.trials) {
        ++s.started;
        s.running += t.status == TrialStatus::in_progress || t.status == TrialStatus::pending;
        s.completed += t.status == TrialStatus::completed;
        s.stopped += t.status == TrialStatus::stopped;
        s.paused += t.status == TrialStatus::paused;
        s.failed += t.status == TrialStatus::failed || t.status == TrialStatus::timeout;
    }
    double best_key = INFINITY, last_time = 0;
    for (const auto& r : run.results) {
        last_time = std::max(last_time, r.time);
        double key = badness(r.metric, run.config.mode == Mode::max);
        if (can_be_best(r.metric) && (!s.best_trial || key < best_key)) {
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
    Flags resume_flags;
    std::string resume_dir;
    CLI::App* resume = app.add_subcommand(
        "resume", "Continue a run that was killed or interrupted, from its journal");
    resume->add_option("run_dir", resume_dir, "Run directory")->required();
    resume->add_option("-w,--workers", resume_flags.workers, "Trials run at once from now on")
        ->check(CLI::PositiveNumber);
    resume->add_flag("-q,--quiet", resume_flags.quiet, "No progress table, warnings only");
    resume->add_flag("--json", resume_flags.json_output,
                     "Print a JSON summary on stdout at the end");
    resume->add_flag("-v,--verbose", resume_flags.verbose, "Log every trial start and decision");
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
    const Flags& flags = resume->parsed() ? resume_flags : simulating ? sim_flags : run_flags;
    if (!simulating && !resume->parsed() && flags.config.empty()) {
        std::cerr
            << "asha-tune: error: --config is required\nRun with --help for more information.\n";
        return static_cast<int>(ExitCode::bad_config);
    }
    setup_logging(flags);
    // A real run turns SIGINT, SIGTERM and SIGHUP into events before it creates anything, so
    // that a signal at any instant ends it the same way: journaled and resumable (signals.hpp).
    std::optional<SignalWatcher> signals;
    // A run that ended normally, or was already over, while a signal arrived still exits
    // 128 + N, as a shell expects of a program it interrupted.
    auto exit_code = [&](int code) {
        const int sig = SignalWatcher::first_signal();
        return code == static_cast<int>(ExitCode::ok) && sig != 0 ? 128 + sig : code;
    };
    try {
        if (!simulating) signals.emplace();
        const std::string cmdline = command_line(argc, argv);
        RunPlan plan = resume->parsed() ? plan_resume(resume_dir, overrides_from(flags), cmdline)
                                        : plan_run(flags, cmdline, simulating);
        if (plan.simulate && signals) {  // resuming a simulation: Ctrl-C kills it, as above
            const int sig = SignalWatcher::first_signal();
            signals.reset();
            if (sig != 0) return 128 + sig;
        }
        return exit_code(execute(plan, flags, signals ? &*signals : nullptr));
    } catch (const Error& e) {
        std::cerr << "asha-tune: error: " << e.what() << "\n";
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        std::cerr << "asha-tune: error: " << e.what() << "\n";
        return static_cast<int>(ExitCode::runtime);
    }
}

}  // namespace asha
