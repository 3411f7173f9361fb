// The process engine (process_backend.hpp), its first half: starting a leg (its directories,
// its logs, the launcher's process) and taking over one that a dead tuner left running. The
// waiting, reading and ending is in process_backend.cpp.
#include "backends/process_backend.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace asha {

namespace fs = std::filesystem;

LegStarted ProcessBackend::started(const TrialProcess& leg) const {
    LegStarted out = launcher_->describe(leg);
    out.output_offset = leg.out.follow_file ? leg.out.offset : 0;
    return out;
}

TrialProcess& ProcessBackend::add_leg(std::unique_ptr<TrialProcess> leg) {
    TrialProcess& ref = *leg;
    legs_[ref.trial] = std::move(leg);
    return ref;
}

/// Follows `name` in the leg's directory from `offset`, through `opened` when given.
void ProcessBackend::follow(TrialProcess& leg, OutputSource& source, const char* name,
                            std::uint64_t offset, Fd opened) {
    follower_.follow(source, leg.trial_dir / name, offset, std::move(opened));
}

LegStarted ProcessBackend::start(const TrialLaunch& launch) {
    return started(start_leg(launch));
}

/// Opens the leg's logs, which are appended (a resumed leg continues the same files), once:
/// the engine reads them (pread) through the same descriptions that, on a supervised leg,
/// become the supervisor's stdout and stderr, which its trial inherits. Otherwise the engine
/// copies the pipes' bytes into them.
void ProcessBackend::open_logs(TrialProcess& leg, LaunchPlan& plan,
                               std::optional<std::uint64_t> read_from) {
    Fd logs[2];
    for (int i = 0; i < 2; ++i) {
        const fs::path path =
            leg.trial_dir / (i == 0 ? run_files::trial_stdout : run_files::trial_stderr);
        logs[i] = Fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
        if (!logs[i].valid())
            throw Error(ExitCode::runtime,
                        "cannot open " + path.string() + ": " + std::strerror(errno));
        if (!plan.output_in_files)
            (i == 0 ? leg.out : leg.err).copy_to = ::fdopen(logs[i].release(), "a");
    }
    if (!plan.output_in_files) return;
    const std::uint64_t size = log_size(logs[0]);
    if (!read_from || *read_from > size) read_from = size;
    if (*read_from < size) end_unfinished_line(logs[0], leg.trial_dir / run_files::trial_stdout);
    plan.spawn.stdout_fd = logs[0].get();
    plan.spawn.stderr_fd = logs[1].get();
    follow(leg, leg.out, run_files::trial_stdout, *read_from, std::move(logs[0]));
    follow(leg, leg.err, run_files::trial_stderr, log_size(logs[1]), std::move(logs[1]));
    leg.out.unread = *read_from < size;
    leg.err.unread = false;
    leg.lines.start_at(leg.out.offset);
}

TrialProcess& ProcessBackend::start_leg(const TrialLaunch& launch) {
    const LegSpec spec = leg_spec(run_, launch);
    const fs::path& trial_dir = spec.trial_dir;
    // mkdir, not create_directories: trials/ exists (the run directory's writer made it), and
    // every leg pays for each stat; where it does not (a library user without a writer), the
    // whole path is made.
    std::error_code ec;
    for (const fs::path& dir : {trial_dir, spec.checkpoint_dir})
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST &&
            !(errno == ENOENT && fs::create_directories(dir, ec)))
            throw Error(ExitCode::runtime, "cannot create " + dir.string() + ": " +
                                               (ec ? ec.message() : std::strerror(errno)));
    auto leg = std::make_unique<TrialProcess>(options_.max_line);
    leg->trial = launch.trial_id;
    leg->leg = launch.leg;
    leg->trial_dir = trial_dir;
    LaunchPlan plan = launcher_->plan(spec, *leg);
    try {
        open_logs(*leg, plan, launch.read_output_from);
    } catch (...) {
        launcher_->release(*leg);
        throw;
    }
    try {
        if (plan.start) {
            plan.start(plan.spawn, *leg);
        } else {
            Child child = spawn_child(plan.spawn);
            leg->pid = child.pid;
            leg->pidfd = std::move(child.pidfd);
            leg->go = std::move(child.stdin_fd);
            if (!plan.output_in_files) {
                leg->out.fd = std::move(child.stdout_fd);
                leg->err.fd = std::move(child.stderr_fd);
            }
            launcher_->spawned(*leg);
        }
    } catch (const std::system_error& e) {
        for (OutputSource* s : {&leg->out, &leg->err}) follower_.forget(*s);
        launcher_->release(*leg);
        throw Error(ExitCode::cannot_start,
                    std::string(e.what()) + " (trial " + std::to_string(launch.trial_id) + ")");
    }
    leg->running = !launcher_->traits().legs_wait_in_queue;
    return add_leg(std::move(leg));
}

std::optional<LegStarted> ProcessBackend::take_over(const TrialLaunch& launch,
                                                    const LegProgress& progress) {
    auto leg = std::make_unique<TrialProcess>(options_.max_line);
    leg->trial = launch.trial_id;
    leg->leg = launch.leg;
    leg->trial_dir = run_.trials_dir / std::to_string(launch.trial_id);
    if (!launcher_->adopt(progress, *leg)) return std::nullopt;
    // Read on from just past its last journaled report; of stderr, only what makes the tail of
    // a failure message.
    const std::uint64_t err_size = log_size(leg->trial_dir / run_files::trial_stderr);
    follow(*leg, leg->out, run_files::trial_stdout, progress.output_offset);
    follow(*leg, leg->err, run_files::trial_stderr,
           err_size > kStderrTail ? err_size - kStderrTail : 0);
    leg->lines.start_at(progress.output_offset);
    return started(add_leg(std::move(leg)));
}

}  // namespace asha
