#pragma once
/// Where trials run. The Tuner is the only caller; a Backend never decides anything.
/// Implementations: LocalBackend (subprocesses), SimBackend (virtual clock), fakes in tests.

#include "asha/trial.hpp"

#include <optional>
#include <string>
#include <vector>

namespace asha {

/// One leg of a trial to run: a new trial, or a paused/failed one resumed from its checkpoint.
struct TrialLaunch {
    TrialId trial_id = 0;
    Config config;
    double milestone = 0;  ///< resource level this leg should reach; 0 = unbounded
    int leg = 0;           ///< 0 for the first leg, 1 after the first resume, ...
};

/// How a trial's process ended.
struct TrialExit {
    int exit_code = 0;  ///< valid when signal == 0
    int signal = 0;     ///< the signal that killed it, 0 if it exited
    bool stopped_by_tuner = false;
    std::string stderr_tail;  ///< last lines of stderr, for failure messages
};

struct BackendEvent {
    enum class Kind {
        report,      ///< `report` holds a parsed report of `trial_id`
        exit,        ///< `exit` says how the trial's process ended; no more events for this leg
        warning,     ///< `message` is a problem with the trial's output, to be logged
        interrupted  ///< the tuner received a signal (`signal`)
    };
    Kind kind = Kind::report;
    TrialId trial_id = -1;
    Report report;
    TrialExit exit;
    std::string message;
    int signal = 0;
};

class Backend {
  public:
    virtual ~Backend() = default;

    /// Seconds since the run started, on the backend's clock (virtual for the simulator).
    virtual double now() const = 0;
    /// Starts a leg. Throws Error(cannot_start) when no trial can start at all (command missing).
    virtual void start(const TrialLaunch& launch) = 0;
    /// Asks a running trial to stop; its exit event follows. `immediately` skips the grace period.
    virtual void stop(TrialId trial, bool immediately = false) = 0;
    /// Waits for the next event until `deadline` (backend seconds); nullopt when it passes first.
    virtual std::optional<BackendEvent> next_event(double deadline) = 0;
    /// Whether next_event() has an event at hand, without waiting for anything.
    virtual bool event_ready() const { return true; }
    /// Trials whose legs are running (started, exit not yet delivered).
    virtual std::size_t running() const = 0;
    /// The GPU ids a running trial holds ("" when none), for trials.csv and the status table.
    virtual std::string gpus_of(TrialId) const { return ""; }
};

}  // namespace asha
