#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace asha {

namespace {

double squared_distance(const Objectives& a, const Objectives& b) {
    double sum = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
    return sum;
}

/// The points of `points` that `members` names, as their own vector (for one front).
std::vector<Objectives> subset(const std::vector<Objectives>& points,
                               const std::vector<std::size_t>& members) {
    std::vector<Objectives> out;
    out.reserve(members.size());
    for (std::size_t i : members) out.push_back(points[i]);
    return out;
}

}  // namespace

bool dominates(const Objectives& a, const Objectives& b) {
    assert(a.size() == b.size());
    bool better_somewhere = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k] > b[k]) return false;
        if (a[k] < b[k]) better_somewhere = true;
    }
    return better_somewhere;
}

std::vector<bool> pareto_efficient(const std::vector<Objectives>& points) {
    // A point that is dominated is dominated by some efficient point (domination is transitive
    // and there are finitely many points), so each point is compared with the efficient points
    // found so far only: O(n f d) for f efficient points.
    std::vector<bool> efficient(points.size(), false);
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < points.size(); ++i) {
        bool dominated = false;
        for (std::size_t j : front)
            if (dominates(points[j], points[i])) {
                dominated = true;
                break;
            }
        if (dominated) continue;
        // i is efficient among those seen so far; it may dominate some of the front.
        std::erase_if(front, [&](std::size_t j) {
            if (!dominates(points[i], points[j])) return false;
            efficient[j] = false;
            return true;
        });
        front.push_back(i);
        efficient[i] = true;
    }
    return efficient;
}

std::vector<std::size_t> epsilon_net_order(const std::vector<Objectives>& points,
                                           std::size_t seed_objective) {
    const std::size_t n = points.size();
    std::vector<std::size_t> order;
    if (n == 0) return order;
    order.reserve(n);
    std::size_t seed = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (points[i][seed_objective] < points[seed][seed_objective]) seed = i;
    // nearest[i]: squared distance from i to the nearest point taken; taken points are marked
    // with -1 (no distance is negative).
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    std::size_t next = seed;
    for (std::size_t step = 0; step < n; ++step) {
        order.push_back(next);
        nearest[next] = -1.0;
        std::size_t farthest = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (nearest[i] < 0.0) continue;
            nearest[i] = std::min(nearest[i], squared_distance(points[i], points[next]));
            if (farthest == n || nearest[i] > nearest[farthest]) farthest = i;
        }
        next = farthest;
    }
    return order;
}

std::vector<std::size_t> nondominated_order(const std::vector<Objectives>& points,
                                            std::size_t seed_objective) {
    std::vector<std::size_t> remaining(points.size());
    std::iota(remaining.begin(), remaining.end(), std::size_t{0});
    std::vector<std::size_t> order;
    order.reserve(points.size());
    while (!remaining.empty()) {
        const std::vector<bool> efficient = pareto_efficient(subset(points, remaining));
        std::vector<std::size_t> front, rest;
        for (std::size_t k = 0; k < remaining.size(); ++k)
            (efficient[k] ? front : rest).push_back(remaining[k]);
        for (std::size_t k : epsilon_net_order(subset(points, front), seed_objective))
            order.push_back(front[k]);
        remaining = std::move(rest);
    }
    return order;
}

std::vector<std::size_t> nondominated_positions(const std::vector<Objectives>& points,
                                                std::size_t seed_objective) {
    const std::vector<std::size_t> order = nondominated_order(points, seed_objective);
    std::vector<std::size_t> position(points.size());
    for (std::size_t k = 0; k < order.size(); ++k) position[order[k]] = k;
    return position;
}

double linear_scalarization(const Objectives& point, const std::vector<double>& weights) {
    assert(point.size() == weights.size() && !point.empty());
    double sum = 0.0;
    for (std::size_t k = 0; k < point.size(); ++k) sum += weights[k] * point[k];
    return sum / static_cast<double>(point.size());
}

}  // namespace asha
