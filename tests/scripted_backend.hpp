#pragma once
// A fake backend for testing the Tuner (ninja's FakeCommandRunner): every leg plays a script of
// steps on a virtual clock (reports, queue waits, exits, silence), stop() and kill() act as a
// trial process would, and every call the Tuner makes is logged as a line the test compares
// exactly. No process, no wall-clock time: retries, timeouts, interrupts, failure limits and
// queued legs are tested to the exact second.

#include "asha/backend.hpp"

#include <functional>
#include <queue>
#include <string>
#include <vector>

namespace asha::test {

/// One thing a scripted leg does, `after` seconds after its previous step (or its start).
struct Step {
    enum class Kind { report, exit, running };
    Kind kind = Kind::report;
    double after = 0;
    double resource = 0, metric = 0;  // report
    int exit_code = 0, signal = 0;    // exit
    std::string stderr_tail;          // exit
};

inline Step report(double after, double resource, double metric) {
    return {Step::Kind::report, after, resource, metric, 0, 0, ""};
}
inline Step exits(double after, int code = 0, std::string stderr_tail = "") {
    return {Step::Kind::exit, after, 0, 0, code, 0, std::move(stderr_tail)};
}
inline Step killed(double after, int signal) {
    return {Step::Kind::exit, after, 0, 0, 0, signal, ""};
}
/// A leg that waited in the backend's queue starts running (legs_wait_in_queue()).
inline Step runs(double after) {
    return {Step::Kind::running, after, 0, 0, 0, 0, ""};
}

/// A leg's steps in order. A leg whose script ends without an exit stays silent until stopped.
struct LegScript {
    std::vector<Step> steps;
    bool ignores_sigterm = false;    ///< exits only when killed (grace period, second interrupt)
    double exits_after_sigterm = 0;  ///< seconds from SIGTERM to its exit
};

/// Reports `resource` = from+1, from+2, ... up to `milestone`, one each `epoch` seconds, with the
/// metric `value` at every epoch, then exits 0: a well-behaved trial that checkpoints.
LegScript well_behaved(const TrialLaunch& launch, double value, double epoch = 1);

class ScriptedBackend : public Backend {
  public:
    using Script = std::function<LegScript(const TrialLaunch&)>;
    struct Options {
        bool legs_wait_in_queue = false;
        double stop_grace_period = 5;  ///< SIGTERM to SIGKILL, as the config's
    };
    ScriptedBackend(Script script, Options options);

    /// The tuner receives `signal` (SIGINT, SIGTERM) at time `t`.
    void interrupt_at(double t, int signal);

    /// Every call the Tuner made, in order, as "<time>: <call>", e.g. "2: start 0 leg 1 retry to
    /// 3 from 1", "11: stop 0", "16: kill 0", "16: exit 0 signal 9".
    const std::vector<std::string>& log() const { return log_; }

    double now() const override { return now_; }
    LegStarted start(const TrialLaunch& launch) override;
    void stop(TrialId trial, bool immediately) override;
    std::optional<BackendEvent> next_event(double deadline) override;
    bool event_ready() const override;
    std::optional<LegStarted> take_over(const TrialLaunch& launch,
                                        const LegProgress& progress) override;
    void resume_clock(double t) override { now_ = t; }
    bool legs_wait_in_queue() const override { return options_.legs_wait_in_queue; }
    std::string reclaim(const std::vector<RunningLeg>& legs) override;
    std::size_t running() const { return running_; }

  private:
    struct Leg {
        bool running = false;
        bool term_sent = false;
        bool ignores_sigterm = false;
        double exits_after_sigterm = 0;
        unsigned generation = 0;  // bumped when a stop replaces the rest of its script
    };
    struct Pending {
        double time;
        std::size_t sequence;  // ties in time go in the order they were scheduled
        TrialId trial;         // -1: an interrupt
        unsigned generation;
        Step step;
        bool stopped_by_tuner = false;
        bool operator>(const Pending& o) const {
            return time != o.time ? time > o.time : sequence > o.sequence;
        }
    };
    Leg& leg(TrialId trial);
    void push(double time, TrialId trial, Step step, bool stopped_by_tuner = false);
    void say(const std::string& what);
    void drop_stale();

    Script script_;
    Options options_;
    double now_ = 0;
    std::size_t sequence_ = 0;
    std::size_t running_ = 0;
    std::vector<Leg> legs_;
    std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> queue_;
    std::vector<std::string> log_;
};

}  // namespace asha::test
