#include "policy/order_statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using asha::OrderStatistics;

namespace {
// Checks rank and select against a sorted copy after every insertion (small n) or at the end.
void check_against_sorted(const OrderStatistics& os, std::vector<double> values) {
    std::sort(values.begin(), values.end());
    ASSERT_EQ(os.size(), values.size());
    for (std::size_t k = 0; k < values.size(); ++k) ASSERT_EQ(os.select(k), values[k]) << k;
    for (double probe : {-1.0, 0.0, 0.5, 3.0, 1e9}) {
        auto expected = static_cast<std::size_t>(
            std::lower_bound(values.begin(), values.end(), probe) - values.begin());
        ASSERT_EQ(os.count_less(probe), expected) << probe;
    }
    for (double v : values) {
        auto expected = static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), v) -
                                                 values.begin());
        ASSERT_EQ(os.count_less(v), expected) << v;
    }
}
}  // namespace

TEST(OrderStatistics, MatchesASortedArrayAtEveryStep) {
    OrderStatistics os;
    std::vector<double> values;
    std::mt19937 gen(7);
    std::uniform_int_distribution<int> dist(0, 50);  // many duplicates
    for (int i = 0; i < 400; ++i) {
        double x = dist(gen) / 10.0;
        os.insert(x);
        values.push_back(x);
        check_against_sorted(os, values);
    }
}

TEST(OrderStatistics, LargeRandomSortedAndReversedInputs) {
    for (int pattern = 0; pattern < 3; ++pattern) {
        OrderStatistics os;
        std::vector<double> values;
        std::mt19937 gen(pattern);
        std::uniform_real_distribution<double> dist(0, 1);
        for (int i = 0; i < 100000; ++i) {
            double x = pattern == 0 ? dist(gen) : pattern == 1 ? i : -i;
            os.insert(x);
            values.push_back(x);
        }
        check_against_sorted(os, values);
    }
}

TEST(OrderStatistics, QuantileInterpolatesLinearly) {
    OrderStatistics os;
    EXPECT_TRUE(std::isnan(os.quantile(0.5)));
    for (double x : {4.0, 1.0, 3.0, 2.0}) os.insert(x);
    EXPECT_DOUBLE_EQ(os.quantile(0), 1);
    EXPECT_DOUBLE_EQ(os.quantile(1), 4);
    EXPECT_DOUBLE_EQ(os.quantile(0.5), 2.5);  // numpy.quantile([1,2,3,4], 0.5)
    EXPECT_DOUBLE_EQ(os.quantile(1.0 / 3), 2);
}

TEST(OrderStatistics, InfinityRanksLast) {
    OrderStatistics os;
    const double inf = std::numeric_limits<double>::infinity();
    for (double x : {inf, 1.0, inf, 0.5}) os.insert(x);
    EXPECT_EQ(os.count_less(INFINITY), 2u);
    EXPECT_EQ(os.select(3), INFINITY);
}
