#include "cli/cli.hpp"

#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "asha/run.hpp"
#include "backends/signals.hpp"
#include "backends/synthetic_benchmarks.hpp"
#include "cli/serve_command.hpp"
#include "cli/terminal_progress.hpp"
#include "policy/config_names.hpp"
#include "report/html_report.hpp"
#include "report/run_summary_json.hpp"
#include "report/table.hpp"
#include "report/trial_story.hpp"
#include "run/curve_source.hpp"
#include "run/journal.hpp"
#include "run/run_dir.hpp"
#include "run/run_reader.hpp"
#include "supervisor/supervisor.hpp"

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
    std::string searcher;
    std::string benchmark;
    std::vector<std::string> curves;
    std::string backend;
    bool quiet = false;
    bool json_output = false;
    bool verbose = false;
    bool resume = false;
    CLI::Option* serve = nullptr;  ///< --serve [PORT]: a dashboard beside the run
    std::string serve_port, bind = "127.0.0.1";
};

/// --serve [PORT] and --bind ADDR, for a run and a resume.
void add_serve_flags(CLI::App& app, Flags& f) {
    f.serve = app.add_option("--serve", f.serve_port,
                             "Serve a live dashboard of the run on PORT [default 8080, or any free "
                             "port if that is taken]; see asha-tune serve")
                  ->expected(0, 1)
                  ->type_name("[PORT]");
    app.add_option("--bind", f.bind,
                   "Address the dashboard listens on [default 127.0.0.1: this machine only]");
}

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
        ->check(CLI::IsMember(all_names(kSchedulerNames)));
    app.add_option("--variant", f.variant, "Override scheduler.variant")
        ->check(CLI::IsMember(all_names(kVariantNames)));
    app.add_option("--searcher", f.searcher,
                   "How new configurations are chosen: random, bohb or tpe [config: searcher]")
        ->check(CLI::IsMember(all_names(kSearcherNames)));
    if (simulate) {
        app.add_option("--benchmark", f.benchmark,
                       "Synthetic benchmark [config: simulator.benchmark, default lenet]")
            ->check(CLI::IsMember(benchmark_names()));
        app.add_option("--curves", f.curves,
                       "Replay recorded learning curves instead of a benchmark: tables (CSV, "
                       "optionally .gz) or finished run directories [config: simulator.curves]")
            ->check(CLI::ExistingPath)
            ->type_name("SOURCE...");
    } else {
        app.add_option("--backend", f.backend,
                       "Where trials run: local, or slurm (each leg a job, or a step of the "
                       "allocation asha-tune runs in) [config: backend]")
            ->check(CLI::IsMember(all_names(kBackendNames)));
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
    if (!simulate) add_serve_flags(app, f);
}

json overrides_from(const Flags& f) {
    json o = json::object();
    if (f.workers) o["workers"] = *f.workers;
    if (f.seed) o["seed"] = *f.seed;
    if (f.max_wallclock_time) o["stop"]["max_wallclock_time"] = *f.max_wallclock_time;
    if (f.max_trials) o["stop"]["max_num_trials_started"] = *f.max_trials;
    if (!f.scheduler.empty()) o["scheduler"]["type"] = f.scheduler;
    if (!f.variant.empty()) o["scheduler"]["variant"] = f.variant;
    if (!f.searcher.empty()) o["searcher"] = f.searcher;
    if (!f.benchmark.empty()) {
        o["simulator"]["benchmark"] = f.benchmark;
        o["simulator"]["curves"] = json::array();  // a benchmark asked for replaces the curves
    }
    if (!f.curves.empty()) {
        json sources = json::array();
        for (const std::string& source : f.curves)
            sources.push_back(std::filesystem::absolute(source).lexically_normal().string());
        o["simulator"]["curves"] = sources;
    }
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

void print_end(const RunOutcome& run, const ExperimentConfig& c, const Flags& f) {
    std::FILE* human = f.json_output ? stderr : stdout;
    const RunSummary& s = run.summary;
    const std::string results = "results: " + run.dir.string() + "\n";
    const std::string pasha =
        c.scheduler.type == SchedulerType::pasha
            ? render_top_rung(read_top_rung(run.dir / run_files::journal, c), c) + "\n"
            : "";
    std::string text = "--------------------\nResource summary (last result is reported):\n" +
                       render_table(run.trials, c, 50, s.wallclock) + render_progress_line(s) +
                       "\n\n" + render_rungs(run.rungs, c.resource_attr) + pasha +
                       render_best_line(s, c) + "\n" + render_run_end(s) + "\n" + results +
                       "--------------------\n";
    if (!f.quiet || f.json_output)
        std::fputs(text.c_str(), human);
    else
        std::fputs((render_best_line(s, c) + "\nstopped because: " + s.stop_reason + "\n" + results)
                       .c_str(),
                   human);
    if (f.json_output) {
        const json best_config =
            s.best_trial ? run.trials.at(static_cast<std::size_t>(*s.best_trial)).config : json();
        std::cout << run_summary_json(run.dir.string(), run.run_id, "finished", c, s, best_config,
                                      true, run.trials)
                         .dump(2)
                  << std::endl;
    }
}

/// Where a new run goes, from the flags.
NewRunOptions new_run_options(const Flags& f, const std::string& cmdline, bool simulate) {
    if (f.resume && f.run_dir.empty())
        throw ConfigError("--resume needs --run-dir (the run directory to continue or create)");
    NewRunOptions options;
    options.dir = f.run_dir;
    options.simulate = simulate;
    options.resume_if_exists = f.resume;
    options.command_line = cmdline;
    return options;
}

/// The exit code of a command that failed with `e`: an Error carries its own (2 for bad input,
/// 3 for a run that cannot start, ...); anything else (a system call's failure below the layers
/// that turn them into Errors, an internal error) is 1, an error while running.
int exit_code_for(const std::exception& e) {
    if (const auto* error = dynamic_cast<const Error*>(&e)) return static_cast<int>(error->code());
    return static_cast<int>(ExitCode::runtime);
}

/// Says what failed, as every command of asha-tune does, and returns the exit code for it.
int fail_with(const std::exception& e) {
    std::cerr << "asha-tune: error: " << e.what() << "\n";
    return exit_code_for(e);
}

/// `asha-tune status RUN_DIR`: exit 0 if the run ended, 1 if it is still running.
int show_status(const std::string& dir, bool as_json) {
    // A tuner that died before it wrote the run's files left them behind its journal. What
    // cannot be rebuilt (a full disk, a resume that took the run meanwhile) is shown as it is.
    try {
        if (refresh_run(dir))
            std::cerr << "asha-tune: " << dir
                      << ": rebuilt results.csv, legs.csv and trials.csv (and the end-of-run "
                         "files of an ended run) from journal.jsonl: the last tuner died before "
                         "it wrote them\n";
    } catch (const std::exception& e) {
        std::cerr << "asha-tune: warning: " << dir << ": its files may be behind its journal, "
                  << "and could not be rebuilt: " << e.what() << "\n";
    }
    RunData run = read_run(dir);
    const RunSummary s = summarize(run);
    const char* state = run_state(run);
    if (as_json) {
        std::cout << status_json(dir, run, s).dump(2) << std::endl;
    } else {
        std::cout << dir << ": " << state
                  << (run.finished || run.running ? "" : " (the tuner ended without a summary)")
                  << (run.run_id.empty() ? "" : ", run id " + run.run_id) << "\n"
                  << render_table(run.trials, run.config, 50, s.wallclock)
                  << render_progress_line(s) << "\n"
                  << render_best_line(s, run.config) << "\n";
        if (run.top_rung) std::cout << render_top_rung(*run.top_rung, run.config) << "\n";
        if (run.summary.is_object())
            std::cout << "stopped because: " << run.summary.value("stop_reason", "") << "\n";
    }
    return run.running ? 1 : 0;
}

/// `asha-tune why RUN_DIR TRIAL [--json]`: one trial's story, from the run's journal.
int show_why(const std::string& dir, TrialId trial, bool as_json) {
    const RunData run = read_run(dir);
    const JournalContents journal = read_journal(std::filesystem::path(dir) / run_files::journal);
    const auto story = trial_story(journal, trial);
    if (!story)
        throw Error(
            ExitCode::bad_config,
            dir + ": the run has no trial " + std::to_string(trial) + " (it started " +
                (run.trials.empty() ? std::string("none yet")
                                    : "trials 0 to " + std::to_string(run.trials.size() - 1)) +
                ")");
    const std::string status = trial_status(run, trial);
    if (as_json)
        std::cout << story_json(*story, run.config, status).dump(2) << std::endl;
    else
        std::cout << render_story(*story, run.config, status);
    return 0;
}

/// `asha-tune report RUN_DIR... [-o FILE]`.
int write_html_reports(const std::vector<std::string>& dirs, std::string output) {
    std::vector<RunData> runs;
    for (const auto& d : dirs) runs.push_back(read_run(d));
    if (output.empty())
        output = dirs.size() == 1 ? (std::filesystem::path(dirs[0]) / run_files::report).string()
                                  : run_files::report;
    write_file_atomic(output, render_report(runs));
    std::cout << output << "\n";
    return 0;
}

/// `asha-tune curves RUN_DIR... [-o FILE]`: the learning curves of finished runs as a table
/// (README "Simulating on your own curves"), checked as `simulate --curves` checks them.
int write_curves_table(const std::vector<std::string>& dirs, const std::string& output) {
    ExperimentConfig config = read_run(dirs.front()).config;
    config.curves.clear();
    for (const std::string& dir : dirs)
        config.curves.push_back(std::filesystem::absolute(dir).lexically_normal().string());
    const auto curves = load_recorded_curves(config);
    const std::string table = curves_table_csv(*curves, config.config_space, config.resource_attr);
    if (output.empty() || output == "-") {
        std::cout << table << std::flush;
    } else {
        write_maybe_gzipped(output, table);
        std::cout << output << "\n";
    }
    return 0;
}

/// The command line: the top-level run's flags and each subcommand with what it parsed.
struct CommandLine {
    CLI::App app{"asha-tune: hyperparameter tuning with asynchronous successive halving (ASHA)",
                 "asha-tune"};
    Flags run_flags, sim_flags, resume_flags;
    CLI::App* simulate = nullptr;
    CLI::App* status = nullptr;
    CLI::App* report = nullptr;
    CLI::App* resume = nullptr;
    CLI::App* why = nullptr;
    CLI::App* serve = nullptr;
    CLI::App* curves = nullptr;
    std::vector<std::string> curves_dirs;
    std::string curves_output;
    std::vector<std::string> serve_dirs;
    std::string serve_bind = "127.0.0.1";
    int serve_port = 8080;
    std::string status_dir, resume_dir, report_output, why_dir;
    TrialId why_trial = 0;
    bool status_json = false, why_json = false;
    std::vector<std::string> report_dirs;

    CommandLine() {
        app.set_version_flag("--version", std::string("asha-tune ") + ASHA_VERSION);
        app.require_subcommand(0, 1);
        add_flags(app, run_flags, false);
        simulate = app.add_subcommand("simulate",
                                      "Run the experiment on a simulated backend (virtual time)");
        add_flags(*simulate, sim_flags, true);
        status = app.add_subcommand(
            "status", "Show a run's status (exit 0: it ended, 1: still running, 2: not a run dir)");
        status->add_option("run_dir", status_dir, "Run directory")->required();
        status->add_flag("--json", status_json, "Print the status as JSON");
        report =
            app.add_subcommand("report", "Write a self-contained HTML report of one or more runs");
        report
            ->add_option("run_dirs", report_dirs,
                         "Run directories (several are compared in one report)")
            ->required();
        report->add_option(
            "-o,--output", report_output,
            "Output file [default: RUN_DIR/report.html, or ./report.html for several runs]");
        why = app.add_subcommand(
            "why",
            "Tell one trial's story: its legs, and each decision with the scheduler's reason");
        why->add_option("run_dir", why_dir, "Run directory")->required();
        why->add_option("trial", why_trial, "Trial id")->required()->check(CLI::NonNegativeNumber);
        why->add_flag("--json", why_json, "Print the story as JSON");
        resume = app.add_subcommand(
            "resume", "Continue a run that was killed or interrupted, from its journal");
        resume->add_option("run_dir", resume_dir, "Run directory")->required();
        resume->add_option("-w,--workers", resume_flags.workers, "Trials run at once from now on")
            ->check(CLI::PositiveNumber);
        resume->add_flag("-q,--quiet", resume_flags.quiet, "No progress table, warnings only");
        resume->add_flag("--json", resume_flags.json_output,
                         "Print a JSON summary on stdout at the end");
        resume->add_flag("-v,--verbose", resume_flags.verbose,
                         "Log every trial start and decision");
        add_serve_flags(*resume, resume_flags);
        serve = app.add_subcommand(
            "serve", "Serve a live dashboard of the runs under DIRs (read-only; Ctrl-C stops)");
        serve->add_option("dirs", serve_dirs, "Directories holding runs [default: runs]");
        serve->add_option("--bind", serve_bind,
                          "Address to listen on [default 127.0.0.1: this machine only]");
        serve->add_option("-p,--port", serve_port, "Port [default 8080; 0: any free port]")
            ->check(CLI::Range(0, 65535));
        curves = app.add_subcommand(
            "curves",
            "Write the learning curves of finished runs as a table for simulate --curves");
        curves->add_option("run_dirs", curves_dirs, "Finished run directories (of one config)")
            ->required();
        curves->add_option("-o,--output", curves_output,
                           "Output file, gzip-compressed if it ends in .gz [default: stdout]");
        // The top-level --config is only required when no subcommand is given.
        app.get_option("--config")->required(false);
    }
};

/// The port of --serve PORT; none for a plain --serve.
std::optional<int> serve_port(const Flags& f) {
    if (f.serve_port.empty()) return std::nullopt;
    int port = -1;
    try {
        std::size_t used = 0;
        port = std::stoi(f.serve_port, &used);
        if (used != f.serve_port.size()) port = -1;
    } catch (const std::exception&) {
    }
    if (port < 0 || port > 65535)
        throw ConfigError("--serve: a port (0 to 65535) was expected, not " + f.serve_port);
    return port;
}

/// `asha-tune --config ...`, `asha-tune simulate ...` and `asha-tune resume ...`: a run.
int tune(const CommandLine& cli, int argc, char** argv) {
    const bool simulating = cli.simulate->parsed();
    const bool resuming = cli.resume->parsed();
    const Flags& flags = resuming ? cli.resume_flags : simulating ? cli.sim_flags : cli.run_flags;
    if (!simulating && !resuming && flags.config.empty()) {
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
        RunRequest request = resuming
                                 ? plan_resume(cli.resume_dir, overrides_from(flags), cmdline)
                                 : plan_run(load_experiment(flags.config, overrides_from(flags)),
                                            new_run_options(flags, cmdline, simulating));
        if (request.simulate && signals) {  // resuming a simulation: Ctrl-C kills it, as above
            const int sig = SignalWatcher::first_signal();
            signals.reset();
            if (sig != 0) return 128 + sig;
        }
        const ExperimentConfig& c = request.config;
        TerminalProgress progress(stderr, c.print_update_interval,
                                  flags.quiet || flags.json_output);
        RunEnvironment environment;
        environment.progress = request.simulate ? nullptr : &progress;
        environment.wake_fd = signals ? signals->fd() : -1;
        std::unique_ptr<DashboardServer> dashboard;
        if (flags.serve && flags.serve->count() > 0 && !request.simulate)
            dashboard = serve_beside_run(request.dir, flags.bind, serve_port(flags));
        RunOutcome outcome = run_experiment(request, environment);
        dashboard.reset();
        if (outcome.already_ended) {
            std::cout << outcome.dir.string() << ": the run already ended ("
                      << outcome.summary.stop_reason << "); nothing to resume\n";
            return exit_code(0);
        }
        print_end(outcome, c, flags);
        return exit_code(static_cast<int>(outcome.exit_code));
    } catch (const std::exception& e) {
        return fail_with(e);
    }
}

}  // namespace

int run_cli(int argc, char** argv) {
    // The supervisor of one local leg (supervisor/supervisor.hpp), where asha-supervise is not
    // beside asha-tune: asha-tune starts itself so.
    if (argc > 1 && std::string_view(argv[1]) == kSuperviseMode) return supervise_main(argc, argv);
    CommandLine cli;
    try {
        cli.app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = cli.app.exit(e);
        return code == 0 ? 0 : static_cast<int>(ExitCode::bad_config);
    }
    try {
        if (cli.status->parsed()) return show_status(cli.status_dir, cli.status_json);
        if (cli.report->parsed()) return write_html_reports(cli.report_dirs, cli.report_output);
        if (cli.why->parsed()) return show_why(cli.why_dir, cli.why_trial, cli.why_json);
        if (cli.curves->parsed()) return write_curves_table(cli.curves_dirs, cli.curves_output);
        if (cli.serve->parsed()) {
            SignalWatcher signals;
            return serve_main(cli.serve_dirs, cli.serve_bind, cli.serve_port, signals.fd());
        }
    } catch (const std::exception& e) {
        return fail_with(e);
    }
    return tune(cli, argc, argv);
}

}  // namespace asha
