#include "backends/slurm_launcher.hpp"

#include "asha/errors.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace asha {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kJobHandle = "slurm";
constexpr std::string_view kStepHandle = "slurm-step";

std::string last_line(const std::string& text) {
    std::size_t end = text.find_last_not_of("\r\n");
    if (end == std::string::npos) return "";
    std::size_t start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

std::string join(const std::set<std::string>& items, const char* separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

/// Variables by which srun knows it runs inside an allocation: left out of a job's environment
/// when legs are to be jobs of their own.
bool allocation_variable(const std::string& entry) {
    return entry.rfind("SLURM_JOB_ID=", 0) == 0 || entry.rfind("SLURM_JOBID=", 0) == 0;
}

}  // namespace

std::string slurm_job_prefix(const fs::path& run_dir, const std::string& run_id) {
    std::string label;
    for (const auto& part : run_dir.lexically_normal())
        if (!part.empty() && part != "." && part != "/") label = part.string();
    if (label == "..") label.clear();
    for (char& c : label)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
            c = '_';
    if (label.size() > 24) label.resize(24);
    return "asha-" + (label.empty() ? std::string("run") : label) + "-" + run_id;
}

SlurmLauncherOptions slurm_launcher_options(const ExperimentConfig& c, const fs::path& run_dir,
                                            const std::string& run_id) {
    for (const char* tool : {"srun", "scancel", "squeue"})
        if (find_executable(tool).empty())
            throw Error(ExitCode::cannot_start,
                        std::string("backend slurm: ") + tool +
                            " not found in PATH (run asha-tune where Slurm's commands work, "
                            "e.g. a login node or a batch script)");
    SlurmLauncherOptions o;
    o.spec = c.backend;
    o.run_dir = run_dir;
    o.job_prefix = slurm_job_prefix(run_dir, run_id);
    const char* job = std::getenv("SLURM_JOB_ID");
    switch (c.backend.mode) {
        case BackendSpec::SlurmMode::automatic:
            o.steps = job && *job;
            break;
        case BackendSpec::SlurmMode::jobs:
            break;
        case BackendSpec::SlurmMode::steps:
            if (!job || !*job)
                throw ConfigError(c.file +
                                  ": $.backend.mode: \"steps\" runs legs as steps of the "
                                  "allocation asha-tune runs in, but SLURM_JOB_ID is not set "
                                  "(start asha-tune from a batch script or salloc)");
            o.steps = true;
            break;
    }
    if (o.steps) {
        o.allocation = job;
        if (!o.spec.partition.empty())
            spdlog::warn(
                "backend slurm: legs are steps of job {}: partition {} is the "
                "allocation's business and is not passed to the steps",
                o.allocation, o.spec.partition);
    }
    return o;
}

std::string SlurmHandle::encode() const {
    std::string text = step ? std::string(kStepHandle) + " " + allocation : std::string(kJobHandle);
    text += " " + name;
    if (!id.empty()) text += " " + id;
    return text;
}

std::optional<SlurmHandle> SlurmHandle::decode(const std::string& handle) {
    std::istringstream in(handle);
    std::string kind;
    SlurmHandle h;
    in >> kind;
    h.step = kind == kStepHandle;
    if (!h.step && kind != kJobHandle) return std::nullopt;
    if (h.step && !(in >> h.allocation)) return std::nullopt;
    if (!(in >> h.name)) return std::nullopt;
    in >> h.id;  // optional
    std::string rest;
    if (in >> rest) return std::nullopt;
    return h;
}

std::vector<std::string> srun_argv(const SlurmLauncherOptions& o, const std::string& job_name,
                                   const std::vector<std::string>& trial) {
    const BackendSpec& s = o.spec;
    std::vector<std::string> argv = {"srun",    "--job-name=" + job_name, "--ntasks=1", "--nodes=1",
                                     "--quiet", "--kill-on-bad-exit=1"};
    if (o.steps) {
        // A step of our allocation, with CPUs (and GPUs) of its own: steps never share them,
        // and one that finds none free waits until a step ends.
        argv.insert(argv.begin() + 1, {"--jobid=" + o.allocation, "--exclusive"});
    } else if (!s.partition.empty()) {
        argv.push_back("--partition=" + s.partition);
    }
    if (s.gpus_per_trial > 0) argv.push_back("--gres=gpu:" + std::to_string(s.gpus_per_trial));
    if (s.cpus_per_trial > 0) argv.push_back("--cpus-per-task=" + std::to_string(s.cpus_per_trial));
    if (!s.mem.empty()) argv.push_back("--mem=" + s.mem);
    if (!s.time_limit.empty()) argv.push_back("--time=" + s.time_limit);
    argv.insert(argv.end(), s.extra_args.begin(), s.extra_args.end());
    // On the node, a marker line says the leg left the queue (and which job and step it is),
    // then the trial's own argv runs.
    argv.insert(argv.end(), {"/bin/sh", "-c",
                             "echo \"" + std::string(SlurmLauncher::kRunningMarker) +
                                 " $SLURM_JOB_ID.$SLURM_STEP_ID\"; exec \"$@\"",
                             "asha-trial"});
    argv.insert(argv.end(), trial.begin(), trial.end());
    return argv;
}

std::unique_ptr<Launcher> make_slurm_launcher(SlurmLauncherOptions options) {
    if (options.steps) return std::make_unique<SlurmStepsLauncher>(std::move(options));
    return std::make_unique<SlurmJobsLauncher>(std::move(options));
}

LaunchPlan SlurmLauncher::plan(const LegSpec& leg, TrialProcess& process) {
    LaunchPlan plan;
    plan.spawn.argv = srun_argv(options_, job_name(process), leg.argv);
    plan.spawn.env = leg.env;
    adapt_environment(plan.spawn.env);
    plan.spawn.cwd = leg.cwd;
    return plan;  // output on srun's pipes
}

bool SlurmLauncher::take_line(TrialProcess& process, std::string_view line) {
    if (process.running || line.substr(0, kRunningMarker.size()) != kRunningMarker) return false;
    std::string id(line.substr(kRunningMarker.size()));
    id.erase(0, id.find_first_not_of(' '));
    ids_[process.trial] = id_of(id);
    process.running = true;
    return true;
}

void SlurmLauncher::stop(TrialProcess& process, bool kill) {
    if (!process.running) {
        stop_queued(process);  // no job or step to signal by id yet
        return;
    }
    const std::string& id = slurm_id(process);
    if (id.empty()) return;
    // SIGTERM to the step (a job: its steps), then a full cancel (SIGKILL after KillWait).
    (kill ? cancel_ : term_).insert(id);
}

std::vector<ControlCommand> SlurmLauncher::take_commands() {
    std::vector<ControlCommand> commands;
    auto add = [&](std::vector<std::string> argv, const std::set<std::string>& ids) {
        argv.insert(argv.end(), ids.begin(), ids.end());
        // A leg that has just ended is no longer there to be cancelled: scancel says so and
        // fails, which changes nothing.
        const std::string what = join(ids, " ");
        commands.push_back({std::move(argv), [what](int status, const std::string&) {
                                if (status != 0) spdlog::debug("scancel {}: exit {}", what, status);
                            }});
    };
    if (!term_.empty()) add({"scancel", "--signal=TERM"}, term_);
    if (!cancel_.empty()) add({"scancel"}, cancel_);
    // scancel takes one name at a time; a queued job's cancel is rare (a stop while queued).
    for (const auto& name : cancel_names_)
        commands.push_back({{"scancel", "--name=" + name}, nullptr});
    term_.clear();
    cancel_.clear();
    cancel_names_.clear();
    return commands;
}

std::string SlurmLauncher::job_name(const TrialProcess& process) const {
    return options_.job_prefix + "-" + std::to_string(process.trial);
}

const std::string& SlurmLauncher::slurm_id(const TrialProcess& process) const {
    static const std::string none;
    const auto it = ids_.find(process.trial);
    return it == ids_.end() ? none : it->second;
}

void SlurmLauncher::release(TrialProcess& process) {
    ids_.erase(process.trial);
}

TrialExit SlurmLauncher::describe_exit(TrialProcess& process) {
    TrialExit exit;
    const int status = process.wait_status;
    if (WIFEXITED(status)) exit.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
    return exit;
}

void SlurmLauncher::kill_now(const std::vector<TrialProcess*>& legs) {
    std::set<std::string> ids;
    for (TrialProcess* leg : legs)
        if (!slurm_id(*leg).empty()) ids.insert(slurm_id(*leg));
    if (!ids.empty()) {
        std::vector<std::string> argv = {"scancel"};
        argv.insert(argv.end(), ids.begin(), ids.end());
        run_command(argv);
    }
    for (TrialProcess* leg : legs)
        if (slurm_id(*leg).empty()) stop_queued(*leg);
    for (const auto& name : cancel_names_) run_command({"scancel", "--name=" + name});
    cancel_names_.clear();
    for (TrialProcess* leg : legs) ::kill(-leg->pid, SIGKILL);  // srun leads its own group
}

// --- jobs ---

std::string SlurmJobsLauncher::id_of(const std::string& job_dot_step) const {
    return job_dot_step.substr(0, job_dot_step.find('.'));
}

void SlurmJobsLauncher::stop_queued(TrialProcess& process) {
    cancel_names_.insert(job_name(process));
}

void SlurmJobsLauncher::adapt_environment(std::vector<std::string>& env) const {
    std::erase_if(env, allocation_variable);  // a job of its own even inside an allocation
}

/// Slurm's word on a job that failed, from squeue's "STATE REASON" line, goes first in its
/// error. Right after srun exits the job may still be COMPLETING: then only the reason is final.
static void explain_with_slurm_state(TrialExit& exit, const std::string& query_output) {
    std::string state = last_line(query_output);
    for (const char* transient : {"COMPLETING ", "RUNNING "})
        if (state.rfind(transient, 0) == 0) state.erase(0, std::strlen(transient));
    if (!state.empty()) exit.stderr_tail = "Slurm: " + state + "; " + exit.stderr_tail;
}

std::optional<ExitQuery> SlurmJobsLauncher::exit_query(const TrialProcess& process,
                                                       const TrialExit& exit) {
    // FAILED NonZeroExitCode, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED...
    if (process.stopping || (!exit.signal && !exit.exit_code)) return std::nullopt;
    std::vector<std::string> argv =
        slurm_id(process).empty()
            ? std::vector<std::string>{"squeue",          "-h", "-t",   "all", "-n",
                                       job_name(process), "-o", "%T %r"}
            : std::vector<std::string>{"squeue",          "-h", "-t",   "all", "-j",
                                       slurm_id(process), "-o", "%T %r"};
    return ExitQuery{std::move(argv), explain_with_slurm_state};
}

LegStarted SlurmJobsLauncher::describe(const TrialProcess& process) const {
    return {SlurmHandle{false, "", job_name(process), slurm_id(process)}.encode(), "", 0};
}

std::string SlurmJobsLauncher::reclaim(const std::vector<RunningLeg>& legs) {
    std::set<std::string> ids, names;
    for (const RunningLeg& leg : legs)
        if (const auto h = SlurmHandle::decode(leg.handle); h && !h->step)
            (h->id.empty() ? names : ids).insert(h->id.empty() ? h->name : h->id);
    // A job that ended meanwhile makes scancel fail for it alone: nothing to report.
    if (!ids.empty()) {
        std::vector<std::string> argv = {"scancel"};
        argv.insert(argv.end(), ids.begin(), ids.end());
        run_command(argv);
    }
    for (const auto& name : names) run_command({"scancel", "--name=" + name});
    const std::size_t asked = ids.size() + names.size();
    // srun's own processes carry the run's marker: what a dead tuner left on this machine.
    return sweep_leftovers(options_.run_dir.string(),
                           asked ? "cancelled " + std::to_string(asked) +
                                       " Slurm job(s) of the previous tuner" +
                                       (ids.empty() ? "" : " (" + join(ids, " ") + ")")
                                 : "");
}

// --- steps ---

void SlurmStepsLauncher::stop_queued(TrialProcess& process) {
    ::kill(process.pid, SIGTERM);  // srun withdraws its request for a step and exits
}

LegStarted SlurmStepsLauncher::describe(const TrialProcess& process) const {
    return {SlurmHandle{true, options_.allocation, job_name(process), slurm_id(process)}.encode(),
            "", 0};
}

std::string SlurmStepsLauncher::reclaim(const std::vector<RunningLeg>& legs) {
    std::set<std::string> steps, names;
    std::string allocation;
    for (const RunningLeg& leg : legs) {
        const auto h = SlurmHandle::decode(leg.handle);
        if (!h || !h->step) continue;
        if (!h->id.empty()) {
            steps.insert(h->id);
        } else {
            allocation = h->allocation;
            names.insert(h->name);
        }
    }
    std::string said;
    if (!names.empty()) {
        // Steps whose id the dead tuner never learned, still in the allocation (a requeued
        // job has none): found by their names, which no other run's steps have.
        std::string listing;
        run_command({"squeue", "-h", "-s", "-j", allocation, "-o", "%i %j"}, &listing);
        std::istringstream lines(listing);
        for (std::string id, name; lines >> id >> name;)
            if (names.count(name)) steps.insert(id);
    }
    if (!steps.empty()) {
        std::vector<std::string> argv = {"scancel"};
        argv.insert(argv.end(), steps.begin(), steps.end());
        run_command(argv);
        said = "cancelled " + std::to_string(steps.size()) + " step(s) of the previous tuner (" +
               join(steps, " ") + ")";
    }
    // srun's own processes carry the run's marker: what a dead tuner left on this machine.
    return sweep_leftovers(options_.run_dir.string(), said);
}

}  // namespace asha
