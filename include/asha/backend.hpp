#pragma once
/// Where trials run. The Tuner is the only caller; a Backend never decides anything.
/// Implementations: ProcessBackend (processes through a launcher: local, Slurm), SimBackend
/// (virtual clock), NullBackend (runs nothing: journal replay) and, in tests, ScriptedBackend
/// (tests/scripted_backend.hpp).

#include "asha/trial.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace asha {

/// One leg of a trial to run: a new trial, or a paused/failed one resumed from its checkpoint.
struct TrialLaunch {
    TrialId trial_id = 0;
    LaunchKind kind = LaunchKind::new_trial;
    Config config;
    double milestone = 0;  ///< resource level this leg should reach; 0 = unbounded
    int leg = 0;           ///< 0 for the first leg, 1 after the first resume, ...
    double resource = 0;   ///< level the trial reached before this leg (its checkpoint's)
    /// A leg started again after a crash: where its trial's stdout.log is read from (just past
    /// the last journaled report), so that reports the lost leg wrote while no tuner ran are
    /// still read. Unset: from the log's end (only the new leg's output).
    std::optional<std::uint64_t> read_output_from;
};

/// How a trial's process ended.
struct TrialExit {
    int exit_code = 0;  ///< valid when signal == 0
    int signal = 0;     ///< the signal that killed it, 0 if it exited
    bool stopped_by_tuner = false;
    std::string stderr_tail;  ///< last lines of stderr, for failure messages
};

/// What the Tuner learns of a leg that start() or take_over() has started or taken over, in
/// one value (the `started` record keeps it for a resume).
struct LegStarted {
    /// How the leg's processes can be found again after a crash, in the backend's own words
    /// (only its launcher reads it); "" when nothing of a leg outlives the tuner (the
    /// simulator), or when no leg runs (a resumed leg that ends at once).
    std::string handle;
    std::string gpus;  ///< the GPU ids it holds ("" when none), for trials.csv and the table
    /// Where the leg's output begins in its trial's stdout.log, when the backend follows that
    /// file (0 otherwise).
    std::uint64_t output_offset = 0;
};

/// Where a leg stood when the tuner that ran it died (`asha-tune resume`), from the journal.
struct LegProgress {
    double started = 0;      ///< tuner time the leg started
    double last_report = 0;  ///< tuner time of its last accepted report in this leg (or started)
    double resource = 0;     ///< the trial's highest accepted resource level
    bool stopping = false;   ///< the tuner had asked it to stop
    std::string handle;      ///< the leg's handle (LegStarted), "" if none was journaled
    std::string gpus;        ///< the GPUs it held
    /// Where its stdout.log had been read up to: just past its last accepted report, or where
    /// the leg's output began (LegStarted::output_offset). A leg taken over goes on from there.
    std::uint64_t output_offset = 0;
};

/// A leg that was running when the previous tuner died, as its journal has it.
struct RunningLeg {
    TrialId trial = 0;
    int leg = 0;
    std::string handle;  ///< LegStarted::handle as journaled, "" if the tuner died before
};

struct BackendEvent {
    enum class Kind {
        report,      ///< `report` holds a parsed report of `trial_id`
        exit,        ///< `exit` says how the trial's process ended; no more events for this leg
        warning,     ///< `message` is a problem with the trial's output, of `warning_kind`
        running,     ///< a leg that waited in a queue (Slurm) has started running
        interrupted  ///< the tuner received a signal (`signal`)
    };
    Kind kind = Kind::report;
    TrialId trial_id = -1;
    Report report;
    /// report: the position in the trial's stdout.log just past the report's line, when the
    /// backend follows that file (0 otherwise); journaled, so that a resume reads on from there.
    std::uint64_t offset = 0;
    TrialExit exit;
    std::string message;
    /// warning: a short tag of the problem ("json", "metric", "long-line", ...), so that each
    /// kind is logged once per trial.
    std::string warning_kind;
    int signal = 0;
    /// running: the leg's handle now, when starting to run taught the backend more about it (a
    /// Slurm leg's job or step id); "" when unchanged.
    std::string handle;
};

class Backend {
  public:
    virtual ~Backend() = default;

    /// Seconds since the run started, on the backend's clock (virtual for the simulator).
    virtual double now() const = 0;
    /// Starts a leg. Throws Error(cannot_start) when no trial can start at all (command missing).
    virtual LegStarted start(const TrialLaunch& launch) = 0;
    /// Asks a running trial to stop; its exit event follows. `immediately` skips the grace period.
    virtual void stop(TrialId trial, bool immediately = false) = 0;
    /// Waits for the next event until `deadline` (backend seconds); nullopt when it passes first.
    virtual std::optional<BackendEvent> next_event(double deadline) = 0;
    /// Whether next_event() has an event at hand, without waiting for anything.
    virtual bool event_ready() const { return true; }
    /// A resume: takes over, where it is, a leg that was running when the previous tuner died,
    /// when this backend's legs outlive the tuner and this one is still there (its reports and
    /// exit follow; its output is read on from `progress.output_offset`). nullopt when it
    /// cannot: the Tuner then ends the leg or starts it again. Called before the first
    /// next_event() of a resumed run, after reclaim().
    virtual std::optional<LegStarted> take_over(const TrialLaunch& /*launch*/,
                                                const LegProgress& /*progress*/) {
        return std::nullopt;
    }
    /// A resumed run's clock continues from `t` tuner seconds (the simulator's virtual clock);
    /// real clocks ignore it (the Tuner adds the offset).
    virtual void resume_clock(double /*t*/) {}
    /// Whether legs may wait in a queue after start(): they are Pending until a `running` event.
    virtual bool legs_wait_in_queue() const { return false; }
    /// A resume, before it continues anything: ends whatever the dead tuner's legs left running
    /// (`legs`: those that were running, as journaled) that take_over() will not take over.
    /// Returns a line for the log saying what it ended, "" when nothing.
    virtual std::string reclaim(const std::vector<RunningLeg>& /*legs*/) { return ""; }
};

}  // namespace asha
