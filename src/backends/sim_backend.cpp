#include "backends/sim_backend.hpp"

#include <stdexcept>

namespace asha {

SimBackend::SimBackend(const Benchmark& benchmark, std::string metric, std::string resource_attr,
                       std::uint64_t seed, double time_scale, std::vector<std::string> extras)
    : benchmark_(benchmark),
      metric_(std::move(metric)),
      resource_attr_(std::move(resource_attr)),
      extras_(std::move(extras)),
      seed_(seed),
      time_scale_(time_scale) {}

SimBackend::SimTrial& SimBackend::trial(TrialId id) {
    if (id < 0) throw std::logic_error("simulator: negative trial id");
    if (static_cast<std::size_t>(id) >= trials_.size())
        trials_.resize(static_cast<std::size_t>(id) + 1);
    return trials_[static_cast<std::size_t>(id)];
}

void SimBackend::push(double time, TrialId id, bool is_exit, bool stopped) {
    queue_.push(Event{time, sequence_++, id, trial(id).generation, is_exit, stopped});
}

LegStarted SimBackend::start(const TrialLaunch& launch) {
    SimTrial& t = trial(launch.trial_id);
    if (t.running) throw std::logic_error("simulator: trial started twice");
    t.config = launch.config;
    t.resource = launch.resource;  // the checkpoint: where the trial's last leg left it
    t.milestone = launch.milestone;
    t.running = true;
    t.stopping = false;
    ++t.generation;
    schedule_next_step(launch.trial_id);
    return {};  // nothing outlives the tuner
}

std::optional<LegStarted> SimBackend::take_over(const TrialLaunch& launch,
                                                const LegProgress& progress) {
    // A simulated leg lives on the virtual clock, which a resume continues: the leg goes on
    // from its last report as if no tuner had died.
    SimTrial& t = trial(launch.trial_id);
    if (t.running) throw std::logic_error("simulator: trial taken over twice");
    t.config = launch.config;
    t.resource = progress.resource;
    t.milestone = launch.milestone;
    t.running = true;
    t.stopping = false;
    ++t.generation;
    const double now = now_;
    now_ = progress.last_report;
    schedule_next_step(launch.trial_id);
    now_ = now;
    return LegStarted{};
}

void SimBackend::schedule_next_step(TrialId id) {
    SimTrial& t = trial(id);
    if (reached_level(t.resource, t.milestone)) {
        push(now_, id, true, false);  // leg done: the script exits after its last report
        return;
    }
    std::uint64_t noise = Rng::hash(seed_, static_cast<std::uint64_t>(id),
                                    static_cast<std::uint64_t>(t.resource + 1));
    push(now_ + time_scale_ * benchmark_.step_seconds(t.config, t.resource + 1, noise), id, false,
         false);
}

void SimBackend::stop(TrialId id, bool) {
    SimTrial& t = trial(id);
    if (!t.running || t.stopping) return;
    t.stopping = true;
    ++t.generation;  // drops its queued epoch
    push(now_, id, true, true);
}

std::optional<BackendEvent> SimBackend::next_event(double deadline) {
    if (reported_ >= 0) {
        TrialId id = reported_;
        reported_ = -1;
        if (trial(id).running && !trial(id).stopping) schedule_next_step(id);
    }
    while (!queue_.empty() && queue_.top().generation != trial(queue_.top().trial).generation)
        queue_.pop();
    if (queue_.empty() || queue_.top().time > deadline) {
        if (deadline != std::numeric_limits<double>::infinity()) now_ = std::max(now_, deadline);
        return std::nullopt;
    }
    Event e = queue_.top();
    queue_.pop();
    now_ = std::max(now_, e.time);
    SimTrial& t = trial(e.trial);
    BackendEvent out;
    out.trial_id = e.trial;
    if (e.is_exit) {
        t.running = false;
        out.kind = BackendEvent::Kind::exit;
        out.exit.stopped_by_tuner = e.stopped;
        ++t.generation;
        return out;
    }
    t.resource += 1;
    std::uint64_t noise = Rng::hash(seed_ ^ 0x5bd1e995, static_cast<std::uint64_t>(e.trial),
                                    static_cast<std::uint64_t>(t.resource));
    out.kind = BackendEvent::Kind::report;
    out.report.resource = t.resource;
    out.report.metric = benchmark_.metric(t.config, t.resource, noise);
    out.report.fields[resource_attr_] = t.resource;
    out.report.fields[metric_] = out.report.metric;
    if (!extras_.empty()) {
        // The noise of this epoch's time (schedule_next_step), so that epoch_seconds is the
        // time the virtual clock advanced by.
        const std::uint64_t step_noise = Rng::hash(seed_, static_cast<std::uint64_t>(e.trial),
                                                   static_cast<std::uint64_t>(t.resource));
        for (const std::string& name : extras_) {
            double v = benchmark_.extra(name, t.config, t.resource, step_noise);
            if (name == "epoch_seconds") v *= time_scale_;
            out.report.fields[name] = v;
        }
    }
    reported_ = e.trial;
    return out;
}

}  // namespace asha
