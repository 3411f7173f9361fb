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

TEST(ParetoOrder, SmallCasesWorkedOutByHand) {
    // One front of four points on a line: the seed is the smallest in objective 0, then the
    // farthest from it, then the one farthest from both (Syne Tune v0.13's compute_epsilon_net
    // returns the ranks [0, 3, 1, 2] of this order, and its nondominated_sort uses them as one).
    const std::vector<Objectives> line = {{0, 4}, {1, 3}, {4, 0}, {2, 2}};
    EXPECT_EQ(epsilon_net_order(line, 0), (std::vector<std::size_t>{0, 2, 3, 1}));
    EXPECT_EQ(epsilon_net_order(line, 1), (std::vector<std::size_t>{2, 0, 3, 1}));
    EXPECT_EQ(epsilon_net_order({{1, 1}, {1, 1}}, 0), (std::vector<std::size_t>{0, 1}))
        << "equal points: the lower index first";
    EXPECT_TRUE(epsilon_net_order({}, 0).empty());
}

// The epsilon-net against the brute force, seeded on each objective, and stopped early: the
// order up to the stopping member, that member included.
TEST(ParetoOrder, EpsilonNetMatchesBruteForce) {
    std::mt19937 gen(5);
    for (int round = 0; round < 300; ++round) {
        const std::size_t n = 1 + round % 30, d = 1 + round % 4, dim = round % d;
        const auto points = grid_points(gen, n, d, 3 + round % 5);
        std::vector<std::size_t> all(n);
        for (std::size_t i = 0; i < n; ++i) all[i] = i;
        const std::vector<std::size_t> expected = brute_epsilon_net(points, all, dim);
        ASSERT_EQ(epsilon_net_order(points, dim), expected) << "round " << round;
        std::vector<double> flat;
        for (const Objectives& p : points) flat.insert(flat.end(), p.begin(), p.end());
        const std::size_t target = static_cast<std::size_t>(gen()) % n;
        const std::vector<std::size_t> stopped = asha::epsilon_net_order(
            flat.data(), d, all, dim, [&](std::size_t at) { return at == target; });
        ASSERT_FALSE(stopped.empty());
        EXPECT_EQ(stopped.back(), target) << "round " << round;
        EXPECT_TRUE(std::equal(stopped.begin(), stopped.end(), expected.begin()))
            << "round " << round;
    }
}

TEST(ParetoOrder, LinearScalarizationIsTheMeanOfWeightedObjectives) {
    EXPECT_DOUBLE_EQ(linear_scalarization({1, 3}, {1, 1}), 2.0);
    EXPECT_DOUBLE_EQ(linear_scalarization({1, 3}, {2, 0}), 1.0);
    EXPECT_DOUBLE_EQ(linear_scalarization({4}, {0.5}), 2.0);
}
