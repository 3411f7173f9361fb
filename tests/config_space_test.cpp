#include "asha/config_space.hpp"

#include "test_util.hpp"

#include <cmath>
#include <map>
#include <set>

using namespace asha;

namespace {
Domain parse(const char* text) {
    return Domain::parse(json::parse(text), JsonPath("f.json", "$.x"));
}
}  // namespace

TEST(Domain, UniformStaysInRangeAndCoversIt) {
    Domain d = parse(R"({"type": "uniform", "lower": -2, "upper": 3})");
    Rng rng(1);
    double lo = 1e9, hi = -1e9;
    for (int i = 0; i < 10000; ++i) {
        double x = d.sample(rng).get<double>();
        ASSERT_GE(x, -2);
        ASSERT_LT(x, 3);
        lo = std::min(lo, x);
        hi = std::max(hi, x);
    }
    EXPECT_LT(lo, -1.99);
    EXPECT_GT(hi, 2.99);
}

TEST(Domain, LoguniformIsEvenInLogSpace) {
    Domain d = parse(R"({"type": "loguniform", "lower": 0.001, "upper": 1000})");
    Rng rng(2);
    int per_decade[6] = {};
    for (int i = 0; i < 60000; ++i) {
        double x = d.sample(rng).get<double>();
        ASSERT_GE(x, 0.001);
        ASSERT_LE(x, 1000);
        ++per_decade[std::min(5, static_cast<int>(std::floor(std::log10(x) + 3)))];
    }
    for (int count : per_decade) EXPECT_NEAR(count, 10000, 500);
}

TEST(Domain, RandintIncludesBothBounds) {
    Domain d = parse(R"({"type": "randint", "lower": 3, "upper": 6})");
    Rng rng(3);
    std::map<std::int64_t, int> seen;
    for (int i = 0; i < 4000; ++i) {
        json v = d.sample(rng);
        ASSERT_TRUE(v.is_number_integer());
        ++seen[v.get<std::int64_t>()];
    }
    EXPECT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen.begin()->first, 3);
    EXPECT_EQ(seen.rbegin()->first, 6);
    for (auto& [value, count] : seen) EXPECT_NEAR(count, 1000, 150) << value;
}

TEST(Domain, LograndintIncludesBoundsAndFavoursSmallValues) {
    Domain d = parse(R"({"type": "lograndint", "lower": 1, "upper": 100})");
    Rng rng(4);
    std::set<std::int64_t> seen;
    int below_10 = 0;
    for (int i = 0; i < 20000; ++i) {
        auto v = d.sample(rng).get<std::int64_t>();
        ASSERT_GE(v, 1);
        ASSERT_LE(v, 100);
        seen.insert(v);
        below_10 += v < 10;
    }
    EXPECT_TRUE(seen.count(1));
    EXPECT_TRUE(seen.count(100));
    EXPECT_NEAR(below_10 / 20000.0, std::log(10.0) / std::log(101.0), 0.02);
}

TEST(Domain, ChoiceDrawsEveryCategory) {
    Domain d = parse(R"({"type": "choice", "categories": ["sgd", 2, true]})");
    Rng rng(5);
    std::set<std::string> seen;
    for (int i = 0; i < 300; ++i) seen.insert(d.sample(rng).dump());
    EXPECT_EQ(seen, (std::set<std::string>{"\"sgd\"", "2", "true"}));
}

TEST(Domain, FinrangeAndLogfinrangeGrids) {
    Domain lin = parse(R"({"type": "finrange", "lower": 0, "upper": 1, "size": 5})");
    Domain log =
        parse(R"({"type": "logfinrange", "lower": 1, "upper": 1000, "size": 4, "cast_int": true})");
    EXPECT_DOUBLE_EQ(lin.grid_value(1).get<double>(), 0.25);
    EXPECT_EQ(log.grid_value(0), json(1));
    EXPECT_EQ(log.grid_value(1), json(10));
    EXPECT_EQ(log.grid_value(2), json(100));
    EXPECT_EQ(log.grid_value(3), json(1000));
    Rng rng(6);
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) seen.insert(log.sample(rng).dump());
    EXPECT_EQ(seen, (std::set<std::string>{"1", "10", "100", "1000"}));
    EXPECT_TRUE(lin.contains(json(0.75)));
    EXPECT_FALSE(lin.contains(json(0.7)));
}

TEST(Domain, Midpoints) {
    EXPECT_EQ(parse(R"({"type": "uniform", "lower": 0, "upper": 4})").midpoint(), json(2.0));
    EXPECT_DOUBLE_EQ(
        parse(R"({"type": "loguniform", "lower": 0.01, "upper": 1})").midpoint().get<double>(),
        0.1);
    EXPECT_EQ(parse(R"({"type": "randint", "lower": 32, "upper": 256})").midpoint(), json(144));
    EXPECT_EQ(parse(R"({"type": "lograndint", "lower": 1, "upper": 100})").midpoint(), json(10));
    EXPECT_EQ(parse(R"({"type": "choice", "categories": ["a", "b", "c"]})").midpoint(), json("b"));
    EXPECT_EQ(parse(R"({"type": "finrange", "lower": 0, "upper": 1, "size": 5})").midpoint(),
              json(0.5));
    EXPECT_EQ(parse("7").midpoint(), json(7));
}

TEST(ConfigSpace, SameSeedSameSequenceOtherSeedOther) {
    ExperimentConfig c = test::lenet_config();
    Rng a(42), b(42), other(43);
    for (int i = 0; i < 20; ++i) {
        Config x = c.config_space.sample(a);
        EXPECT_EQ(x.dump(), c.config_space.sample(b).dump());
        EXPECT_NE(x.dump(), c.config_space.sample(other).dump());
    }
}

TEST(ConfigSpace, CompletePartialPointWithMidpointsNeverLeaksADomain) {
    ExperimentConfig c = test::lenet_config();
    Config point =
        c.config_space.complete(json::parse(R"({"batch_size": 64})"), JsonPath("f.json", "$.p"));
    EXPECT_EQ(point.dump(), R"({"learning_rate":0.1,"batch_size":64,"max_epochs":10})");
}

TEST(FormatValue, RoundTripsDoublesAndWritesIntegersPlain) {
    EXPECT_EQ(format_value(json(128)), "128");
    EXPECT_EQ(format_value(json(0.1)), "0.1");
    EXPECT_EQ(format_value(json("adam")), "adam");
    double x = 0.021213969646059790;
    EXPECT_EQ(std::stod(format_value(json(x))), x);
    EXPECT_EQ(format_value(json(1e-300)), "1e-300");
}
