#pragma once
/// The process engine: runs trial legs as processes through a Launcher (launcher.hpp) and owns
/// the only wait of a real run, one poll() over
///   - every leg's output: the pipes of srun, or the log files a supervised leg writes itself,
///     followed through one inotify descriptor (no re-reading: a file is read when it grew);
///   - every leg's pidfd (readable when its supervisor or srun has ended);
///   - the control commands in flight (scancel, squeue), which never block the loop;
///   - the signal pipe (SignalWatcher), and the grace-period deadlines of stopping legs.
/// Output is parsed into reports as it arrives (LineSplitter, ReportParser), so a decision is
/// taken as soon as a report line is written.

#include "asha/backend.hpp"
#include "asha/experiment.hpp"
#include "backends/command_set.hpp"
#include "backends/launcher.hpp"
#include "backends/leg_output.hpp"
#include "backends/leg_spec.hpp"
#include "backends/output_follower.hpp"
#include "backends/report_parser.hpp"

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>

#include <poll.h>

namespace asha {

struct ProcessBackendOptions {
    std::vector<std::string> command;
    std::string metric;
    std::string resource_attr;
    std::string max_resource_attr;  ///< "" = not passed
    ReportFormat report_format = ReportFormat::tune_metric;
    std::filesystem::path run_dir;
    std::string working_dir;  ///< "" = the tuner's
    std::vector<std::pair<std::string, std::string>> env;
    double stop_grace_period = 5;
    int wake_fd = -1;  ///< SignalWatcher::fd(), or -1
    std::size_t max_line = 1 << 20;
};

class ProcessBackend : public Backend {
  public:
    ProcessBackend(ProcessBackendOptions options, std::unique_ptr<Launcher> launcher);
    ~ProcessBackend() override;
    ProcessBackend(const ProcessBackend&) = delete;
    ProcessBackend& operator=(const ProcessBackend&) = delete;

    double now() const override;
    LegStarted start(const TrialLaunch& launch) override;
    void stop(TrialId trial, bool immediately = false) override;
    std::optional<BackendEvent> next_event(double deadline) override;
    bool event_ready() const override;
    std::optional<LegStarted> take_over(const TrialLaunch& launch,
                                        const LegProgress& progress) override;
    std::string reclaim(const std::vector<RunningLeg>& legs) override;
    bool legs_wait_in_queue() const override { return launcher_->traits().legs_wait_in_queue; }

  private:
    using Legs = std::map<TrialId, std::unique_ptr<TrialProcess>>;
    struct Source {  // what one descriptor of the poll set is
        enum class Kind { signal, inotify, leg_stdout, leg_stderr, leg_end, command };
        Kind kind;
        TrialProcess* leg = nullptr;
        std::size_t command = 0;  // command: which one, and which of its descriptors
        CommandSet::Ready ready = CommandSet::Ready::ended;
    };

    /// Starts a leg. Its output is read from launch.read_output_from in stdout.log (a relaunch
    /// after a crash: what the lost leg printed after its last journaled report), else from
    /// the log's end.
    TrialProcess& start_leg(const TrialLaunch& launch);
    void open_logs(TrialProcess& leg, LaunchPlan& plan, std::optional<std::uint64_t> read_from);
    /// What the Tuner learns of a leg just started or taken over.
    LegStarted started(const TrialProcess& leg) const;
    TrialProcess& add_leg(std::unique_ptr<TrialProcess> leg);
    /// Follows `name` in the leg's directory from `offset`, through `opened` when given.
    void follow(TrialProcess& leg, OutputSource& source, const char* name, std::uint64_t offset,
                Fd opened = Fd());
    bool read_some(TrialProcess& leg, OutputSource& source, bool is_stdout, bool until_end);
    void on_bytes(TrialProcess& leg, bool is_stdout, std::string_view bytes);
    void on_line(TrialProcess& leg, std::string_view line, bool cut);
    void on_ended(TrialProcess& leg);
    void finish_if_read(TrialProcess& leg);
    void check_disk(const TrialProcess& leg);
    void deliver_exit(TrialId trial, TrialExit exit);
    void prepare_turn();
    void build_poll_set();
    void wait_once(double wait);
    void read_signals();
    void start_commands();
    void kill_overdue();
    bool has_unread() const;
    void end_everything_now();

    ProcessBackendOptions options_;
    std::unique_ptr<Launcher> launcher_;
    ReportParser parser_;
    TrialCommand run_;  // what every leg shares
    std::chrono::steady_clock::time_point epoch_;
    Legs legs_;                // started, exit not delivered yet
    OutputFollower follower_;  // the log files of supervised legs
    CommandSet commands_;      // control commands in flight
    std::deque<BackendEvent> pending_;
    std::vector<char> buffer_;
    std::vector<pollfd> poll_fds_;  // this turn's poll set, and what each descriptor is
    std::vector<Source> poll_sources_;
    // A leg ended while the run directory's filesystem was full: the run ends, and no leg's
    // recorded end is to be trusted by a resume (end_everything_now).
    bool disk_full_ = false;
};

}  // namespace asha
