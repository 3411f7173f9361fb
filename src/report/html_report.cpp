#include "report/html_report.hpp"

#include "report/pareto_figures.hpp"
#include "report/run_analysis.hpp"
#include "report/svg.hpp"
#include "report/table.hpp"
#include "run/run_dir.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace asha {

namespace {

namespace summary_key = run_files::summary_json;
namespace rung_key = run_files::summary_json::rung;

using namespace svg;

std::pair<double, double> finite_range(const std::vector<double>& values) {
    double lo = INFINITY, hi = -INFINITY;
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    return {lo, hi};
}

std::string curves_figure(const RunData& run, const std::vector<TrialCurve>& curves,
                          std::optional<TrialId> best, bool by_time) {
    std::vector<double> xs, ys;
    for (const auto& r : run.results) {
        xs.push_back(by_time ? r.time : r.resource);
        ys.push_back(r.metric);
    }
    auto [x0, x1] = finite_range(xs);
    auto [y0, y1] = finite_range(ys);
    Scale x(by_time ? 0 : std::min(x0, 1.0), x1, kLeft, kWidth - kRight);
    Scale y(y0, y1, kHeight - kBottom, kTop);
    std::string s =
        open_plot(by_time ? "curves-time" : "curves-resource", x, y,
                  by_time ? "wall-clock time (s)" : run.config.resource_attr, run.config.metric);
    // The best trials get full curves; the rest only their last point (decimation for big runs).
    std::vector<const TrialCurve*> order;
    for (const auto& c : curves) order.push_back(&c);
    std::stable_sort(order.begin(), order.end(),
                     [](auto* a, auto* b) { return a->best < b->best; });
    std::size_t drawn = 0, dotted = 0;
    std::string dots;
    for (const TrialCurve* c : order) {
        const TrialRecord* t = find_trial(run, c->id);
        if (drawn >= kMaxCurves) {
            if (++dotted > kMaxDots) continue;
            const ResultRow* last = c->points.back();
            if (std::isfinite(last->metric))
                dots += fmt::format(
                    "<circle class=\"final\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"1.5\" fill=\"{}\"/>\n",
                    x(by_time ? last->time : last->resource), y(last->metric), colour(c->id));
            continue;
        }
        ++drawn;
        std::size_t stride = (c->points.size() + kMaxPointsPerCurve - 1) / kMaxPointsPerCurve;
        std::string points;
        for (std::size_t i = 0; i < c->points.size(); ++i) {
            if (i % stride != 0 && i + 1 != c->points.size()) continue;
            const ResultRow* p = c->points[i];
            if (!std::isfinite(p->metric)) continue;
            points +=
                fmt::format("{:.1f},{:.1f} ", x(by_time ? p->time : p->resource), y(p->metric));
        }
        std::string cls = "curve";
        if (best && c->id == *best) cls += " best";
        if (t && t->legs > 1) cls += " promoted";
        s += fmt::format(
            "<polyline class=\"{}\" data-trial=\"{}\" stroke=\"{}\" points=\"{}\"><title>trial "
            "{}</title></polyline>\n",
            cls, c->id, colour(c->id), points, c->id);
        const ResultRow* last = c->points.back();
        if (t && t->status == TrialStatus::stopped && std::isfinite(last->metric)) {
            double px = x(by_time ? last->time : last->resource), py = y(last->metric);
            s += fmt::format(
                "<path class=\"stop-marker\" d=\"M{:.1f} {:.1f}l6 6m0 -6l-6 6\" stroke=\"{}\"/>\n",
                px - 3, py - 3, colour(c->id));
        }
    }
    s += dots;
    std::string caption = fmt::format(
        "Learning curves: {} vs {}, one line per trial ({} trials); stopped trials end in "
        "a cross, promoted (resumed) trials are dashed, the best trial is thick.",
        escape(run.config.metric), by_time ? "wall-clock time" : escape(run.config.resource_attr),
        curves.size());
    if (curves.size() > kMaxCurves)
        caption += fmt::format(
            " Decimated: full curves for the {} best trials, the final point only for the next "
            "{}{}.",
            kMaxCurves, std::min(curves.size() - kMaxCurves, kMaxDots),
            curves.size() - kMaxCurves > kMaxDots
                ? fmt::format(" ({} more trials not drawn)", curves.size() - kMaxCurves - kMaxDots)
                : "");
    return figure(s, caption);
}

/// One run's, or several runs' best-so-far curves (`names` label them), of `metric`.
std::string best_so_far_figure(const std::vector<const RunAnalysis*>& runs,
                               const std::vector<std::string>& names, const std::string& metric) {
    std::vector<double> ys;
    double t1 = 0;
    for (const RunAnalysis* run : runs) {
        for (auto [t, m] : run->best_so_far) ys.push_back(m);
        t1 = std::max(t1, run->makespan);
    }
    auto [y0, y1] = finite_range(ys);
    Scale x(0, t1, kLeft, kWidth - kRight), y(y0, y1, kHeight - kBottom, kTop);
    std::string s =
        open_plot("best-so-far", x, y, "wall-clock time (s)", "best " + metric + " so far");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& steps = runs[i]->best_so_far;
        if (steps.empty()) continue;
        std::string points;
        double prev = steps[0].second;
        for (auto [t, m] : steps) {
            points += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", x(t), y(prev), x(t), y(m));
            prev = m;
        }
        points += fmt::format("{:.1f},{:.1f}", x(runs[i]->makespan), y(prev));
        static const char* const kRunColours[] = {"#1f77b4", "#d62728", "#2ca02c",
                                                  "#ff7f0e", "#9467bd", "#8c564b"};
        std::string stroke = runs.size() == 1 ? "#333" : kRunColours[i % 6];
        s += fmt::format(
            "<polyline class=\"best-curve\" data-run=\"{}\" stroke=\"{}\" points=\"{}\"/>\n", i,
            stroke, points);
        if (runs.size() > 1)
            s += fmt::format("<text class=\"legend\" x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>\n",
                             kWidth - kRight - 8, kTop + 16 + 16 * static_cast<double>(i), stroke,
                             escape(names[i]));
    }
    return figure(s, "Best " + escape(metric) + " found so far against wall-clock time" +
                         (runs.size() > 1 ? ", one line per run." : "."));
}

std::string timeline_figure(const RunData& run, const RunAnalysis& a) {
    const std::vector<int>& slots = a.slots;
    const int workers = a.workers;
    const double t1 = std::max(a.makespan, 1e-9);
    double row = std::clamp(240.0 / std::max(workers, 1), 4.0, 28.0);
    double height = kTop + kBottom + row * workers;
    Scale x(0, t1, kLeft + 40, kWidth - kRight), y(0, 1, 0, 1);
    std::string s = fmt::format(
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" "
        "width=\"{0}\" height=\"{1}\">\n",
        kWidth, height);
    s += x_ticks(x, height);
    s += fmt::format(
        "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">wall-clock time "
        "(s)</text>\n",
        (kLeft + kWidth) / 2, height - 8);
    std::map<TrialId, std::vector<std::size_t>> legs_of;
    for (std::size_t i = 0; i < run.legs.size(); ++i) {
        const LegRow& l = run.legs[i];
        legs_of[l.trial].push_back(i);
        if (i >= kMaxBars) continue;
        double top = kTop + row * slots[i];
        s += fmt::format(
            "<rect class=\"leg\" data-trial=\"{}\" data-worker=\"{}\" data-start=\"{}\" "
            "data-end=\"{}\" "
            "x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.1f}\" fill=\"{}\"><title>trial "
            "{} leg {}: "
            "{:.1f}-{:.1f} s{}</title></rect>\n",
            l.trial, slots[i], l.start, l.end, x(l.start), top + 1,
            std::max(0.5, x(l.end) - x(l.start)), std::max(1.0, row - 2), colour(l.trial), l.trial,
            l.leg, l.start, l.end, l.running ? " (running)" : "");
    }
    // Rung levels: a tick where a trial's report reached one, in the row of the leg it was in.
    const std::set<double>& levels = a.rung_levels;
    std::size_t ticks = 0;
    for (const auto& r : run.results) {
        if (!levels.count(r.resource) || ticks >= kMaxBars) continue;
        for (std::size_t i : legs_of[r.trial]) {
            if (r.time < run.legs[i].start - 1e-9 || r.time > run.legs[i].end + 1e-9) continue;
            double top = kTop + row * slots[i];
            s += fmt::format(
                "<line class=\"rung\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" "
                "y2=\"{2:.1f}\"/>\n",
                x(r.time), top, top + row);
            ++ticks;
            break;
        }
    }
    for (int w = 0; w < workers; ++w)
        s += fmt::format(
            "<text class=\"worker\" x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">w{} {:.0f}%</text>\n",
            kLeft + 36, kTop + row * w + row / 2 + 4, w,
            100 * a.utilisation[static_cast<std::size_t>(w)]);
    std::string caption = fmt::format(
        "Worker timeline: one row per worker (w0-w{}, with its utilisation), a bar per trial "
        "leg coloured by trial, black ticks where a report reached a rung level; gaps are "
        "idle time.",
        workers - 1);
    if (run.legs.size() > kMaxBars)
        caption += fmt::format(" Decimated: the first {} of {} legs.", kMaxBars, run.legs.size());
    return figure(s, caption);
}

std::string rung_table(const RunData& run) {
    if (!run.summary.is_object() || !run.summary.contains(summary_key::rungs) ||
        run.summary[summary_key::rungs].empty())
        return run.finished ? "" : "<p>The rung table is written at the end of the run.</p>\n";
    std::string s =
        "<table class=\"rungs\"><tr><th>bracket</th><th>level</th><th>trials "
        "recorded</th><th>promoted</th>"
        "<th>cutoff (q<sub>k</sub> = r<sub>k</sub>/r<sub>k+1</sub> quantile)</th></tr>\n";
    for (const auto& r : run.summary[summary_key::rungs])
        s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                         r[rung_key::bracket].dump(), format_value(r[rung_key::level]),
                         r[rung_key::recorded].dump(), r[rung_key::promoted].dump(),
                         r[rung_key::cutoff].is_null()
                             ? "-"
                             : fmt::format("{:.6g}", r[rung_key::cutoff].get<double>()));
    return s + "</table>\n";
}

std::string top_trials(const RunData& run, const std::vector<TrialCurve>& curves, std::size_t k) {
    std::vector<const TrialCurve*> order;
    for (const auto& c : curves) order.push_back(&c);
    std::stable_sort(order.begin(), order.end(),
                     [](auto* a, auto* b) { return a->best < b->best; });
    std::string s = "<table class=\"top\"><tr><th>trial</th><th>best " + escape(run.config.metric) +
                    "</th><th>status</th>";
    for (const auto& name : run.config.config_space.names()) s += "<th>" + escape(name) + "</th>";
    s += "</tr>\n";
    for (std::size_t i = 0; i < order.size() && i < k; ++i) {
        const TrialRecord* t = find_trial(run, order[i]->id);
        const double metric = metric_of(run, order[i]->best);
        // A trial that only ever reported NaN or ±inf has no best value (badness +inf).
        s += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td>", order[i]->id,
                         std::isfinite(order[i]->best) ? fmt::format("{:.6g}", metric)
                                                       : std::string("none finite"),
                         t ? to_string(t->status) : "");
        for (const auto& name : run.config.config_space.names()) {
            if (!t || !t->config.contains(name)) {
                s += "<td></td>";
                continue;
            }
            // Six significant digits for a person; the exact value on hover (and in the files).
            const json& value = t->config[name];
            const std::string exact = escape(format_value(value));
            s += value.is_number_float() ? "<td title=\"" + exact + "\">" +
                                               fmt::format("{:.6g}", value.get<double>()) + "</td>"
                                         : "<td>" + exact + "</td>";
        }
        s += "</tr>\n";
    }
    return s + "</table>\n";
}

std::string scatter_figures(const RunData& run, const std::vector<TrialCurve>& curves) {
    std::string out;
    for (const auto& [name, domain] : run.config.config_space.params()) {
        if (domain.type == DomainType::constant) continue;
        std::vector<std::pair<json, double>> points;
        for (const auto& c : curves) {
            const TrialRecord* t = find_trial(run, c.id);
            if (!t || !t->config.contains(name) || !std::isfinite(c.best)) continue;
            points.emplace_back(t->config[name], metric_of(run, c.best));
        }
        if (points.empty()) continue;
        const std::size_t total = points.size();
        if (total > kMaxDots) {  // an even sample keeps the picture and the file size readable
            std::vector<std::pair<json, double>> sample;
            for (std::size_t i = 0; i < kMaxDots; ++i)
                sample.push_back(points[i * total / kMaxDots]);
            points = std::move(sample);
        }
        std::vector<double> ys;
        for (auto& p : points) ys.push_back(p.second);
        auto [y0, y1] = finite_range(ys);
        Scale y(y0, y1, kHeight - kBottom, kTop);
        bool categorical = domain.type == DomainType::choice;
        std::vector<std::string> categories;
        for (const auto& c : domain.choices) categories.push_back(format_value(c));
        Scale x =
            categorical
                ? Scale(-0.5, static_cast<double>(categories.size()) - 0.5, kLeft, kWidth - kRight)
                : Scale(domain.lower, domain.upper, kLeft, kWidth - kRight, domain.is_log());
        std::string s = open_plot("scatter", categorical ? Scale(0, 0, 0, 0) : x, y, name,
                                  "best " + run.config.metric);
        if (categorical)
            for (std::size_t i = 0; i < categories.size(); ++i)
                s += fmt::format(
                    "<text class=\"tick\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                    x(static_cast<double>(i)), kHeight - kBottom + 16, escape(categories[i]));
        for (const auto& [value, metric] : points) {
            double px;
            if (categorical) {
                auto it = std::find(categories.begin(), categories.end(), format_value(value));
                px = x(static_cast<double>(it - categories.begin()));
            } else {
                if (!value.is_number()) continue;
                px = x(value.get<double>());
            }
            s += fmt::format("<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\"/>\n",
                             px, y(metric));
        }
        out += figure(
            s, fmt::format("Best {} of each trial against {}{}{}.", escape(run.config.metric),
                           escape(name), domain.is_log() ? " (log axis)" : "",
                           total > kMaxDots ? fmt::format("; an even sample of {} of the {} trials",
                                                          kMaxDots, total)
                                            : ""));
    }
    return out;
}

std::string run_title(const RunData& run) {
    return run.dir.filename().string();
}

std::string run_section(const RunData& run, const RunAnalysis& a) {
    const std::vector<TrialCurve>& curves = a.curves;
    const std::optional<TrialId>& best = a.best;
    StatusCounts counts;
    for (const auto& t : run.trials) counts.add(t.status);
    std::string state = run.finished  ? "finished"
                        : run.running ? "running"
                                      : "ended without a summary";
    std::string s = fmt::format(
        "<section class=\"run\">\n<h2>{}</h2>\n<p class=\"facts\">{}; {} trials: {} running, "
        "{} completed, {} stopped, {} paused, {} failed; scheduler {}; {} workers.",
        escape(run_title(run)), state, run.trials.size(), counts.running, counts.completed,
        counts.stopped, counts.paused, counts.failed,
        escape(run.config.document.value("scheduler", json::object())
                   .value("type", std::string("asha"))),
        run.config.workers);
    if (multi_objective(run.config)) {
        std::string names;
        for (const Objective& o : run.config.objectives)
            names += (names.empty() ? "" : ", ") + o.name;
        s += " Objectives: " + escape(names) + " (the Pareto front below).";
    } else if (best) {
        const double value = metric_of(run, a.best_badness);
        s += fmt::format(" Best {}: <b>{:.6g}</b> (trial {}).", escape(run.config.metric), value,
                         *best);
    }
    if (run.summary.is_object() && run.summary.contains(summary_key::stop_reason))
        s += " Stopped because: " +
             escape(run.summary[summary_key::stop_reason].get<std::string>()) + ".";
    if (run.top_rung) s += " " + escape(render_top_rung(*run.top_rung, run.config)) + ".";
    s += "</p>\n";
    s += pareto_section(run);
    s += curves_figure(run, curves, best, true);
    s += curves_figure(run, curves, best, false);
    s += best_so_far_figure({&a}, {run_title(run)}, run.config.metric);
    s += timeline_figure(run, a);
    s += "<h3>Rungs</h3>\n" + rung_table(run);
    s += "<h3>Top trials</h3>\n" + top_trials(run, curves, 10);
    s += "<h3>Metric against each hyperparameter</h3>\n" + scatter_figures(run, curves);
    return s + "</section>\n";
}

const char* kStyle =
    R"(body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:900px}
h1{font-size:22px}h2{font-size:18px;border-top:1px solid #ccc;padding-top:12px}h3{font-size:15px}
figure{margin:12px 0}figcaption{color:#555;font-size:12px}svg{display:block;background:#fff}
.frame{fill:none;stroke:#999}.grid{stroke:#eee}.tick,.worker,.legend{font-size:11px;fill:#555}.legend{text-anchor:end}
.label{font-size:12px;fill:#333}.curve,.best-curve{fill:none;stroke-width:1.2;opacity:.75}
.curve.promoted{stroke-dasharray:4 2}.curve.best{stroke-width:3.5;opacity:1}.best-curve{stroke-width:2;opacity:1}
.stop-marker{stroke-width:1.5;fill:none}.rung{stroke:#000;stroke-width:1}.point{fill:#3366aa;opacity:.6}
.front{fill:none;stroke:#d62728;stroke-width:1.5}.front-point{fill:#d62728}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}
)";

}  // namespace

std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options) {
    std::string title = runs.size() == 1
                            ? "asha-tune report: " + run_title(runs[0])
                            : "asha-tune report: " + std::to_string(runs.size()) + " runs";
    std::string refresh =
        options.refresh_seconds > 0
            ? fmt::format("<meta http-equiv=\"refresh\" content=\"{}\">", options.refresh_seconds)
            : "";
    std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" + refresh +
                    "<title>" + escape(title) + "</title>\n<style>" + kStyle +
                    "</style></head>\n<body>\n<h1>" + escape(title) + "</h1>\n";
    if (options.refresh_seconds > 0)
        s += fmt::format(
            "<p class=\"live\">Live: the run is going on; this page reloads itself every {} s "
            "until it ends.</p>\n",
            options.refresh_seconds);
    std::vector<RunAnalysis> analyses;
    for (const auto& r : runs) analyses.push_back(analyse_run(r));
    if (runs.size() > 1) {
        std::vector<const RunAnalysis*> all;
        std::vector<std::string> names;
        for (std::size_t i = 0; i < runs.size(); ++i)
            all.push_back(&analyses[i]), names.push_back(run_title(runs[i]));
        s += "<section class=\"comparison\">\n<h2>Comparison</h2>\n" +
             best_so_far_figure(all, names, runs[0].config.metric);
        s += "<table "
             "class=\"utilisation\"><tr><th>run</th><th>scheduler</th><th>workers</"
             "th><th>utilisation</th><th>best</th></tr>\n";
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const RunData& r = runs[i];
            const double total = std::accumulate(analyses[i].utilisation.begin(),
                                                 analyses[i].utilisation.end(), 0.0);
            const auto& steps = analyses[i].best_so_far;
            s += fmt::format(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}%</td><td>{}</td></tr>\n",
                escape(run_title(r)),
                escape(r.config.document.value("scheduler", json::object())
                           .value("type", std::string("asha"))),
                r.config.workers, 100 * total / std::max<double>(r.config.workers, 1),
                steps.empty() ? "-" : fmt::format("{:.6g}", steps.back().second));
        }
        s += "</table>\n</section>\n";
    }
    for (std::size_t i = 0; i < runs.size(); ++i) s += run_section(runs[i], analyses[i]);
    return s + "<p class=\"footer\">Generated by asha-tune " ASHA_VERSION ".</p>\n</body></html>\n";
}

void write_html_report(const std::filesystem::path& dir, bool ended, double refresh_seconds) {
    try {
        RunData run = read_run(dir);
        ReportOptions options;
        if (ended) {
            // Read while the tuner still holds the run's lock, which says "running".
            run.running = false;
            run.finished = true;
        } else {
            // A browser tab left open on the page follows the run; the final page stops that.
            options.refresh_seconds = std::max(1, static_cast<int>(std::ceil(refresh_seconds)));
        }
        write_file_atomic(dir / run_files::report, render_report({run}, options));
    } catch (const std::exception& e) {
        spdlog::warn("cannot write {}: {}", (dir / run_files::report).string(), e.what());
    }
}

}  // namespace asha
