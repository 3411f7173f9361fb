#include "backends/local_backend.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace asha {

namespace fs = std::filesystem;

namespace {
// Bytes read from one pipe per turn of the poll loop. A flooding trial yields at most this
// much (some 80 reports) before every other trial's pipe is looked at again: the bound on how
// late a well-behaved trial is heard (bench/flood_latency.py), and on the events queued at once.
constexpr std::size_t kReadChunk = 4 * 1024;
constexpr std::size_t kStderrTail = 2048;
/// Printed on the node when a Slurm job starts (srun_argv): its leg is no longer Pending.
constexpr const char* kRunningMarker = "[asha-running]";

std::string last_lines(const std::string& text, int lines) {
    std::size_t end = text.size();
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r')) --end;
    std::size_t start = end;
    for (int n = 0; start > 0; --start)
        if (text[start - 1] == '\n' && ++n == lines) break;
    std::string out = text.substr(start, end - start);
    for (char& ch : out)
        if (ch == '\n') ch = '|';
    return out;
}
}  // namespace

LocalBackendOptions make_local_options(const ExperimentConfig& c) {
    if (c.command.empty())
        throw ConfigError(c.file +
                          ": $: missing \"command\" (the training command to run, e.g. "
                          "[\"/usr/bin/python3\", \"train.py\"]); to try the config without one, "
                          "use `asha-tune simulate`");
    LocalBackendOptions o;
    o.command = c.command;
    o.metric = c.metric;
    o.resource_attr = c.resource_attr;
    o.max_resource_attr = c.max_resource_attr;
    o.report_format = c.report_format;
    o.working_dir = c.working_dir;
    o.env = c.env;
    o.stop_grace_period = c.stop_grace_period;
    o.gpus_per_trial = c.gpus.gpus_per_trial;
    o.trials_per_gpu = c.gpus.trials_per_gpu;
    if (!c.working_dir.empty() && !fs::is_directory(c.working_dir))
        throw Error(ExitCode::cannot_start, "working_dir " + c.working_dir + " is not a directory");
    if (find_executable(c.command[0], c.working_dir).empty())
        throw Error(ExitCode::cannot_start,
                    "command not found or not executable: " + c.command[0] +
                        (c.command[0].find('/') == std::string::npos ? " (searched PATH)" : ""));
    if (c.backend.type == BackendSpec::Type::slurm) {
        for (const char* tool : {"srun", "scancel", "squeue"})
            if (find_executable(tool).empty())
                throw Error(ExitCode::cannot_start,
                            std::string("backend slurm: ") + tool +
                                " not found in PATH (run asha-tune where Slurm's commands work, "
                                "e.g. a login node)");
        o.slurm = c.backend;
        return o;  // Slurm binds the GPUs: no local pool, CUDA_VISIBLE_DEVICES is Slurm's
    }
    switch (c.gpus.source) {
        case GpuSpec::Source::none:
            break;
        case GpuSpec::Source::list:
            o.gpus = c.gpus.ids;
            break;
        case GpuSpec::Source::automatic:
            o.gpus = GpuPool::detect();
            if (o.gpus.empty())
                spdlog::info(
                    "no GPUs found (nvidia-smi missing or failing): CUDA_VISIBLE_DEVICES is left "
                    "as it is");
            else
                spdlog::info("detected {} GPUs: {}", o.gpus.size(), GpuPool::format(o.gpus));
            break;
    }
    if (!o.gpus.empty()) {
        if (o.gpus_per_trial > static_cast<int>(o.gpus.size()))
            throw ConfigError(c.file + ": $.gpus_per_trial: expected at most the " +
                              std::to_string(o.gpus.size()) + " GPUs available, found " +
                              std::to_string(o.gpus_per_trial));
        int capacity = GpuPool(o.gpus, o.gpus_per_trial, o.trials_per_gpu).capacity();
        if (c.workers > capacity)
            throw ConfigError(c.file + ": $.workers: expected at most " + std::to_string(capacity) +
                              " workers for " + std::to_string(o.gpus.size()) +
                              " GPUs with gpus_per_trial " + std::to_string(o.gpus_per_trial) +
                              " and trials_per_gpu " + std::to_string(o.trials_per_gpu) +
                              ", found " + std::to_string(c.workers) +
                              " (set trials_per_gpu to share GPUs)");
    }
    return o;
}

std::vector<std::string> trial_argv(const std::vector<std::string>& command, const Config& config,
                                    const std::string& max_resource_attr, double milestone,
                                    const std::string& checkpoint_dir) {
    std::vector<std::string> argv = command;
    bool milestone_written = false;
    auto milestone_text = [&] {
        return format_value(std::floor(milestone) == milestone
                                ? json(static_cast<std::int64_t>(milestone))
                                : json(milestone));
    };
    for (const auto& [name, value] : config.items()) {
        argv.push_back("--" + name);
        if (name == max_resource_attr && milestone > 0) {
            argv.push_back(milestone_text());
            milestone_written = true;
        } else {
            argv.push_back(format_value(value));
        }
    }
    if (!max_resource_attr.empty() && !milestone_written && milestone > 0) {
        argv.push_back("--" + max_resource_attr);
        argv.push_back(milestone_text());
    }
    argv.push_back("--st_checkpoint_dir");
    argv.push_back(checkpoint_dir);
    return argv;
}

LocalBackend::RunningChild::~RunningChild() {
    if (stdout_log) std::fclose(stdout_log);
    if (stderr_log) std::fclose(stderr_log);
}

LocalBackend::LocalBackend(LocalBackendOptions options)
    : options_(std::move(options)),
      parser_(options_.report_format, options_.metric, options_.resource_attr),
      gpu_pool_(options_.gpus, options_.gpus_per_trial, options_.trials_per_gpu),
      base_env_(current_environment()),
      epoch_(std::chrono::steady_clock::now()),
      buffer_(kReadChunk) {
    become_subreaper();
    std::vector<std::string> overridden = {"ASHA_TRIAL_ID", "ASHA_TRIAL_DIR", "ASHA_CHECKPOINT_DIR",
                                           "ASHA_RUN_DIR"};
    if (!gpu_pool_.empty()) overridden.push_back("CUDA_VISIBLE_DEVICES");
    for (const auto& [key, value] : options_.env) overridden.push_back(key);
    std::erase_if(base_env_, [&](const std::string& entry) {
        std::string key = entry.substr(0, entry.find('='));
        return std::find(overridden.begin(), overridden.end(), key) != overridden.end();
    });
    for (const auto& [key, value] : options_.env) base_env_.push_back(key + "=" + value);
    // Python block-buffers stdout into a pipe: a script that prints reports without flush=True
    // would deliver them all at exit, too late for early stopping. Unless told otherwise,
    // trials run unbuffered.
    bool python_buffering_set = false;
    for (const auto& entry : base_env_)
        python_buffering_set |= entry.rfind("PYTHONUNBUFFERED=", 0) == 0;
    if (!python_buffering_set) base_env_.push_back("PYTHONUNBUFFERED=1");
}

std::string trial_marker(const fs::path& run_dir) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(run_dir), ec);
    return "ASHA_RUN_DIR=" + (ec ? fs::absolute(run_dir) : canonical).string();
}

LocalBackend::~LocalBackend() {
    // A destructor that throws ends the process with std::terminate (SIGABRT): whatever fails
    // here is logged, and the rest of the clean-up still runs.
    try {
        kill_all_now();
    } catch (const std::exception& e) {
        spdlog::error("stopping the remaining trials: {}", e.what());
    }
    try {
        // Descendants that left their trial's process group and session (double fork + setsid)
        // still carry the run's marker: none of them outlives the tuner.
        if (std::size_t n = kill_marked_processes(trial_marker(options_.run_dir)))
            spdlog::warn(
                "killed {} process(es) that trials had left behind outside their process "
                "groups",
                n);
    } catch (const std::exception& e) {
        spdlog::error("looking for processes the trials left behind: {}", e.what());
    }
}

std::size_t cancel_slurm_jobs(const std::vector<std::string>& job_names) {
    std::size_t cancelled = 0;
    for (const auto& name : job_names) cancelled += run_command({"scancel", "--name=" + name}) == 0;
    return cancelled;
}

void LocalBackend::kill_all_now() {
    // Last line of defence (an exception unwinding the tuner): no trial outlives the backend.
    if (options_.slurm) {
        std::vector<std::string> names;
        for (auto& [id, rc] : children_) names.push_back(rc->job_name);
        cancel_slurm_jobs(names);
    }
    for (auto& [id, rc] : children_) {
        ::kill(-rc->child.pid, SIGKILL);
        int status = 0;
        ::waitpid(rc->child.pid, &status, 0);
        kill_and_reap_group(rc->child.pid);
    }
    children_.clear();
}

double LocalBackend::now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_).count();
}

std::string LocalBackend::gpus_of(TrialId trial) const {
    auto it = children_.find(trial);
    return it == children_.end() ? "" : GpuPool::format(it->second->gpus);
}

void LocalBackend::start(const TrialLaunch& launch) {
    fs::path trial_dir =
        fs::absolute(options_.run_dir / run_files::trials_dir / std::to_string(launch.trial_id));
    fs::path checkpoints = trial_dir / run_files::trial_checkpoints;
    std::error_code ec;
    fs::create_directories(checkpoints, ec);
    if (ec)
        throw Error(ExitCode::runtime,
                    "cannot create " + checkpoints.string() + ": " + ec.message());

    auto rc = std::make_unique<RunningChild>(options_.max_line);
    rc->trial = launch.trial_id;
    SpawnSpec spec;
    spec.argv = trial_argv(options_.command, launch.config, options_.max_resource_attr,
                           launch.milestone, checkpoints.string());
    if (options_.slurm) {
        rc->job_name = options_.job_prefix + "-" + std::to_string(launch.trial_id);
        spec.argv = srun_argv(*rc, spec.argv);
    }
    spec.cwd = options_.working_dir;
    spec.env = base_env_;
    spec.env.push_back("ASHA_TRIAL_ID=" + std::to_string(launch.trial_id));
    spec.env.push_back("ASHA_TRIAL_DIR=" + trial_dir.string());
    spec.env.push_back("ASHA_CHECKPOINT_DIR=" + checkpoints.string());
    spec.env.push_back(trial_marker(options_.run_dir));
    if (!gpu_pool_.empty()) {
        rc->gpus = gpu_pool_.acquire();
        if (rc->gpus.empty())
            throw std::logic_error("no free GPU for a trial: more workers than GPU slots");
        spec.env.push_back("CUDA_VISIBLE_DEVICES=" + GpuPool::format(rc->gpus));
    }
    // Logs are appended: a resumed leg continues the same files.
    rc->stdout_log = std::fopen((trial_dir / run_files::trial_stdout).c_str(), "abe");
    rc->stderr_log = std::fopen((trial_dir / run_files::trial_stderr).c_str(), "abe");
    if (!rc->stdout_log || !rc->stderr_log)
        throw Error(ExitCode::runtime,
                    "cannot open the logs in " + trial_dir.string() + ": " + std::strerror(errno));
    try {
        rc->child = spawn_child(spec);
    } catch (const std::system_error& e) {
        gpu_pool_.release(rc->gpus);
        throw Error(ExitCode::cannot_start,
                    std::string(e.what()) + " (trial " + std::to_string(launch.trial_id) + ")");
    }
    children_.emplace(launch.trial_id, std::move(rc));
}

std::vector<std::string> LocalBackend::srun_argv(const RunningChild& rc,
                                                 const std::vector<std::string>& trial) const {
    const BackendSpec& s = *options_.slurm;
    std::vector<std::string> argv = {"srun",       "--job-name=" + rc.job_name,
                                     "--ntasks=1", "--nodes=1",
                                     "--quiet",    "--kill-on-bad-exit=1"};
    if (!s.partition.empty()) argv.push_back("--partition=" + s.partition);
    if (s.gpus_per_trial > 0) argv.push_back("--gres=gpu:" + std::to_string(s.gpus_per_trial));
    if (s.cpus_per_trial > 0) argv.push_back("--cpus-per-task=" + std::to_string(s.cpus_per_trial));
    if (!s.mem.empty()) argv.push_back("--mem=" + s.mem);
    if (!s.time_limit.empty()) argv.push_back("--time=" + s.time_limit);
    argv.insert(argv.end(), s.extra_args.begin(), s.extra_args.end());
    // On the node, a marker line says the job left the queue, then the trial's own argv runs.
    argv.insert(
        argv.end(),
        {"/bin/sh", "-c", std::string("echo '") + kRunningMarker + "'; exec \"$@\"", "asha-trial"});
    argv.insert(argv.end(), trial.begin(), trial.end());
    return argv;
}

void LocalBackend::resume_leg(const TrialLaunch& launch, const LegProgress& progress) {
    const bool reached = reached_level(progress.resource, launch.milestone);
    if (!progress.stopping && !reached) {
        start(launch);
        return;
    }
    BackendEvent event;
    event.kind = BackendEvent::Kind::exit;
    event.trial_id = launch.trial_id;
    event.exit.signal = progress.stopping ? SIGKILL : 0;  // what the resume's cleanup did
    event.exit.stopped_by_tuner = progress.stopping;
    pending_.push_back(std::move(event));
}

std::string LocalBackend::handle_of(TrialId trial) const {
    auto it = children_.find(trial);
    if (it == children_.end()) return "";
    return options_.slurm ? "slurm " + it->second->job_name
                          : "pgid " + std::to_string(it->second->child.pid);
}

std::string LocalBackend::reclaim(const std::vector<std::string>& handles) {
    std::vector<pid_t> groups;
    std::vector<std::string> jobs;
    for (const auto& handle : handles) {
        if (handle.rfind("pgid ", 0) == 0) {
            char* end = nullptr;
            const long pgid = std::strtol(handle.c_str() + 5, &end, 10);
            if (*end == '\0' && pgid > 1) groups.push_back(static_cast<pid_t>(pgid));
        } else if (handle.rfind("slurm ", 0) == 0) {
            jobs.push_back(handle.substr(6));
        }
    }
    std::string said;
    if (std::size_t n = cancel_slurm_jobs(jobs))
        said = "cancelled " + std::to_string(n) + " Slurm job(s) of the previous tuner";
    if (std::size_t n = kill_marked_processes(trial_marker(options_.run_dir), groups))
        said += (said.empty() ? "" : "; ") + std::string("killed ") + std::to_string(n) +
                " leftover trial process(es) of the previous tuner";
    return said;
}

void LocalBackend::signal_leg(RunningChild& rc, bool kill) {
    if (!options_.slurm) {
        ::kill(-rc.child.pid, kill ? SIGKILL : SIGTERM);
        return;
    }
    // Slurm stops the job where it runs: SIGTERM to the step, then a full cancel (SIGKILL
    // after the cluster's KillWait). srun then exits by itself and is reaped as usual; a
    // pending job is simply removed from the queue.
    int rc_code = run_command(
        kill ? std::vector<std::string>{"scancel", "--name=" + rc.job_name}
             : std::vector<std::string>{"scancel", "--signal=TERM", "--name=" + rc.job_name});
    if (!rc.running || rc_code != 0)  // a queued job has no step to signal: cancel it
        run_command({"scancel", "--name=" + rc.job_name});
}

void LocalBackend::stop(TrialId trial, bool immediately) {
    auto it = children_.find(trial);
    if (it == children_.end()) return;
    RunningChild& rc = *it->second;
    if (immediately || options_.stop_grace_period <= 0) {
        signal_leg(rc, true);
        rc.killed = true;
    } else if (!rc.stopping) {
        signal_leg(rc, false);
        rc.kill_at = now() + options_.stop_grace_period;
    }
    rc.stopping = true;
}

void LocalBackend::on_line(RunningChild& rc, std::string_view line, bool cut) {
    if (options_.slurm && !rc.running && line == kRunningMarker) {
        rc.running = true;
        BackendEvent running;
        running.kind = BackendEvent::Kind::running;
        running.trial_id = rc.trial;
        pending_.push_back(std::move(running));
        return;
    }
    if (cut) {
        BackendEvent warning;
        warning.kind = BackendEvent::Kind::warning;
        warning.trial_id = rc.trial;
        warning.message = "long-line: cut a stdout line longer than " +
                          std::to_string(options_.max_line) + " bytes";
        pending_.push_back(std::move(warning));
    }
    ParsedLine parsed = parser_.parse(line);
    if (parsed.kind == ParsedLine::Kind::log) return;
    BackendEvent event;
    event.trial_id = rc.trial;
    if (parsed.kind == ParsedLine::Kind::invalid) {
        event.kind = BackendEvent::Kind::warning;
        event.message = parsed.problem_kind + ": ignored a report: " + parsed.problem;
    } else {
        event.kind = BackendEvent::Kind::report;
        event.report = std::move(parsed.report);
    }
    pending_.push_back(std::move(event));
}

void LocalBackend::write_log(const RunningChild& rc, std::FILE* log, std::string_view bytes,
                             const char* name) const {
    // A log that cannot be written (full disk) ends the run: going on would lose output.
    if (std::fwrite(bytes.data(), 1, bytes.size(), log) != bytes.size() || std::fflush(log) != 0)
        throw Error(ExitCode::runtime,
                    "cannot write " +
                        (options_.run_dir / run_files::trials_dir / std::to_string(rc.trial) / name)
                            .string() +
                        ": " + std::strerror(errno));
}

void LocalBackend::read_stdout(RunningChild& rc, bool until_eof) {
    do {
        ssize_t n = ::read(rc.child.stdout_fd.get(), buffer_.data(), buffer_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0 || errno != EAGAIN) {
                rc.lines.finish([&](std::string_view line, bool cut) { on_line(rc, line, cut); });
                rc.child.stdout_fd.reset();
            }
            return;
        }
        std::string_view bytes(buffer_.data(), static_cast<std::size_t>(n));
        write_log(rc, rc.stdout_log, bytes, run_files::trial_stdout);
        rc.lines.feed(bytes, [&](std::string_view line, bool cut) { on_line(rc, line, cut); });
    } while (until_eof);
}

void LocalBackend::read_stderr(RunningChild& rc, bool until_eof) {
    do {
        ssize_t n = ::read(rc.child.stderr_fd.get(), buffer_.data(), buffer_.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0 || errno != EAGAIN) rc.child.stderr_fd.reset();
            return;
        }
        write_log(rc, rc.stderr_log, std::string_view(buffer_.data(), static_cast<std::size_t>(n)),
                  run_files::trial_stderr);
        rc.stderr_tail.append(buffer_.data(), static_cast<std::size_t>(n));
        if (rc.stderr_tail.size() > 2 * kStderrTail)
            rc.stderr_tail.erase(0, rc.stderr_tail.size() - kStderrTail);
    } while (until_eof);
}

void LocalBackend::reap(std::map<TrialId, std::unique_ptr<RunningChild>>::iterator it) {
    RunningChild& rc = *it->second;
    int status = 0;
    if (::waitpid(rc.child.pid, &status, WNOHANG) <= 0) return;  // pidfd woke us early: not yet
    // The leader is gone; whatever it left in its process group goes with it. The pipes then
    // hold everything it wrote, so a non-blocking drain reads the last reports too.
    kill_and_reap_group(rc.child.pid);
    if (rc.child.stdout_fd.valid()) read_stdout(rc, true);
    if (rc.child.stderr_fd.valid()) read_stderr(rc, true);
    rc.lines.finish([&](std::string_view line, bool cut) { on_line(rc, line, cut); });
    BackendEvent event;
    event.kind = BackendEvent::Kind::exit;
    event.trial_id = rc.trial;
    if (WIFEXITED(status)) event.exit.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) event.exit.signal = WTERMSIG(status);
    event.exit.stopped_by_tuner = rc.stopping;
    event.exit.stderr_tail = last_lines(rc.stderr_tail, 3);
    if (options_.slurm && !rc.stopping && (event.exit.signal || event.exit.exit_code)) {
        // Slurm's word on it (FAILED NonZeroExitCode, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY,
        // PREEMPTED...) goes first in the error.
        std::string state;
        run_command({"squeue", "-h", "-t", "all", "-n", rc.job_name, "-o", "%T %r"}, &state);
        state = last_lines(state, 1);
        // Right after srun exits the job may still be COMPLETING: then only the reason is final.
        for (const char* transient : {"COMPLETING ", "RUNNING "})
            if (state.rfind(transient, 0) == 0) state.erase(0, std::strlen(transient));
        if (!state.empty())
            event.exit.stderr_tail = "Slurm: " + state + "; " + event.exit.stderr_tail;
    }
    gpu_pool_.release(rc.gpus);
    pending_.push_back(std::move(event));
    children_.erase(it);
}

void LocalBackend::kill_overdue() {
    double t = now();
    for (auto& [id, rc] : children_) {
        if (rc->stopping && !rc->killed && t >= rc->kill_at) {
            spdlog::debug("(trial {}) still running {} s after SIGTERM: SIGKILL", id,
                          options_.stop_grace_period);
            signal_leg(*rc, true);
            rc->killed = true;
        }
    }
}

std::optional<BackendEvent> LocalBackend::next_event(double deadline) {
    std::vector<pollfd> fds;
    std::vector<std::pair<RunningChild*, int>> owners;  // (child, 0 stdout / 1 stderr / 2 pidfd)
    for (;;) {
        if (!pending_.empty()) {
            BackendEvent event = std::move(pending_.front());
            pending_.pop_front();
            return event;
        }
        kill_overdue();
        double wake = deadline;
        for (auto& [id, rc] : children_)
            if (rc->stopping && !rc->killed) wake = std::min(wake, rc->kill_at);
        double t = now();
        if (t >= deadline) return std::nullopt;
        fds.clear();
        owners.clear();
        if (options_.wake_fd >= 0) {
            fds.push_back({options_.wake_fd, POLLIN, 0});
            owners.emplace_back(nullptr, -1);
        }
        for (auto& [id, rc] : children_) {
            if (rc->child.stdout_fd.valid()) {
                fds.push_back({rc->child.stdout_fd.get(), POLLIN, 0});
                owners.emplace_back(rc.get(), 0);
            }
            if (rc->child.stderr_fd.valid()) {
                fds.push_back({rc->child.stderr_fd.get(), POLLIN, 0});
                owners.emplace_back(rc.get(), 1);
            }
            fds.push_back({rc->child.pidfd.get(), POLLIN, 0});
            owners.emplace_back(rc.get(), 2);
        }
        double wait = std::max(0.0, wake - t);
        int timeout_ms =
            std::isinf(wait) ? -1 : static_cast<int>(std::min(std::ceil(wait * 1000), 3.6e6));
        int n = ::poll(fds.data(), fds.size(), timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        std::vector<TrialId> exited;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (!fds[i].revents) continue;
            auto [rc, what] = owners[i];
            if (!rc) {
                unsigned char sig = 0;
                while (::read(options_.wake_fd, &sig, 1) == 1) {
                    BackendEvent event;
                    event.kind = BackendEvent::Kind::interrupted;
                    event.signal = sig;
                    pending_.push_back(event);
                }
            } else if (what == 0) {
                read_stdout(*rc, false);
            } else if (what == 1) {
                read_stderr(*rc, false);
            } else {
                exited.push_back(rc->trial);
            }
        }
        for (TrialId id : exited) {
            auto it = children_.find(id);
            if (it != children_.end()) reap(it);
        }
    }
}

}  // namespace asha
