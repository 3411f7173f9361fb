#pragma once
/// A backend on a virtual clock: every trial is a benchmark curve, one report per epoch, and
/// time jumps from event to event, so a whole experiment runs as fast as the CPU allows.
/// Paused trials resume from where they stopped (as a checkpointing script would).

#include "asha/backend.hpp"
#include "backends/synthetic_benchmarks.hpp"
#include "policy/recorded_curves.hpp"

#include <limits>
#include <queue>

namespace asha {

class SimBackend : public Backend {
  public:
    /// `extras`: the benchmark's other values (Benchmark::extra_names) each report carries, e.g.
    /// a second objective or a constrained value.
    SimBackend(const Benchmark& benchmark, std::string metric, std::string resource_attr,
               std::uint64_t seed, double time_scale = 1, std::vector<std::string> extras = {});
    /// Replays recorded curves: a trial's configuration must be one of them. It reports every
    /// recorded value at each recorded level and takes the recorded time to get there (times
    /// `time_scale`); a curve that ends before the leg's milestone ends the leg as the recording
    /// did: cleanly (the trial completes there, short of its milestone) or, if it failed there,
    /// with exit code 1.
    SimBackend(const RecordedCurves& curves, std::string metric, std::string resource_attr,
               double time_scale = 1);

    double now() const override { return now_; }
    LegStarted start(const TrialLaunch& launch) override;
    void stop(TrialId trial, bool immediately = false) override;
    std::optional<BackendEvent> next_event(double deadline) override;
    /// The leg goes on exactly as the lost backend would have run it: its next epoch ends one
    /// step after its last report (or start), so a resumed simulation repeats the original.
    std::optional<LegStarted> take_over(const TrialLaunch& launch,
                                        const LegProgress& progress) override;
    void resume_clock(double t) override { now_ = t; }

  private:
    struct SimTrial {
        Config config;
        double resource = 0;  // epochs done, kept across legs (checkpoint)
        double milestone = 0;
        bool running = false;
        bool stopping = false;         // stop() queued its exit
        std::size_t curve = 0;         // recorded curves: the trial's curve
        std::size_t next = 0;          // recorded curves: the index of its next level
        std::uint64_t generation = 0;  // bumps on stop: older queued events are void
    };
    struct Event {
        double time;
        std::uint64_t sequence;
        TrialId trial;
        std::uint64_t generation;
        bool is_exit;
        bool stopped;
        // Ties in time go by trial id, not by scheduling order: a trial has one live event at
        // a time, so the order is total and does not depend on the order legs were (re)started
        // in, which a resumed run cannot repeat.
        bool operator>(const Event& o) const {
            if (time != o.time) return time > o.time;
            return trial != o.trial ? trial > o.trial : sequence > o.sequence;
        }
    };

    void schedule_next_step(TrialId trial);
    void schedule_recorded_step(TrialId trial);
    /// Where a leg of `t` begins: its checkpoint `resource` (recorded curves: the next level).
    void place(SimTrial& t, const Config& config, double resource);
    void fill_report(BackendEvent& out, SimTrial& t, const Event& e);
    void push(double time, TrialId trial, bool is_exit, bool stopped);
    SimTrial& trial(TrialId id);

    const Benchmark* benchmark_ = nullptr;
    const RecordedCurves* recorded_ = nullptr;
    int metric_value_ = -1;  // recorded curves: the metric's index in value_names
    std::string metric_;
    std::string resource_attr_;
    std::vector<std::string> extras_;
    std::uint64_t seed_;
    double time_scale_;
    double now_ = 0;
    std::uint64_t sequence_ = 0;
    TrialId reported_ = -1;  // its next epoch is scheduled once the tuner has decided
    std::vector<SimTrial> trials_;
    std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
};

}  // namespace asha
