#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace asha {

bool dominates(const double* a, const double* b, std::size_t dims) {
    bool better_somewhere = false;
    for (std::size_t k = 0; k < dims; ++k) {
        if (a[k] > b[k]) return false;
        if (a[k] < b[k]) better_somewhere = true;
    }
    return better_somewhere;
}

bool dominates(const Objectives& a, const Objectives& b) {
    assert(a.size() == b.size());
    return dominates(a.data(), b.data(), a.size());
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

double euclidean_distance(const double* a, const double* b, std::size_t dims) {
    double sum = 0.0;
    for (std::size_t k = 0; k < dims; ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
    return std::sqrt(sum);
}

std::vector<std::size_t> epsilon_net_order(const double* values, std::size_t d,
                                           const std::vector<std::size_t>& members,
                                           std::size_t seed_objective,
                                           const std::function<bool(std::size_t)>& stop) {
    const std::size_t n = members.size();
    const auto at = [&](std::size_t i) { return values + members[i] * d; };
    std::vector<std::size_t> order;
    if (n == 0) return order;
    order.reserve(n);
    std::size_t seed = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (at(i)[seed_objective] < at(seed)[seed_objective]) seed = i;
    // nearest[i]: the distance from member i to the nearest member taken; taken members are
    // marked with -1 (no distance is negative).
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    std::size_t next = seed;
    for (std::size_t step = 0; step < n; ++step) {
        order.push_back(next);
        if (stop && stop(next)) break;
        nearest[next] = -1.0;
        const double* taken = at(next);
        std::size_t farthest = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (nearest[i] < 0.0) continue;
            nearest[i] = std::min(nearest[i], euclidean_distance(at(i), taken, d));
            if (farthest == n || nearest[i] > nearest[farthest]) farthest = i;
        }
        next = farthest;
    }
    return order;
}

std::vector<std::size_t> epsilon_net_order(const std::vector<Objectives>& points,
                                           std::size_t seed_objective) {
    std::vector<double> flat;
    for (const Objectives& p : points) flat.insert(flat.end(), p.begin(), p.end());
    std::vector<std::size_t> all(points.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return epsilon_net_order(flat.data(), points.empty() ? 0 : points.front().size(), all,
                             seed_objective, nullptr);
}

double linear_scalarization(const Objectives& point, const std::vector<double>& weights) {
    assert(point.size() == weights.size() && !point.empty());
    double sum = 0.0;
    for (std::size_t k = 0; k < point.size(); ++k) sum += weights[k] * point[k];
    return sum / static_cast<double>(point.size());
}

}  // namespace asha
