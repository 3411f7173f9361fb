#include "backends/process_backend.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <system_error>

namespace asha {

namespace fs = std::filesystem;

namespace {
// Bytes read from one output per turn of the loop. A flooding trial yields at most this much
// (some 80 reports) before every other trial's output is looked at again: the bound on how
// late a well-behaved trial is heard (bench/flood_latency.py), and on the events queued at once.
constexpr std::size_t kReadChunk = 4 * 1024;

}  // namespace

ProcessBackend::ProcessBackend(ProcessBackendOptions options, std::unique_ptr<Launcher> launcher)
    : options_(std::move(options)),
      launcher_(std::move(launcher)),
      parser_(options_.report_format, options_.metric, options_.resource_attr),
      run_{options_.command, options_.max_resource_attr,
           fs::absolute(options_.run_dir / run_files::trials_dir), options_.working_dir,
           // The marker in the path's canonical form, computed once.
           trial_environment(current_environment(), options_.env, trial_marker(options_.run_dir))},
      epoch_(std::chrono::steady_clock::now()),
      buffer_(kReadChunk) {
    become_subreaper();
}

ProcessBackend::~ProcessBackend() {
    // A destructor that throws ends the process with std::terminate (SIGABRT): whatever fails
    // here is logged, and the rest of the clean-up still runs.
    try {
        end_everything_now();
    } catch (const std::exception& e) {
        spdlog::error("stopping the remaining trials: {}", e.what());
    }
    try {
        // Descendants that left their trial's process group and session (double fork + setsid)
        // still carry the run's marker: none of them outlives the run.
        if (std::size_t n = kill_marked_processes(trial_marker(options_.run_dir)))
            spdlog::warn(
                "killed {} process(es) that trials had left behind outside their process "
                "groups",
                n);
    } catch (const std::exception& e) {
        spdlog::error("looking for processes the trials left behind: {}", e.what());
    }
}

void ProcessBackend::end_everything_now() {
    // Last line of defence (an exception unwinding the tuner): no leg outlives the backend.
    std::vector<TrialProcess*> alive;
    for (auto& [id, leg] : legs_)
        if (!leg->ended && leg->pid > 0) alive.push_back(leg.get());
    if (!alive.empty()) launcher_->kill_now(alive);
    for (TrialProcess* leg : alive)
        if (leg->child) {
            int status = 0;
            while (::waitpid(leg->pid, &status, 0) < 0 && errno == EINTR) {
            }
        }
    // On a full disk, the leg that met it, and any that ended by itself before the tuner heard
    // of it, may have lost reports: none of their recorded ends is taken by a resume, which
    // runs them again (those killed just now would be run again anyway: stopped, with no stop
    // in the journal).
    if (disk_full_)
        for (auto& [id, leg] : legs_)
            if (!leg->described) launcher_->forget_end(*leg);
    commands_.kill_all();
    legs_.clear();
}

double ProcessBackend::now() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_).count();
}

std::string ProcessBackend::reclaim(const std::vector<RunningLeg>& legs) {
    return launcher_->reclaim(legs);
}

void ProcessBackend::stop(TrialId trial, bool immediately) {
    auto it = legs_.find(trial);
    if (it == legs_.end() || it->second->ended) return;
    TrialProcess& leg = *it->second;
    if (immediately || options_.stop_grace_period <= 0) {
        if (!leg.killed) launcher_->stop(leg, true);
        leg.killed = true;
    } else if (!leg.stopping) {
        launcher_->stop(leg, false);
        if (!launcher_->traits().kills_after_grace_itself)
            leg.kill_at = now() + options_.stop_grace_period;
    }
    leg.stopping = true;
}

void ProcessBackend::kill_overdue() {
    const double t = now();
    for (auto& [id, leg] : legs_) {
        if (leg->stopping && !leg->killed && !leg->ended && leg->kill_at > 0 && t >= leg->kill_at) {
            spdlog::debug("(trial {}) still running {} s after SIGTERM: SIGKILL", id,
                          options_.stop_grace_period);
            launcher_->stop(*leg, true);
            leg->killed = true;
        }
    }
}

void ProcessBackend::on_line(TrialProcess& leg, std::string_view line, bool cut) {
    const bool was_running = leg.running;
    if (launcher_->take_line(leg, line)) {
        if (!was_running && leg.running) {
            BackendEvent running;
            running.kind = BackendEvent::Kind::running;
            running.trial_id = leg.trial;
            running.handle = launcher_->describe(leg).handle;  // with the id it runs under
            pending_.push_back(std::move(running));
        }
        return;
    }
    line_events(parser_, leg.trial, line, cut, options_.max_line,
                leg.out.follow_file ? leg.lines.line_end() : 0, pending_);
}

void ProcessBackend::on_bytes(TrialProcess& leg, bool is_stdout, std::string_view bytes) {
    if (is_stdout) {
        leg.lines.feed(bytes, [&](std::string_view line, bool cut) { on_line(leg, line, cut); });
        return;
    }
    keep_stderr_tail(leg.stderr_tail, bytes);
}

/// Reads one chunk of `source` (or all of it: `until_end`). Returns false at its end for now.
bool ProcessBackend::read_some(TrialProcess& leg, OutputSource& source, bool is_stdout,
                               bool until_end) {
    do {
        if (!source.open()) return false;
        bool ended = false;
        const ssize_t n = read_chunk(source, buffer_, ended);
        if (n <= 0) {
            if (ended) {
                if (is_stdout)
                    leg.lines.finish(
                        [&](std::string_view line, bool cut) { on_line(leg, line, cut); });
                source.fd.reset();
            }
            return false;
        }
        const std::string_view bytes(buffer_.data(), static_cast<std::size_t>(n));
        if (!source.follow_file &&
            (std::fwrite(bytes.data(), 1, bytes.size(), source.copy_to) != bytes.size() ||
             std::fflush(source.copy_to) != 0)) {
            // A log that cannot be written (full disk) ends the run: going on would lose output.
            const char* name = is_stdout ? run_files::trial_stdout : run_files::trial_stderr;
            throw Error(ExitCode::runtime, "cannot write " + (leg.trial_dir / name).string() +
                                               ": " + std::strerror(errno));
        }
        on_bytes(leg, is_stdout, bytes);
    } while (until_end);
    return true;
}

bool ProcessBackend::has_unread() const {
    for (const auto& [id, leg] : legs_)
        if (!leg->described && (leg->out.unread || leg->err.unread)) return true;
    return false;
}

bool ProcessBackend::event_ready() const {
    if (!pending_.empty() || has_unread()) return true;
    for (const auto& [id, leg] : legs_)
        if (!leg->ended && !leg->pidfd.valid()) return true;  // taken over after it had ended
    return false;
}

/// A leg that writes its own logs meets a full disk itself: its reports may be lost, and it may
/// die of it, which is no failure of the trial. As when the tuner cannot write, the run ends
/// with the error, and a resume runs the leg again (its recorded end is dropped).
void ProcessBackend::check_disk(const TrialProcess& leg) {
    if (!leg.out.follow_file) return;
    struct statvfs fs {};
    if (::statvfs(leg.trial_dir.c_str(), &fs) != 0) return;
    const auto available = ::geteuid() == 0 ? fs.f_bfree : fs.f_bavail;
    if (available == 0) {
        // Its end may well be on record (an append finds room where a report did not), but
        // not all that it printed: a resume must run it again, not take that end, and so every
        // other leg that ended meanwhile (end_everything_now, as the backend goes).
        disk_full_ = true;
        throw Error(ExitCode::runtime,
                    "cannot write " + (leg.trial_dir / run_files::trial_stdout).string() + ": " +
                        std::strerror(ENOSPC) + " (trial " + std::to_string(leg.trial) +
                        " ended while the run directory's filesystem was full)");
    }
}

/// The leg's process has ended: its output is read to the end, then its exit described.
void ProcessBackend::on_ended(TrialProcess& leg) {
    if (leg.child) {
        int status = 0;
        const pid_t done = ::waitpid(leg.pid, &status, WNOHANG);
        if (done == 0) return;  // woken early: not yet
        leg.wait_status = status;
    }
    leg.ended = true;
    leg.pidfd.reset();
    check_disk(leg);
    // The process is gone, so its pipes hold everything it wrote (64 KiB at most: read now)
    // and a followed file is complete: it is read to its end a chunk per turn like any other
    // (a flood left behind must not hold up the other trials), then the exit is described.
    for (OutputSource* source : {&leg.out, &leg.err}) {
        if (source->follow_file)
            source->unread = true;
        else
            read_some(leg, *source, source == &leg.out, true);
    }
    finish_if_read(leg);
}

/// Once an ended leg's output is read to its end: its last line, then its exit.
void ProcessBackend::finish_if_read(TrialProcess& leg) {
    if (!leg.ended || leg.described || leg.out.unread || leg.err.unread) return;
    leg.described = true;
    leg.lines.finish([&](std::string_view line, bool cut) { on_line(leg, line, cut); });
    TrialExit exit = launcher_->describe_exit(leg);
    exit.stopped_by_tuner = exit.stopped_by_tuner || leg.stopping;
    if (exit.stderr_tail.empty()) exit.stderr_tail = stderr_tail_lines(leg.stderr_tail, 3);
    std::optional<ExitQuery> query = launcher_->exit_query(leg, exit);
    if (!query) {
        deliver_exit(leg.trial, std::move(exit));
        return;
    }
    // Delivered when the query has answered; meanwhile the loop goes on.
    const TrialId trial = leg.trial;
    commands_.start(
        {std::move(query->argv), [this, trial, exit, explain = std::move(query->explain)](
                                     int, const std::string& output) mutable {
             explain(exit, output);
             deliver_exit(trial, std::move(exit));
         }});
}

void ProcessBackend::deliver_exit(TrialId trial, TrialExit exit) {
    auto it = legs_.find(trial);
    if (it == legs_.end()) return;
    TrialProcess& leg = *it->second;
    for (OutputSource* s : {&leg.out, &leg.err}) follower_.forget(*s);
    launcher_->release(leg);
    legs_.erase(it);
    BackendEvent event;
    event.kind = BackendEvent::Kind::exit;
    event.trial_id = trial;
    event.exit = std::move(exit);
    pending_.push_back(std::move(event));
}

void ProcessBackend::start_commands() {
    for (ControlCommand& command : launcher_->take_commands()) commands_.start(std::move(command));
}

/// Before each wait: what the engine owes without an event.
void ProcessBackend::prepare_turn() {
    // The Tuner journals a leg's handle right after start(): legs started since the last wait
    // may go now (a supervisor whose tuner died before this never starts its trial).
    for (auto& [id, leg] : legs_)
        if (leg->go.valid()) {
            const char go = 'g';
            if (::write(leg->go.get(), &go, 1) != 1)
                spdlog::debug("(trial {}) its supervisor is gone before the go", id);
            leg->go.reset();
        }
    start_commands();
    kill_overdue();
    // Legs taken over after they had ended: their output is read, then their exit given.
    std::vector<TrialId> ended;
    for (auto& [id, leg] : legs_)
        if (!leg->ended && !leg->pidfd.valid()) ended.push_back(id);
    for (TrialId id : ended) on_ended(*legs_.at(id));
}

/// The descriptors of this turn: the signal pipe, inotify, srun's pipes, every leg's pidfd,
/// every control command's pipes and pidfd.
void ProcessBackend::build_poll_set() {
    poll_fds_.clear();
    poll_sources_.clear();
    auto add = [&](int fd, Source::Kind kind, TrialProcess* leg = nullptr) {
        poll_fds_.push_back({fd, POLLIN, 0});
        poll_sources_.push_back({kind, leg});
    };
    if (options_.wake_fd >= 0) add(options_.wake_fd, Source::Kind::signal);
    if (follower_.poll_fd() >= 0) add(follower_.poll_fd(), Source::Kind::inotify);
    for (auto& [id, leg] : legs_) {
        if (leg->ended) continue;
        if (leg->out.open() && !leg->out.follow_file)
            add(leg->out.fd.get(), Source::Kind::leg_stdout, leg.get());
        if (leg->err.open() && !leg->err.follow_file)
            add(leg->err.fd.get(), Source::Kind::leg_stderr, leg.get());
        if (leg->pidfd.valid()) add(leg->pidfd.get(), Source::Kind::leg_end, leg.get());
    }
    commands_.poll_fds([&](int fd, std::size_t index, CommandSet::Ready what) {
        poll_fds_.push_back({fd, POLLIN, 0});
        poll_sources_.push_back({Source::Kind::command, nullptr, index, what});
    });
}

void ProcessBackend::read_signals() {
    unsigned char sig = 0;
    while (::read(options_.wake_fd, &sig, 1) == 1) {
        BackendEvent event;
        event.kind = BackendEvent::Kind::interrupted;
        event.signal = sig;
        pending_.push_back(event);
    }
}

/// One wait of at most `wait` seconds (none while a followed file has unread bytes), then
/// everything that became ready: one chunk of every output, the ends of legs and commands.
void ProcessBackend::wait_once(double wait) {
    build_poll_set();
    int timeout_ms =
        std::isinf(wait) ? -1 : static_cast<int>(std::min(std::ceil(wait * 1000), 3.6e6));
    if (has_unread()) timeout_ms = 0;
    if (::poll(poll_fds_.data(), poll_fds_.size(), timeout_ms) < 0) {
        if (errno == EINTR) return;
        throw std::system_error(errno, std::generic_category(), "poll");
    }
    std::vector<TrialId> exited;
    for (std::size_t i = 0; i < poll_fds_.size(); ++i) {
        if (!poll_fds_[i].revents) continue;
        const Source& source = poll_sources_[i];
        switch (source.kind) {
            case Source::Kind::signal:
                read_signals();
                break;
            case Source::Kind::inotify:
                follower_.on_ready();
                break;
            case Source::Kind::leg_stdout:
                read_some(*source.leg, source.leg->out, true, false);
                break;
            case Source::Kind::leg_stderr:
                read_some(*source.leg, source.leg->err, false, false);
                break;
            case Source::Kind::leg_end:
                exited.push_back(source.leg->trial);
                break;
            case Source::Kind::command:
                commands_.on_ready(source.command, source.ready);
                break;
        }
    }
    // One chunk of each followed file that has unread bytes: every turn polls everything
    // (without waiting while bytes are unread), so a flooding trial cannot keep the others'
    // files, pipes, exits or a signal from being seen.
    std::vector<TrialId> read_out;
    for (auto& [id, leg] : legs_) {
        if (leg->described) continue;
        if (leg->out.unread) read_some(*leg, leg->out, true, false);
        if (leg->err.unread) read_some(*leg, leg->err, false, false);
        if (leg->ended) read_out.push_back(id);
    }
    for (TrialId id : read_out) finish_if_read(*legs_.at(id));
    for (TrialId id : exited) {
        auto it = legs_.find(id);
        if (it != legs_.end() && !it->second->ended) on_ended(*it->second);
    }
    commands_.finish_ended();
}

std::optional<BackendEvent> ProcessBackend::next_event(double deadline) {
    for (;;) {
        if (!pending_.empty()) {
            BackendEvent event = std::move(pending_.front());
            pending_.pop_front();
            return event;
        }
        prepare_turn();
        if (!pending_.empty()) continue;
        const double t = now();
        if (t >= deadline) return std::nullopt;
        double wake = deadline;
        for (auto& [id, leg] : legs_)
            if (leg->stopping && !leg->killed && leg->kill_at > 0)
                wake = std::min(wake, leg->kill_at);
        wait_once(std::max(0.0, wake - t));
    }
}

}  // namespace asha
