// The multi-objective orders (policy/pareto_order) against brute-force oracles on random point
// sets with many ties and duplicates, and on small cases worked out by hand.
#include "policy/pareto_order.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

using asha::dominates;
using asha::epsilon_net_order;
using asha::linear_scalarization;
using asha::nondominated_order;
using asha::nondominated_positions;
using asha::Objectives;
using asha::pareto_efficient;

namespace {

/// n points of d objectives on a coarse grid: many equal values and duplicate points.
std::vector<Objectives> grid_points(std::mt19937& gen, std::size_t n, std::size_t d, int levels) {
    std::uniform_int_distribution<int> level(0, levels - 1);
    std::vector<Objectives> points(n, Objectives(d));
    for (auto& p : points)
        for (auto& v : p) v = level(gen) / 4.0;
    return points;
}

/// Brute force: the front number of each point (0: not dominated by any point; k: not
/// dominated once fronts 0..k-1 are taken away).
std::vector<int> front_numbers(const std::vector<Objectives>& points) {
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
std::vector<std::size_t> brute_epsilon_net(const std::vector<Objectives>& points,
                                           std::vector<std::size_t> members, std::size_t dim) {
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

}  // namespace

TEST(ParetoOrder, DominationIsStrictSomewhereAndWeakEverywhere) {
    EXPECT_TRUE(dominates({1, 2}, {1, 3}));
    EXPECT_TRUE(dominates({0, 0, 0}, {1, 1, 1}));
    EXPECT_FALSE(dominates({1, 2}, {1, 2})) << "an equal point does not dominate";
    EXPECT_FALSE(dominates({1, 3}, {2, 2})) << "a trade-off does not dominate";
    EXPECT_FALSE(dominates({2, 2}, {1, 3}));
}

TEST(ParetoOrder, EfficientPointsMatchBruteForce) {
    std::mt19937 gen(11);
    for (int round = 0; round < 300; ++round) {
        const std::size_t n = 1 + round % 40, d = 1 + round % 4;
        const auto points = grid_points(gen, n, d, 2 + round % 6);
        const std::vector<bool> efficient = pareto_efficient(points);
        const std::vector<int> front = front_numbers(points);
        for (std::size_t i = 0; i < n; ++i)
            ASSERT_EQ(efficient[i], front[i] == 0) << "round " << round << " point " << i;
    }
}

TEST(ParetoOrder, NondominatedOrderIsFrontByFrontEachAnEpsilonNet) {
    std::mt19937 gen(5);
    for (int round = 0; round < 200; ++round) {
        const std::size_t n = 1 + round % 30, d = 2 + round % 3, dim = round % d;
        const auto points = grid_points(gen, n, d, 3 + round % 5);
        const std::vector<std::size_t> order = nondominated_order(points, dim);
        ASSERT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), n) << "a permutation";
        const std::vector<int> front = front_numbers(points);
        // Fronts come in order, and each front's points in the brute-force epsilon-net order.
        std::size_t at = 0;
        for (int k = 0; at < n; ++k) {
            std::vector<std::size_t> members;
            for (std::size_t i = 0; i < n; ++i)
                if (front[i] == k) members.push_back(i);
            const auto expected = brute_epsilon_net(points, members, dim);
            const std::vector<std::size_t> got(
                order.begin() + static_cast<long>(at),
                order.begin() + static_cast<long>(at + members.size()));
            ASSERT_EQ(got, expected) << "round " << round << " front " << k;
            at += members.size();
        }
        const auto position = nondominated_positions(points, dim);
        for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(position[order[k]], k);
    }
}

TEST(ParetoOrder, SmallCasesWorkedOutByHand) {
    // One front of four points on a line: the seed is the smallest in objective 0, then the
    // farthest from it, then the one farthest from both (Syne Tune v0.13's compute_epsilon_net
    // returns the ranks [0, 3, 1, 2] of this order, and its nondominated_sort uses them as one).
    const std::vector<Objectives> line = {{0, 4}, {1, 3}, {4, 0}, {2, 2}};
    EXPECT_EQ(epsilon_net_order(line, 0), (std::vector<std::size_t>{0, 2, 3, 1}));
    EXPECT_EQ(epsilon_net_order(line, 1), (std::vector<std::size_t>{2, 0, 3, 1}));
    // A point better than all others in both objectives is first, whatever its index (Syne Tune
    // v0.13's MOASHA stops it: it reads the rank of the last entry of the order instead).
    const std::vector<Objectives> rung = {{3, 3}, {2, 5}, {5, 2}, {4, 4}, {0.5, 0.5}};
    EXPECT_EQ(nondominated_order(rung)[0], 4u);
    EXPECT_EQ(nondominated_positions(rung)[4], 0u);
    EXPECT_EQ(nondominated_positions(rung)[3], 4u) << "(4, 4) is dominated by (3, 3): last";
    // Duplicates share a front; the lower index goes first.
    EXPECT_EQ(nondominated_order({{1, 1}, {1, 1}, {2, 2}}), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_TRUE(nondominated_order({}).empty());
}

TEST(ParetoOrder, LinearScalarizationIsTheMeanOfWeightedObjectives) {
    EXPECT_DOUBLE_EQ(linear_scalarization({1, 3}, {1, 1}), 2.0);
    EXPECT_DOUBLE_EQ(linear_scalarization({1, 3}, {2, 0}), 1.0);
    EXPECT_DOUBLE_EQ(linear_scalarization({4}, {0.5}), 2.0);
}
