#pragma once
// Brute-force oracles of the multi-objective orders (policy/pareto_order.hpp): fronts by peeling,
// the epsilon-net recomputing every distance at every step. Slow and obviously right.

#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace asha::test {

/// n points of d objectives on a coarse grid: many equal values and duplicate points.
inline std::vector<Objectives> grid_points(std::mt19937& gen, std::size_t n, std::size_t d,
                                           int levels) {
    std::uniform_int_distribution<int> level(0, levels - 1);
    std::vector<Objectives> points(n, Objectives(d));
    for (auto& p : points)
        for (auto& v : p) v = level(gen) / 4.0;
    return points;
}

/// Brute force: the front number of each point (0: not dominated by any point; k: not
/// dominated once fronts 0..k-1 are taken away).
inline std::vector<int> front_numbers(const std::vector<Objectives>& points) {
    std::vector<int> front(points.size(), -1);
    for (int k = 0; std::count(front.begin(), front.end(), -1) > 0; ++k) {
        std::vector<std::size_t> now;
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (front[i] != -1) continue;
            bool dominated = false;
            for (std::size_t j = 0; j < points.size(); ++j)
                if (front[j] == -1 && dominates(points[j], points[i])) dominated = true;
            if (!dominated) now.push_back(i);
        }
        for (std::size_t i : now) front[i] = k;
    }
    return front;
}

/// Brute force: the epsilon-net order of the points named by `members`, recomputing every
/// distance at every step, ties to the lower index.
inline std::vector<std::size_t> brute_epsilon_net(const std::vector<Objectives>& points,
                                                  std::vector<std::size_t> members,
                                                  std::size_t dim) {
    std::sort(members.begin(), members.end());
    std::vector<std::size_t> order;
    std::size_t seed = members[0];
    for (std::size_t i : members)
        if (points[i][dim] < points[seed][dim]) seed = i;
    order.push_back(seed);
    while (order.size() < members.size()) {
        std::size_t best = members.size();
        double best_distance = -1.0;
        for (std::size_t i : members) {
            if (std::find(order.begin(), order.end(), i) != order.end()) continue;
            double nearest = INFINITY;
            for (std::size_t j : order) {
                double sum = 0.0;
                for (std::size_t k = 0; k < points[i].size(); ++k)
                    sum += (points[i][k] - points[j][k]) * (points[i][k] - points[j][k]);
                nearest = std::min(nearest, std::sqrt(sum));
            }
            if (nearest > best_distance) {
                best_distance = nearest;
                best = i;
            }
        }
        order.push_back(best);
    }
    return order;
}

/// Brute force: the position of every point in the non-dominated order (fronts by peeling, each
/// front by brute_epsilon_net seeded on objective `dim`).
inline std::vector<std::size_t> brute_positions(const std::vector<Objectives>& points,
                                                std::size_t dim) {
    const std::vector<int> front = front_numbers(points);
    std::vector<std::size_t> position(points.size());
    std::size_t at = 0;
    for (int k = 0; at < points.size(); ++k) {
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < points.size(); ++i)
            if (front[i] == k) members.push_back(i);
        for (std::size_t i : brute_epsilon_net(points, members, dim)) position[i] = at++;
    }
    return position;
}

}  // namespace asha::test
