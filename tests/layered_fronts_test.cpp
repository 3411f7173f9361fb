// The incremental fronts (policy/layered_fronts): staircases for two objectives, pairwise for
// any number. After every point added, each point's front, the count ahead of the new one, every
// front's epsilon-net order and the first marked point against the brute-force peeling and net
// (tests/pareto_oracle.hpp), on grids with many equal values and duplicates, on continuous
// values, and on the shapes that stress them (a chain of one-point fronts, one front of every
// point, a point that dominates all).
#include "policy/pairwise_fronts.hpp"
#include "policy/staircase_fronts.hpp"

#include "pareto_oracle.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <random>

using namespace asha;
using namespace asha::test;

namespace {

/// Checks `fronts` (holding exactly `points`, by index) against the brute force: every point's
/// front, the staircase order of each front, every front's net order and each point's place in
/// it.
void expect_brute_force(const LayeredFronts& fronts, const std::vector<Objectives>& points,
                        const std::string& where) {
    const bool staircase = dynamic_cast<const StaircaseFronts*>(&fronts) != nullptr;
    const std::vector<int> expected = front_numbers(points);
    for (std::size_t i = 0; i < points.size(); ++i)
        ASSERT_EQ(static_cast<int>(fronts.front_of(i)), expected[i] + 1) << where << " point " << i;
    const int last = *std::max_element(expected.begin(), expected.end());
    ASSERT_EQ(fronts.fronts(), static_cast<std::uint32_t>(last + 1)) << where;
    for (std::uint32_t k = 1; k <= fronts.fronts(); ++k) {
        const std::vector<std::uint32_t>& s = fronts.front(k);
        for (std::size_t r = 1; staircase && r < s.size(); ++r) {
            const Objectives &a = points[s[r - 1]], &b = points[s[r]];
            ASSERT_TRUE(a[0] < b[0] || (a == b && s[r - 1] < s[r])) << where << " front " << k;
        }
        std::vector<std::size_t> members(s.begin(), s.end());
        const std::vector<std::size_t> net = brute_epsilon_net(points, members, 0);
        const std::vector<std::uint32_t> got = fronts.net_order(k);
        ASSERT_EQ(std::vector<std::size_t>(got.begin(), got.end()), net) << where << " front " << k;
        for (std::size_t r = 0; r < net.size(); ++r)
            ASSERT_EQ(fronts.net_position(net[r]), r) << where << " point " << net[r];
    }
}

/// Fronts of `dims` objectives: staircases for two unless `pairwise`.
std::unique_ptr<LayeredFronts> make_fronts(std::size_t dims, bool pairwise) {
    if (dims == 2 && !pairwise) return std::make_unique<StaircaseFronts>();
    return std::make_unique<PairwiseFronts>(dims);
}

/// Adds `points` one by one, checking the new point's place and, after each, everything; marks
/// and unmarks points at random and checks the first marked one in the order.
void add_and_check(const std::vector<Objectives>& points, const std::string& where, bool pairwise) {
    const std::unique_ptr<LayeredFronts> made = make_fronts(points.front().size(), pairwise);
    LayeredFronts& fronts = *made;
    std::vector<Objectives> so_far;
    std::vector<bool> marked;
    std::mt19937 gen(static_cast<unsigned>(points.size()));
    for (const Objectives& p : points) {
        so_far.push_back(p);
        const LayeredFronts::Placed placed = fronts.add(p.data());
        marked.push_back(false);
        for (int flips = 0; flips < 2; ++flips) {
            const std::size_t i = gen() % so_far.size();
            marked[i] = gen() % 3 != 0;
            fronts.mark(i, marked[i]);
        }
        const std::vector<int> expected = front_numbers(so_far);
        const std::string at = where + " after " + std::to_string(so_far.size());
        ASSERT_EQ(static_cast<int>(placed.front), expected.back() + 1) << at;
        ASSERT_EQ(placed.ahead, static_cast<std::size_t>(
                                    std::count_if(expected.begin(), expected.end(),
                                                  [&](int f) { return f < expected.back(); })))
            << at;
        ASSERT_NO_FATAL_FAILURE(expect_brute_force(fronts, so_far, at));
        const std::vector<std::size_t> position = brute_positions(so_far, 0);
        std::optional<std::size_t> first;
        for (std::size_t i = 0; i < so_far.size(); ++i)
            if (marked[i] && (!first || position[i] < position[*first])) first = i;
        const std::optional<LayeredFronts::Found> found = fronts.first_marked();
        ASSERT_EQ(found.has_value(), first.has_value()) << at;
        if (first) {
            EXPECT_EQ(found->point, *first) << at;
            EXPECT_EQ(found->position, position[*first]) << at;
            EXPECT_EQ(found->front, fronts.front_of(*first)) << at;
        }
    }
}

}  // namespace

// Both kinds on two objectives; the pairwise ones also on three and four.
class Fronts : public testing::TestWithParam<bool> {};  // pairwise?

TEST_P(Fronts, GridsWithTiesAndDuplicatesMatchBruteForce) {
    std::mt19937 gen(29);
    for (int round = 0; round < 300; ++round) {
        const std::size_t n = 1 + round % 45, d = GetParam() ? 2 + round % 3 : 2;
        add_and_check(grid_points(gen, n, d, 2 + round % 11), "round " + std::to_string(round),
                      GetParam());
    }
}

TEST_P(Fronts, ContinuousValuesMatchBruteForce) {
    std::mt19937 gen(31);
    std::uniform_real_distribution<double> u(0, 1);
    for (int round = 0; round < 60; ++round) {
        const std::size_t d = GetParam() ? 2 + round % 3 : 2;
        std::vector<Objectives> points(40, Objectives(d));
        for (auto& p : points) {
            double left = 1;
            for (double& v : p) v = u(gen);
            if (round % 2 == 0) continue;
            for (std::size_t k = 0; k + 1 < d; ++k) left -= (p[k] *= left);
            p[d - 1] = left + 0.2 * p[d - 1];  // a trade-off: few, large fronts
        }
        add_and_check(points, "round " + std::to_string(round), GetParam());
    }
}

TEST_P(Fronts, ShapesThatMoveWholeFronts) {
    std::vector<Objectives> chain, line, best_last, mirror;
    for (int i = 0; i < 30; ++i) {
        chain.push_back({30.0 - i, 30.0 - i});  // each new point dominates every one before
        line.push_back({static_cast<double>(i * 7 % 30), static_cast<double>(30 - i * 7 % 30)});
        best_last.push_back({static_cast<double>(i % 6), static_cast<double>(i % 5)});
        mirror.push_back({static_cast<double>(i), static_cast<double>(-i)});  // -0 against 0
    }
    best_last.push_back({-1, -1});
    mirror.push_back({-0.0, 0.0});
    add_and_check(chain, "chain", GetParam());
    add_and_check(line, "one front", GetParam());
    add_and_check(best_last, "best last", GetParam());
    add_and_check(mirror, "mirror", GetParam());
}

// Adding a set at once (in lexicographic order, where nothing is pushed down) gives the fronts and
// nets that adding its points one by one gives.
TEST_P(Fronts, AddingAllAtOnceEqualsAddingOneByOne) {
    std::mt19937 gen(41);
    for (int round = 0; round < 100; ++round) {
        const std::size_t d = GetParam() ? 2 + round % 3 : 2, n = 1 + round * 7 % 200;
        const auto points = grid_points(gen, n, d, 2 + round % 13);
        const std::unique_ptr<LayeredFronts> one_by_one = make_fronts(d, GetParam()),
                                             at_once = make_fronts(d, GetParam());
        std::vector<double> flat;
        for (const Objectives& p : points) {
            one_by_one->add(p.data());
            flat.insert(flat.end(), p.begin(), p.end());
        }
        at_once->add_all(flat.data(), n);
        ASSERT_EQ(at_once->fronts(), one_by_one->fronts()) << "round " << round;
        for (std::size_t i = 0; i < n; ++i)
            ASSERT_EQ(at_once->front_of(i), one_by_one->front_of(i)) << "round " << round;
        for (std::uint32_t k = 1; k <= at_once->fronts(); ++k)
            ASSERT_EQ(at_once->net_order(k), one_by_one->net_order(k)) << "round " << round;
    }
}

std::string kind_name(const testing::TestParamInfo<bool>& kind) {
    return kind.param ? "Pairwise" : "Staircase";
}
INSTANTIATE_TEST_SUITE_P(Kinds, Fronts, testing::Values(false, true), kind_name);

// At a size the brute force cannot reach, the two kinds agree on two objectives: the same
// fronts, and the same net order of every front (the staircase's gap by gap, the pairwise one's
// by policy/pareto_order's quadratic net).
TEST(LayeredFronts, StaircasesEqualPairwiseOnLargeSets) {
    std::mt19937 gen(37);
    std::uniform_real_distribution<double> u(0, 1);
    std::uniform_int_distribution<int> level(0, 40);
    for (int round = 0; round < 4; ++round) {
        StaircaseFronts staircases;
        PairwiseFronts pairwise(2);
        for (int i = 0; i < 3000; ++i) {
            Objectives p{u(gen), u(gen)};
            if (round == 1 || round == 3)  // trade-offs, the last one nearly a single front
                p[1] = 1 - p[0] + (round == 1 ? 0.3 : 0.01) * p[1];
            if (round == 2) p = {level(gen) / 4.0, level(gen) / 4.0};
            const auto a = staircases.add(p.data()), b = pairwise.add(p.data());
            ASSERT_EQ(a.front, b.front) << "round " << round << " point " << i;
            ASSERT_EQ(a.ahead, b.ahead) << "round " << round << " point " << i;
        }
        ASSERT_EQ(staircases.fronts(), pairwise.fronts());
        for (std::uint32_t k = 1; k <= staircases.fronts(); ++k)
            ASSERT_EQ(staircases.net_order(k), pairwise.net_order(k))
                << "round " << round << " front " << k;
    }
}

// A hand-worked rung: a result better than all in both objectives is first, whatever its index
// (Syne Tune v0.13's MOASHA stops it: it reads the rank of the last entry of its order), and
// the one it dominates last is last.
TEST(LayeredFronts, AResultThatDominatesAllComesFirst) {
    StaircaseFronts fronts;
    for (const Objectives& p : std::vector<Objectives>{{3, 3}, {2, 5}, {5, 2}, {4, 4}})
        fronts.add(p.data());
    const Objectives best{0.5, 0.5};
    const LayeredFronts::Placed placed = fronts.add(best.data());
    EXPECT_EQ(placed.front, 1u);
    EXPECT_EQ(placed.ahead, 0u);
    EXPECT_EQ(fronts.net_position(4), 0u);
    EXPECT_EQ(fronts.front_of(3), 3u) << "(4, 4), dominated by (3, 3), now behind it";
    EXPECT_EQ(fronts.fronts(), 3u);
}
