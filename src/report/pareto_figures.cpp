#include "report/pareto_figures.hpp"

#include "policy/pareto_front.hpp"
#include "report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace asha {

namespace {

using namespace svg;

constexpr std::size_t kMaxDots = 2000;  // full-fidelity results drawn (an even sample beyond)
constexpr std::size_t kMaxRows = 30;    // rows of the front's table

/// Every full-fidelity result that may be on the front, in the order reported, with its time.
struct Candidates {
    std::vector<FrontPoint> points;
    std::vector<double> times;
};

Candidates candidates_of(const RunData& run) {
    FrontCandidates offered(run.config.max_t);
    Candidates out;
    for (const ResultRow& r : run.results) {
        const std::size_t before = offered.points().size();
        offered.offer(r.trial, r.resource, r.seen);
        if (offered.points().size() > before) out.times.push_back(r.time);
    }
    out.points = offered.points();
    return out;
}

/// The worst value of each objective among `points`: the hypervolume's reference point.
std::vector<double> nadir(const std::vector<FrontPoint>& points,
                          const std::vector<Objective>& objectives) {
    std::vector<double> worst(objectives.size());
    for (std::size_t k = 0; k < objectives.size(); ++k) {
        const bool max = objectives[k].mode == Mode::max;
        worst[k] = max ? INFINITY : -INFINITY;
        for (const FrontPoint& p : points)
            worst[k] = max ? std::min(worst[k], p.values[k]) : std::max(worst[k], p.values[k]);
    }
    return worst;
}

std::string front_scatter(const RunData& run, const Candidates& c,
                          const std::vector<FrontPoint>& front) {
    const auto& o = run.config.objectives;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (const FrontPoint& p : c.points) {
        x0 = std::min(x0, p.values[0]), x1 = std::max(x1, p.values[0]);
        y0 = std::min(y0, p.values[1]), y1 = std::max(y1, p.values[1]);
    }
    Scale x(x0, x1, kLeft, kWidth - kRight), y(y0, y1, kHeight - kBottom, kTop);
    std::string s =
        open_plot("pareto", x, y, o[0].name + " (" + (o[0].mode == Mode::max ? "max" : "min") + ")",
                  o[1].name + " (" + (o[1].mode == Mode::max ? "max" : "min") + ")");
    const std::size_t total = c.points.size(), step = std::max<std::size_t>(1, total / kMaxDots);
    for (std::size_t i = 0; i < total; i += step)
        s += fmt::format("<circle class=\"point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\"/>\n",
                         x(c.points[i].values[0]), y(c.points[i].values[1]));
    // The front as a staircase through its points (sorted by the first objective), each a dot.
    std::string stairs;
    for (std::size_t i = 0; i < front.size(); ++i) {
        const auto& v = front[i].values;
        if (i > 0) stairs += fmt::format("{:.1f},{:.1f} ", x(v[0]), y(front[i - 1].values[1]));
        stairs += fmt::format("{:.1f},{:.1f} ", x(v[0]), y(v[1]));
    }
    s += "<polyline class=\"front\" points=\"" + stairs + "\"/>\n";
    for (const FrontPoint& p : front)
        s += fmt::format(
            "<circle class=\"front-point\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\"><title>trial {}: "
            "{} {:.6g}, {} {:.6g}</title></circle>\n",
            x(p.values[0]), y(p.values[1]), p.trial, escape(o[0].name), p.values[0],
            escape(o[1].name), p.values[1]);
    return figure(
        s, fmt::format("Every feasible result at {} {} ({}{}), the Pareto front in red.",
                       escape(run.config.resource_attr), format_value(json(run.config.max_t)),
                       total, total > kMaxDots ? ", an even sample drawn" : ""));
}

std::string hypervolume_figure(const RunData& run, const Candidates& c,
                               const std::vector<double>& reference) {
    // The front grows result by result; its hypervolume is worked out where it changes.
    std::vector<std::pair<double, double>> steps;
    std::vector<FrontPoint> so_far;
    for (std::size_t i = 0; i < c.points.size(); ++i) {
        so_far.push_back(c.points[i]);
        so_far = pareto_front(so_far, run.config.objectives);
        const double hv = hypervolume(so_far, run.config.objectives, reference);
        if (steps.empty() || hv > steps.back().second) steps.emplace_back(c.times[i], hv);
    }
    double t1 = 0;
    for (const ResultRow& r : run.results) t1 = std::max(t1, r.time);
    const double top = steps.empty() ? 1 : steps.back().second;
    Scale x(0, t1, kLeft, kWidth - kRight), y(0, top, kHeight - kBottom, kTop);
    std::string s = open_plot("hypervolume", x, y, "wall-clock time (s)", "hypervolume");
    std::string points = fmt::format("{:.1f},{:.1f} ", x(0), y(0));
    double prev = 0;
    for (auto [t, hv] : steps) {
        points += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", x(t), y(prev), x(t), y(hv));
        prev = hv;
    }
    points += fmt::format("{:.1f},{:.1f}", x(t1), y(prev));
    s += "<polyline class=\"best-curve\" stroke=\"#333\" points=\"" + points + "\"/>\n";
    std::string ref;
    for (std::size_t k = 0; k < reference.size(); ++k)
        ref += fmt::format("{}{:.4g}", k ? ", " : "", reference[k]);
    return figure(s,
                  "Hypervolume of the front found so far against wall-clock time; reference "
                  "point (" +
                      escape(ref) + "), the worst full-fidelity value of each objective.");
}

std::string front_table(const RunData& run, const std::vector<FrontPoint>& front) {
    std::string s = "<table class=\"front-table\"><tr><th>trial</th>";
    for (const Objective& o : run.config.objectives) s += "<th>" + escape(o.name) + "</th>";
    s += "<th>config</th></tr>\n";
    for (std::size_t i = 0; i < std::min(front.size(), kMaxRows); ++i) {
        const FrontPoint& p = front[i];
        s += fmt::format("<tr><td>{}</td>", p.trial);
        for (double v : p.values) s += fmt::format("<td>{:.6g}</td>", v);
        const auto id = static_cast<std::size_t>(p.trial);
        s += "<td>" + escape(id < run.trials.size() ? run.trials[id].config.dump() : "") +
             "</td></tr>\n";
    }
    if (front.size() > kMaxRows)
        s += fmt::format("<tr><td colspan=\"{}\">... and {} more (pareto.json)</td></tr>\n",
                         run.config.objectives.size() + 2, front.size() - kMaxRows);
    return s + "</table>\n";
}

}  // namespace

std::string pareto_section(const RunData& run) {
    if (!multi_objective(run.config)) return "";
    const Candidates c = candidates_of(run);
    const std::vector<FrontPoint> front = pareto_front(c.points, run.config.objectives);
    std::string s = fmt::format(
        "<h3>Pareto front</h3>\n<p>{} of the {} feasible results at {} {} "
        "are on the front.</p>\n",
        front.size(), c.points.size(), escape(run.config.resource_attr),
        format_value(json(run.config.max_t)));
    if (front.empty()) return s;
    if (run.config.objectives.size() == 2) s += front_scatter(run, c, front);
    s += hypervolume_figure(run, c, nadir(c.points, run.config.objectives));
    return s + front_table(run, front);
}

}  // namespace asha
