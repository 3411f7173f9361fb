// run_experiment: the composition root (include/asha/run.hpp).
#include "asha/run.hpp"
#include "asha/run_files.hpp"

#include "backends/backend_factory.hpp"
#include "loop/null_backend.hpp"
#include "report/html_report.hpp"
#include "run/curve_source.hpp"
#include "run/journal.hpp"
#include "run/run_dir.hpp"
#include "run/run_id.hpp"
#include "run/run_lock.hpp"

#include <spdlog/spdlog.h>

#include <optional>

namespace asha {

namespace fs = std::filesystem;

RunRequest plan_resume(const fs::path& dir, const json& overrides,
                       const std::string& command_line) {
    RunRequest request;
    request.dir = fs::absolute(dir);
    request.command_line = command_line;
    request.resume = true;
    if (!fs::exists(request.dir / run_files::journal))
        throw Error(ExitCode::bad_config,
                    request.dir.string() +
                        ": no journal.jsonl here, so nothing to resume (is it a "
                        "run directory of asha-tune " ASHA_VERSION " or later?)");
    JournalHeader header = read_journal_header(request.dir / run_files::journal);
    std::error_code ec;
    const fs::path cwd = header.cwd;
    if (!cwd.empty() && fs::is_directory(cwd, ec) && fs::current_path(ec) != cwd) {
        spdlog::info("working in {}, where the run was started", cwd.string());
        fs::current_path(cwd, ec);
    }
    json doc = header.config;
    merge_json(doc, overrides);
    request.config = parse_experiment(doc, header.config_file);
    request.simulate = header.backend == "simulate";
    return request;
}

RunRequest plan_run(ExperimentConfig config, const NewRunOptions& options) {
    const fs::path journal = options.dir / run_files::journal;
    if (options.resume_if_exists && !options.dir.empty() && fs::exists(journal)) {
        json before = read_journal_header(journal).config, now = config.document;
        before.erase("workers");
        now.erase("workers");
        if (before != now) {
            json patch = json::diff(before, now);
            throw ConfigError(options.dir.string() +
                              " was started from a different config (first difference at " +
                              patch.at(0).value("path", std::string("/")) +
                              "); continue it as it was with: asha-tune resume " +
                              options.dir.string());
        }
        json overrides = json::object();
        overrides["workers"] = config.workers;
        return plan_resume(options.dir, overrides, options.command_line);
    }
    RunRequest request;
    request.dir = options.dir.empty() ? RunDir::default_path(config) : options.dir;
    request.config = std::move(config);
    request.command_line = options.command_line;
    request.simulate = options.simulate;
    return request;
}

namespace {

RunDirOptions run_dir_options(const RunRequest& request) {
    const bool real = !request.simulate;
    RunDirOptions options;
    options.trial_dirs = real;
    options.flush_when_idle = real;  // simulations: nothing reads the files before the end
    options.command_line = request.command_line;
    options.resume = request.resume;
    options.page_interval = real ? request.config.report_update_interval : 0;
    options.write_page = [dir = request.dir, refresh = options.page_interval](bool ended) {
        write_html_report(dir, ended, refresh);
    };
    return options;
}

/// What every run is made of, built in one order: its scheduler (with the random stream it
/// draws from) and its directory, whose lock is taken here.
/// A simulation on recorded curves reads them before anything else: its searcher draws from
/// them and its backend replays them.
struct RunParts {
    std::shared_ptr<const RecordedCurves> recorded;
    Rng rng;
    std::unique_ptr<Scheduler> scheduler;
    RunDir dir;

    RunParts(const RunRequest& request, RunDirOptions options,
             std::shared_ptr<const RecordedCurves> curves)
        : recorded(std::move(curves)),
          rng(request.config.seed),
          scheduler(make_scheduler(request.config, rng, recorded.get())),
          dir(request.dir, request.config, std::move(options)) {}
};

/// The recorded curves a simulation replays, or nullptr (a benchmark, or a real run).
std::shared_ptr<const RecordedCurves> recorded_curves(const RunRequest& request) {
    return request.simulate ? load_recorded_curves(request.config) : nullptr;
}

/// A journal replayed into a Tuner (asha-tune resume, and refreshing a dead run's files): the
/// one way in for both. A run that had ended gets its files rewritten from the journal.
struct Replayed {
    ReplayResult replay;
    std::optional<RunSummary> ended;  ///< the ended run's summary, as rewritten
};

Replayed replay_journal(Tuner& tuner, RunDir& dir, const JournalContents& journal) {
    Replayed out{tuner.restore(journal), std::nullopt};
    dir.replay_done();
    if (out.replay.finished) out.ended = tuner.rewrite_ended_run();
    return out;
}

RunOutcome outcome_of(const Tuner& tuner, const RunDir& dir, RunSummary summary, ExitCode code) {
    RunOutcome out;
    out.dir = dir.path();
    out.summary = std::move(summary);
    out.exit_code = code;
    out.trials = tuner.trials();
    out.rungs = tuner.scheduler().rungs();
    return out;
}

}  // namespace

bool refresh_run(const fs::path& dir) {
    // A tuner removes tuner.pid once it has written every file of the run: one that is still
    // there, and that no live tuner holds, was left by a tuner that died first.
    if (!fs::exists(dir / run_files::journal) || !fs::exists(dir / run_files::tuner_pid) ||
        RunLock::held(dir))
        return false;
    const JournalHeader header = read_journal_header(dir / run_files::journal);
    RunRequest request;
    request.dir = fs::absolute(dir);
    request.config = parse_experiment(header.config, header.config_file);
    request.resume = true;
    request.simulate = header.backend == "simulate";
    request.command_line = header.command_line;
    RunDirOptions options = run_dir_options(request);
    options.page_interval = 0;  // no live page: nothing runs
    RunParts run(request, std::move(options), recorded_curves(request));
    const JournalContents journal = read_journal(dir / run_files::journal);
    // Nothing runs: a backend that says only whether legs waited in a queue, as the real one.
    NullBackend backend(!request.simulate &&
                        request.config.backend.type == BackendSpec::Type::slurm);
    Tuner tuner(request.config, *run.scheduler, backend, &run.dir);
    if (!replay_journal(tuner, run.dir, journal).ended) {
        run.dir.snapshot(tuner.trials());
        write_html_report(request.dir, false, 0);
        run.dir.files_complete();
    }
    return true;
}

RunOutcome run_experiment(const RunRequest& request, const RunEnvironment& environment) {
    const ExperimentConfig& c = request.config;
    std::shared_ptr<const RecordedCurves> recorded = recorded_curves(request);
    // Checks the command, GPUs, benchmark first.
    BackendFactory backends(c, request.simulate, recorded.get());
    RunDirOptions dir_options = run_dir_options(request);
    if (!request.resume) dir_options.run_id = new_run_id();
    RunParts run(request, dir_options, recorded);
    RunDir& dir = run.dir;
    const fs::path journal_path = dir.path() / run_files::journal;
    std::optional<JournalContents> journal;
    std::string run_id = dir_options.run_id;
    if (request.resume) {
        journal = read_journal(journal_path);
        run_id = journal->header.run_id;
        if (!valid_run_id(run_id)) {
            // Started by an asha-tune without run ids: what it left is found by its own
            // handles; what this tuner starts gets an id of its own.
            run_id = new_run_id();
            spdlog::info("{} has no run id (an older asha-tune started it): new legs use {}",
                         dir.path().string(), run_id);
        }
    }
    // Simulations keep records in memory: nothing outside the run directory depends on them.
    JournalWriter journal_writer(
        journal_path, request.simulate ? JournalSync::never : c.journal_fsync, request.simulate,
        journal ? std::optional(journal->good_bytes) : std::nullopt);
    if (!journal)
        journal_writer.append(make_journal_header(c.document, c.file, backends.journal_name(),
                                                  request.command_line, run_id));
    std::unique_ptr<Backend> backend = backends.create(dir.path(), run_id, environment.wake_fd);
    Tuner tuner(c, *run.scheduler, *backend, &dir, environment.progress);
    tuner.set_journal(&journal_writer);
    // The run's identity as its files record it ("" for a run of a version before run ids).
    const std::string recorded_id = journal ? journal->header.run_id : run_id;
    if (journal) {
        if (journal->torn_bytes)
            spdlog::warn("{}: dropped its torn last line ({} bytes), written as the tuner died",
                         journal_path.string(), journal->torn_bytes);
        const Replayed replayed = replay_journal(tuner, dir, *journal);
        const ReplayResult& replay = replayed.replay;
        if (replayed.ended) {
            // Its files may be missing or stale: the journal decides.
            RunOutcome out = outcome_of(tuner, dir, *replayed.ended, ExitCode::ok);
            out.run_id = recorded_id;
            out.summary.stop_reason = replay.stop_reason;
            out.already_ended = true;
            return out;
        }
        if (std::string said = backend->reclaim(replay.running_legs); !said.empty())
            spdlog::warn("{}", said);
        spdlog::info(
            "resuming {}: replayed {} journal records, {} trial(s) started, {} leg(s) "
            "were running",
            dir.path().string(), replay.records, tuner.trials().size(), replay.running);
    } else if (request.simulate) {
        if (recorded)
            spdlog::info(
                "simulating {} on {} recorded curves of {} with {} workers (virtual time); "
                "results in {}",
                c.name, recorded->curves.size(), recorded->source, c.workers, dir.path().string());
        else
            spdlog::info(
                "simulating {} on benchmark {} with {} workers (virtual time); results in {}",
                c.name, c.benchmark, c.workers, dir.path().string());
    } else {
        spdlog::info("results of trials will be saved in {}", dir.path().string());
    }
    RunResult result = tuner.run();
    RunOutcome out = outcome_of(tuner, dir, result.summary, result.exit_code);
    out.run_id = recorded_id;
    return out;
}

}  // namespace asha
