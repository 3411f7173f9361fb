#include "scripted_backend.hpp"

#include "asha/config_space.hpp"

#include <signal.h>

#include <limits>
#include <stdexcept>

namespace asha::test {

namespace {
std::string num(double x) {
    return format_value(json(x));
}
}  // namespace

LegScript well_behaved(const TrialLaunch& launch, double value, double epoch) {
    LegScript script;
    for (double r = launch.resource + 1; r <= launch.milestone; ++r)
        script.steps.push_back(report(epoch, r, value));
    script.steps.push_back(exits(0));
    return script;
}

ScriptedBackend::ScriptedBackend(Script script, Options options)
    : script_(std::move(script)), options_(options) {}

ScriptedBackend::Leg& ScriptedBackend::leg(TrialId trial) {
    if (trial < 0) throw std::logic_error("scripted backend: negative trial id");
    if (static_cast<std::size_t>(trial) >= legs_.size())
        legs_.resize(static_cast<std::size_t>(trial) + 1);
    return legs_[static_cast<std::size_t>(trial)];
}

void ScriptedBackend::say(const std::string& what) {
    log_.push_back(num(now_) + ": " + what);
}

void ScriptedBackend::push(double time, TrialId trial, Step step, bool stopped_by_tuner) {
    const unsigned generation = trial >= 0 ? leg(trial).generation : 0;
    queue_.push(Pending{time, sequence_++, trial, generation, std::move(step), stopped_by_tuner});
}

void ScriptedBackend::interrupt_at(double t, int signal) {
    Step step;
    step.signal = signal;
    push(t, -1, step);
}

LegStarted ScriptedBackend::start(const TrialLaunch& launch) {
    Leg& l = leg(launch.trial_id);
    if (l.running) throw std::logic_error("scripted backend: trial started twice");
    say("start " + std::to_string(launch.trial_id) + " leg " + std::to_string(launch.leg) + " " +
        to_string(launch.kind) + " to " + num(launch.milestone) + " from " + num(launch.resource));
    LegScript script = script_(launch);
    l.running = true;
    l.term_sent = false;
    l.ignores_sigterm = script.ignores_sigterm;
    l.exits_after_sigterm = script.exits_after_sigterm;
    ++l.generation;
    ++running_;
    double t = now_;
    for (Step& step : script.steps) {
        t += step.after;
        push(t, launch.trial_id, std::move(step));
    }
    return {"scripted " + std::to_string(launch.trial_id), "", 0};
}

void ScriptedBackend::stop(TrialId trial, bool immediately) {
    Leg& l = leg(trial);
    say((immediately ? "kill " : "stop ") + std::to_string(trial));
    if (!l.running) return;
    if (immediately) {
        ++l.generation;  // nothing more of its script happens
        push(now_, trial, killed(0, SIGKILL), true);
        return;
    }
    if (l.term_sent) return;
    l.term_sent = true;
    if (l.ignores_sigterm) {  // its script goes on until the grace period's SIGKILL
        push(now_ + options_.stop_grace_period, trial, killed(0, SIGKILL), true);
        return;
    }
    ++l.generation;
    push(now_ + l.exits_after_sigterm, trial, killed(0, SIGTERM), true);
}

void ScriptedBackend::drop_stale() {
    while (!queue_.empty() && queue_.top().trial >= 0 &&
           queue_.top().generation != leg(queue_.top().trial).generation)
        queue_.pop();
}

bool ScriptedBackend::event_ready() const {
    // Stale entries only make this say "ready" early, which costs the Tuner a flush at most.
    return !queue_.empty() && queue_.top().time <= now_;
}

std::optional<BackendEvent> ScriptedBackend::next_event(double deadline) {
    drop_stale();
    if (queue_.empty() || queue_.top().time > deadline) {
        if (deadline == std::numeric_limits<double>::infinity())
            throw std::logic_error(
                "scripted backend: the tuner waits forever and no script has anything left to "
                "do (" +
                std::to_string(running_) + " leg(s) running)");
        now_ = std::max(now_, deadline);
        return std::nullopt;
    }
    Pending p = queue_.top();
    queue_.pop();
    now_ = std::max(now_, p.time);
    BackendEvent event;
    event.trial_id = p.trial;
    const std::string id = std::to_string(p.trial);
    if (p.trial < 0) {
        event.kind = BackendEvent::Kind::interrupted;
        event.signal = p.step.signal;
        say("signal " + std::to_string(p.step.signal));
        return event;
    }
    Leg& l = leg(p.trial);
    switch (p.step.kind) {
        case Step::Kind::report:
            event.kind = BackendEvent::Kind::report;
            event.report.resource = p.step.resource;
            event.report.metric = p.step.metric;
            event.report.fields = {{"epoch", p.step.resource}, {"loss", p.step.metric}};
            say("report " + id + " epoch " + num(p.step.resource) + " = " + num(p.step.metric));
            break;
        case Step::Kind::running:
            event.kind = BackendEvent::Kind::running;
            say("running " + id);
            break;
        case Step::Kind::exit:
            event.kind = BackendEvent::Kind::exit;
            event.exit.exit_code = p.step.exit_code;
            event.exit.signal = p.step.signal;
            event.exit.stopped_by_tuner = p.stopped_by_tuner || l.term_sent;
            event.exit.stderr_tail = p.step.stderr_tail;
            say("exit " + id +
                (p.step.signal ? " signal " + std::to_string(p.step.signal)
                               : " code " + std::to_string(p.step.exit_code)));
            l.running = false;
            ++l.generation;  // a grace-period kill still queued is void
            --running_;
            break;
    }
    return event;
}

std::optional<LegStarted> ScriptedBackend::take_over(const TrialLaunch& launch,
                                                     const LegProgress& progress) {
    // Its legs die with the tuner, as a backend's that cannot take over: the Tuner ends or
    // starts them again.
    say("take over " + std::to_string(launch.trial_id) + " leg " + std::to_string(launch.leg) +
        (progress.stopping ? " (was stopping)" : ""));
    return std::nullopt;
}

std::string ScriptedBackend::reclaim(const std::vector<RunningLeg>& legs) {
    std::string all;
    for (const auto& l : legs) all += (all.empty() ? "" : ", ") + l.handle;
    say("reclaim " + all);
    return "";
}

}  // namespace asha::test
