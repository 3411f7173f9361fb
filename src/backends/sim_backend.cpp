#include "backends/sim_backend.hpp"

#include <algorithm>
#include <stdexcept>

namespace asha {

SimBackend::SimBackend(const Benchmark& benchmark, std::string metric, std::string resource_attr,
                       std::uint64_t seed, double time_scale, std::vector<std::string> extras)
    : benchmark_(&benchmark),
      metric_(std::move(metric)),
      resource_attr_(std::move(resource_attr)),
      extras_(std::move(extras)),
      seed_(seed),
      time_scale_(time_scale) {}

SimBackend::SimBackend(const RecordedCurves& curves, std::string metric, std::string resource_attr,
                       double time_scale)
    : recorded_(&curves),
      metric_(std::move(metric)),
      resource_attr_(std::move(resource_attr)),
      seed_(0),
      time_scale_(time_scale) {
    metric_value_ = curves.value_index(metric_);
    if (metric_value_ < 0)
        throw std::logic_error("simulator: the recorded curves have no " + metric_);
}

void SimBackend::place(SimTrial& t, const Config& config, double resource) {
    t.config = config;
    t.resource = resource;
    if (!recorded_) return;
    const auto curve = recorded_->find(config);
    if (!curve)
        throw std::logic_error("simulator: a configuration that was not recorded: " +
                               config.dump());
    t.curve = *curve;
    const std::vector<double>& levels = recorded_->curves[t.curve].levels;
    // The first level past the checkpoint (a level the trial reported is behind it).
    t.next = static_cast<std::size_t>(std::upper_bound(levels.begin(), levels.end(), resource) -
                                      levels.begin());
}

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
    place(t, launch.config, launch.resource);  // the checkpoint: where its last leg left it
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
    place(t, launch.config, progress.resource);
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
    if (recorded_) {
        schedule_recorded_step(id);
        return;
    }
    std::uint64_t noise = Rng::hash(seed_, static_cast<std::uint64_t>(id),
                                    static_cast<std::uint64_t>(t.resource + 1));
    push(now_ + time_scale_ * benchmark_->step_seconds(t.config, t.resource + 1, noise), id, false,
         false);
}

void SimBackend::schedule_recorded_step(TrialId id) {
    SimTrial& t = trial(id);
    const RecordedCurve& curve = recorded_->curves[t.curve];
    if (t.next >= curve.levels.size()) {
        push(now_, id, true, false);  // the recording ends here (exit code: next_event)
        return;
    }
    const double before = t.next == 0 ? 0.0 : curve.elapsed[t.next - 1];
    push(now_ + time_scale_ * (curve.elapsed[t.next] - before), id, false, false);
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
        if (recorded_ && !e.stopped && !reached_level(t.resource, t.milestone) &&
            recorded_->curves[t.curve].failed) {
            out.exit.exit_code = 1;
            out.exit.stderr_tail = "the recorded trial failed here";
        }
        ++t.generation;
        return out;
    }
    out.kind = BackendEvent::Kind::report;
    reported_ = e.trial;
    fill_report(out, t, e);
    return out;
}

void SimBackend::fill_report(BackendEvent& out, SimTrial& t, const Event& e) {
    if (recorded_) {
        const RecordedCurve& curve = recorded_->curves[t.curve];
        const std::size_t width = recorded_->value_names.size();
        t.resource = curve.levels[t.next];
        const double* values = &curve.values[t.next * width];
        ++t.next;
        out.report.resource = t.resource;
        out.report.metric = values[metric_value_];
        out.report.fields[resource_attr_] = t.resource;
        for (std::size_t k = 0; k < width; ++k)
            out.report.fields[recorded_->value_names[k]] = values[k];
        return;
    }
    t.resource += 1;
    std::uint64_t noise = Rng::hash(seed_ ^ 0x5bd1e995, static_cast<std::uint64_t>(e.trial),
                                    static_cast<std::uint64_t>(t.resource));
    out.report.resource = t.resource;
    out.report.metric = benchmark_->metric(t.config, t.resource, noise);
    out.report.fields[resource_attr_] = t.resource;
    out.report.fields[metric_] = out.report.metric;
    if (!extras_.empty()) {
        // The noise of this epoch's time (schedule_next_step), so that epoch_seconds is the
        // time the virtual clock advanced by.
        const std::uint64_t step_noise = Rng::hash(seed_, static_cast<std::uint64_t>(e.trial),
                                                   static_cast<std::uint64_t>(t.resource));
        for (const std::string& name : extras_) {
            double v = benchmark_->extra(name, t.config, t.resource, step_noise);
            if (name == "epoch_seconds") v *= time_scale_;
            out.report.fields[name] = v;
        }
    }
}

}  // namespace asha
