#include "report/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace asha {

namespace {

std::string cell(const json& value) {
    if (value.is_number_float()) return fmt::format("{:.6f}", value.get<double>());
    return format_value(value);
}

std::vector<const TrialRecord*> rows_to_show(const std::vector<TrialRecord>& trials,
                                             const ExperimentConfig& config, std::size_t max_rows) {
    std::vector<const TrialRecord*> rows;
    for (const auto& t : trials) rows.push_back(&t);
    if (rows.size() <= max_rows) return rows;
    // Running trials first, then the best by their last metric; shown in id order.
    const bool maximize = config.mode == Mode::max;
    std::stable_sort(rows.begin(), rows.end(), [&](const TrialRecord* a, const TrialRecord* b) {
        auto live = [](const TrialRecord* t) {
            return t->status == TrialStatus::in_progress || t->status == TrialStatus::pending;
        };
        bool ra = live(a), rb = live(b);
        if (ra != rb) return ra;
        double ka = a->reports ? badness(a->last_metric, maximize) : INFINITY;
        double kb = b->reports ? badness(b->last_metric, maximize) : INFINITY;
        return ka < kb;
    });
    rows.resize(max_rows);
    std::sort(rows.begin(), rows.end(),
              [](const TrialRecord* a, const TrialRecord* b) { return a->id < b->id; });
    return rows;
}

}  // namespace

std::string render_table(const std::vector<TrialRecord>& trials, const ExperimentConfig& config,
                         std::size_t max_rows, double now) {
    std::vector<std::string> header = {"trial_id", "status", "iter"};
    for (const auto& name : config.config_space.names()) header.push_back(name);
    header.push_back(config.resource_attr);
    header.push_back(config.metric);
    header.push_back("worker-time");
    std::vector<std::vector<std::string>> rows;
    for (const TrialRecord* t : rows_to_show(trials, config, max_rows)) {
        std::vector<std::string> row = {std::to_string(t->id), to_string(t->status),
                                        std::to_string(t->reports)};
        for (const auto& name : config.config_space.names())
            row.push_back(t->config.contains(name) ? cell(t->config[name]) : "-");
        row.push_back(t->reports ? format_value(json(t->last_resource)) : "-");
        row.push_back(t->reports ? fmt::format("{:.6f}", t->last_metric) : "-");
        double worker =
            t->worker_time + (t->status == TrialStatus::in_progress ? now - t->leg_started : 0);
        row.push_back(t->legs ? fmt::format("{:.6f}", worker) : "-");
        rows.push_back(std::move(row));
    }
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
        width[c] = header[c].size();
        for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
    }
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size(); ++c)
            out += fmt::format(" {:>{}}", cells[c], width[c]);
        out += '\n';
    };
    line(header);
    for (const auto& row : rows) line(row);
    if (trials.size() > rows.size())
        out += fmt::format(" ... {} more trials not shown (all are in trials.csv)\n",
                           trials.size() - rows.size());
    return out;
}

std::string render_progress_line(const RunSummary& s) {
    return fmt::format("{} trials running, {} finished ({} until the end), {:.2f}s wallclock-time",
                       s.running, s.started - s.running, s.completed, s.wallclock);
}

std::string render_best_line(const RunSummary& s, const ExperimentConfig& c) {
    if (s.multi_objective) return render_front(s, c);
    if (!s.best_trial)
        return c.metric + (c.constraints.empty() ? ": no finite result yet"
                                                 : ": no finite feasible result yet");
    return fmt::format("{}: best {} for trial-id {}", c.metric, format_value(json(s.best_metric)),
                       *s.best_trial);
}

std::string render_front(const RunSummary& s, const ExperimentConfig& c) {
    constexpr std::size_t kMaxLines = 10;
    std::string names;
    for (const Objective& o : c.objectives)
        names += (names.empty() ? "" : ", ") + o.name + " (" +
                 (o.mode == Mode::max ? "max" : "min") + ")";
    if (s.front.empty())
        return "Pareto front of " + names + ": no feasible result at " + c.resource_attr + " " +
               format_value(json(c.max_t)) + " yet";
    std::string out = fmt::format("Pareto front of {}: {} result{}", names, s.front.size(),
                                  s.front.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < std::min(s.front.size(), kMaxLines); ++i) {
        const FrontPoint& p = s.front[i];
        out += fmt::format("\n  trial-id {}:", p.trial);
        for (std::size_t k = 0; k < p.values.size(); ++k)
            out += fmt::format("{} {} {}", k ? "," : "", c.objectives[k].name,
                               format_value(json(p.values[k])));
    }
    if (s.front.size() > kMaxLines)
        out += fmt::format("\n  ... and {} more (pareto.json)", s.front.size() - kMaxLines);
    return out;
}

std::string render_rungs(const std::vector<RungSummary>& rungs, const std::string& resource_attr) {
    constexpr std::size_t kMaxLines = 12;  // sync_sh has a line per stage of every round
    if (rungs.empty()) return "";
    auto number = [](double x) {
        return std::isnan(x) ? std::string("-") : fmt::format("{:.4g}", x);
    };
    bool brackets = std::any_of(rungs.begin(), rungs.end(),
                                [](const RungSummary& r) { return r.bracket != 0; });
    std::string out = "rungs:\n";
    for (std::size_t i = 0; i < std::min(rungs.size(), kMaxLines); ++i) {
        const auto& r = rungs[i];
        out +=
            fmt::format("  {}{} {}: {} trials, best {}, cutoff {}\n",
                        brackets ? fmt::format("bracket {}, ", r.bracket) : "", resource_attr,
                        format_value(json(r.level)), r.recorded, number(r.best), number(r.cutoff));
    }
    if (rungs.size() > kMaxLines)
        out += fmt::format("  ... {} more in summary.json\n", rungs.size() - kMaxLines);
    return out;
}

std::string render_top_rung(const TopRungState& top, const ExperimentConfig& c) {
    std::string out =
        fmt::format("PASHA: trials go up to {} {}", c.resource_attr, format_value(json(top.level)));
    out += top.level < c.max_t ? fmt::format(" of {}", format_value(json(c.max_t)))
                               : " = max_t, as far as ASHA";
    if (top.raises == 0) return out + "; not raised yet";
    return out + fmt::format(
                     "; raised {}, the last at {:.1f} s (epsilon {:.4g})",
                     top.raises == 1 ? std::string("once") : std::to_string(top.raises) + " times",
                     top.since, top.epsilon);
}

std::string render_run_end(const RunSummary& s) {
    return fmt::format(
        "stopped because: {}\nworker utilisation: {:.1f}% ({:.1f} busy worker-seconds / ({} "
        "workers x "
        "{:.2f} s))\ntrials: {} started, {} completed, {} stopped, {} paused, {} failed",
        s.stop_reason, 100 * s.utilisation(), s.busy_time, s.workers, s.wallclock, s.started,
        s.completed, s.stopped, s.paused, s.failed);
}

}  // namespace asha
