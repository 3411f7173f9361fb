#include "policy/pareto_front.hpp"
#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cmath>

namespace asha {

namespace {

Objectives minimised(const FrontPoint& p, const std::vector<Objective>& objectives) {
    Objectives key(p.values.size());
    for (std::size_t k = 0; k < key.size(); ++k)
        key[k] = objectives[k].mode == Mode::max ? -p.values[k] : p.values[k];
    return key;
}

}  // namespace

void FrontCandidates::offer(TrialId trial, double resource, const Observation& seen) {
    if (max_t_ > 0) {
        if (!reached_level(resource, max_t_)) return;
        const auto id = static_cast<std::size_t>(trial);
        if (id >= counted_.size()) counted_.resize(id + 1, false);
        if (counted_[id]) return;
        counted_[id] = true;
    }
    if (seen.violation != 0) return;
    for (double v : seen.values)
        if (!std::isfinite(v)) return;
    points_.push_back(FrontPoint{trial, resource, seen.values});
}

std::vector<FrontPoint> pareto_front(const std::vector<FrontPoint>& candidates,
                                     const std::vector<Objective>& objectives) {
    std::vector<Objectives> keys;
    keys.reserve(candidates.size());
    for (const FrontPoint& p : candidates) keys.push_back(minimised(p, objectives));
    const std::vector<bool> efficient = pareto_efficient(keys);
    std::vector<std::size_t> on;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        if (efficient[i]) on.push_back(i);
    std::sort(on.begin(), on.end(), [&](std::size_t a, std::size_t b) {
        if (keys[a] != keys[b]) return keys[a] < keys[b];
        return candidates[a].trial < candidates[b].trial;
    });
    std::vector<FrontPoint> front;
    front.reserve(on.size());
    for (std::size_t i : on) front.push_back(candidates[i]);
    return front;
}

namespace {

/// The volume of the union of the boxes [p, ref] (every objective minimised, every p < ref):
/// a sweep for two objectives, else slices along the last objective, each the union in one
/// dimension less of the points at or below it (HSO; O(n^(d-1) log n)).
double union_volume(std::vector<Objectives> points, const Objectives& ref) {
    const std::size_t d = ref.size();
    if (points.empty()) return 0;
    if (d == 1) {
        double lowest = ref[0];
        for (const Objectives& p : points) lowest = std::min(lowest, p[0]);
        return ref[0] - lowest;
    }
    if (d == 2) {
        std::sort(points.begin(), points.end());
        double area = 0, ceiling = ref[1];
        for (const Objectives& p : points) {
            if (p[1] >= ceiling) continue;
            area += (ref[0] - p[0]) * (ceiling - p[1]);
            ceiling = p[1];
        }
        return area;
    }
    std::sort(points.begin(), points.end(),
              [&](const Objectives& a, const Objectives& b) { return a[d - 1] < b[d - 1]; });
    const Objectives lower_ref(ref.begin(), ref.end() - 1);
    std::vector<Objectives> below;
    double volume = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        below.emplace_back(points[i].begin(), points[i].end() - 1);
        const double top = i + 1 < points.size() ? points[i + 1][d - 1] : ref[d - 1];
        if (top > points[i][d - 1])
            volume += (top - points[i][d - 1]) * union_volume(below, lower_ref);
    }
    return volume;
}

}  // namespace

double hypervolume(const std::vector<FrontPoint>& front, const std::vector<Objective>& objectives,
                   const std::vector<double>& reference) {
    const FrontPoint ref_point{0, 0, reference};
    const Objectives ref = minimised(ref_point, objectives);
    std::vector<Objectives> inside;
    for (const FrontPoint& p : front) {
        Objectives key = minimised(p, objectives);
        bool within = true;
        for (std::size_t k = 0; k < ref.size(); ++k) within = within && key[k] < ref[k];
        if (within) inside.push_back(std::move(key));
    }
    return union_volume(std::move(inside), ref);
}

}  // namespace asha
