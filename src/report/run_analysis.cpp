#include "report/run_analysis.hpp"

#include "asha/run_files.hpp"
#include "policy/stopping_rule.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace asha {

namespace {

namespace summary_key = run_files::summary_json;

std::vector<TrialCurve> curves_of(const RunData& run) {
    std::map<TrialId, TrialCurve> by_trial;
    for (const auto& r : run.results) {
        TrialCurve& c = by_trial[r.trial];
        c.id = r.trial;
        c.points.push_back(&r);
        c.best = std::min(c.best, badness_of(run, r.metric));
    }
    std::vector<TrialCurve> out;
    for (auto& [id, c] : by_trial) out.push_back(std::move(c));
    return out;
}

std::vector<std::pair<double, double>> best_so_far(const RunData& run) {
    std::vector<const ResultRow*> rows;
    for (const auto& r : run.results) rows.push_back(&r);
    std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->time < b->time; });
    std::vector<std::pair<double, double>> steps;
    double best = INFINITY;
    for (const ResultRow* r : rows) {
        double key = badness_of(run, r->metric);
        if (key < best && std::isfinite(r->metric)) {
            best = key;
            steps.emplace_back(r->time, r->metric);
        }
    }
    return steps;
}

double makespan(const RunData& run) {
    double end = 0;
    for (const auto& l : run.legs) end = std::max(end, l.end);
    for (const auto& r : run.results) end = std::max(end, r.time);
    if (run.summary.is_object() && run.summary.contains(summary_key::wallclock))
        end = std::max(end, run.summary[summary_key::wallclock].get<double>());
    return end;
}

std::set<double> rung_level_set(const ExperimentConfig& c) {
    std::set<double> levels;
    if (c.scheduler.type == SchedulerType::fifo) return levels;
    for (int b = 0; b < c.scheduler.brackets; ++b)
        for (double l :
             rung_levels(c.scheduler.grace_period, c.scheduler.reduction_factor, c.max_t, b))
            levels.insert(l);
    return levels;
}

}  // namespace

RunAnalysis analyse_run(const RunData& run) {
    RunAnalysis a;
    a.curves = curves_of(run);
    for (const auto& c : a.curves)
        if (c.best < a.best_badness) a.best_badness = c.best, a.best = c.id;
    a.best_so_far = best_so_far(run);
    a.makespan = makespan(run);
    a.slots = assign_worker_slots(run.legs);
    a.workers =
        std::max(run.config.workers,
                 a.slots.empty() ? 0 : *std::max_element(a.slots.begin(), a.slots.end()) + 1);
    const double t1 = std::max(a.makespan, 1e-9);
    a.utilisation.assign(static_cast<std::size_t>(a.workers), 0);
    for (std::size_t i = 0; i < run.legs.size(); ++i)
        a.utilisation[static_cast<std::size_t>(a.slots[i])] +=
            (run.legs[i].end - run.legs[i].start) / t1;
    a.rung_levels = rung_level_set(run.config);
    return a;
}

std::vector<int> assign_worker_slots(const std::vector<LegRow>& legs) {
    std::vector<std::size_t> order(legs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return legs[a].start < legs[b].start; });
    std::vector<double> free_at;  // per slot: when its last leg ends
    std::vector<int> slot(legs.size(), 0);
    for (std::size_t i : order) {
        int chosen = -1;
        for (std::size_t s = 0; s < free_at.size() && chosen < 0; ++s)
            if (free_at[s] <= legs[i].start + 1e-9) chosen = static_cast<int>(s);
        if (chosen < 0) {
            chosen = static_cast<int>(free_at.size());
            free_at.push_back(0);
        }
        free_at[static_cast<std::size_t>(chosen)] = legs[i].end;
        slot[i] = chosen;
    }
    return slot;
}

const TrialRecord* find_trial(const RunData& run, TrialId id) {
    return id >= 0 && static_cast<std::size_t>(id) < run.trials.size() &&
                   run.trials[static_cast<std::size_t>(id)].id == id
               ? &run.trials[static_cast<std::size_t>(id)]
               : nullptr;
}

double badness_of(const RunData& run, double metric) {
    return badness(metric, run.config.mode == Mode::max);
}

double metric_of(const RunData& run, double badness) {
    return metric_of_badness(badness, run.config.mode == Mode::max);
}

}  // namespace asha
