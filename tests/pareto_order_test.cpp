// The multi-objective orders (policy/pareto_order) against brute-force oracles on random point
// sets with many ties and duplicates, and on small cases worked out by hand.
#include "policy/pareto_order.hpp"

#include "pareto_oracle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

using asha::dominates;
using asha::epsilon_net_order;
using asha::linear_scalarization;
using asha::nondominated_fronts;
using asha::nondominated_order;
using asha::nondominated_position;
using asha::nondominated_positions;
using asha::Objectives;
using asha::pareto_efficient;

using asha::test::brute_epsilon_net;
using asha::test::front_numbers;
using asha::test::grid_points;

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

// The fronts (the two-objective sweep and the general rule) and the position of one point
// without ordering the rest, against the brute-force peeling, on grids of many duplicates.
TEST(ParetoOrder, FrontsAndOnePositionMatchBruteForce) {
    std::mt19937 gen(17);
    for (int round = 0; round < 400; ++round) {
        const std::size_t n = 1 + round % 60, d = 1 + round % 4, dim = round % d;
        const auto points = grid_points(gen, n, d, 2 + round % 9);
        const std::vector<int> expected = front_numbers(points);
        const std::vector<std::uint32_t> fronts = nondominated_fronts(points);
        for (std::size_t i = 0; i < n; ++i)
            ASSERT_EQ(static_cast<int>(fronts[i]), expected[i] + 1) << "round " << round;
        const auto position = nondominated_positions(points, dim);
        for (std::size_t i = 0; i < n; ++i) {
            std::uint32_t front = 0;
            ASSERT_EQ(nondominated_position(points, i, dim, front), position[i])
                << "round " << round << " point " << i;
            ASSERT_EQ(front, fronts[i]);
        }
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
