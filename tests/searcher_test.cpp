// The model-based searchers (BOHB's KDE, TPE) and the encoding they share: fed made-up results,
// they must propose where the good results are, spread their proposals over trials still
// running, and be deterministic; their options are checked like the rest of the config.

#include "policy/kde_searcher.hpp"
#include "policy/space_encoding.hpp"
#include "policy/tpe_searcher.hpp"

#include "test_util.hpp"

#include <algorithm>
#include <cmath>
#include <set>

using namespace asha;

namespace {

ConfigSpace space_of(const char* text) {
    return ConfigSpace::parse(json::parse(text), JsonPath("space.json"));
}

const char* kTwoNumbers = R"({"x": {"type": "uniform", "lower": 0, "upper": 1},
                             "y": {"type": "loguniform", "lower": 0.001, "upper": 1}})";

std::unique_ptr<ModelSearcher> make(SearcherSpec::Type type, const ConfigSpace& space, Rng& rng,
                                    SearcherSpec options = {}) {
    options.type = type;
    const std::vector<double> budgets = {1, 3, 9};
    if (type == SearcherSpec::Type::bohb)
        return std::make_unique<KdeSearcher>(space, std::vector<Config>{}, budgets, false, options,
                                             rng);
    return std::make_unique<TpeSearcher>(space, std::vector<Config>{}, budgets, false, options,
                                         rng);
}

/// The value of a configuration: best near x = 0.2, y = 0.01 (log scale).
double bowl(const Config& c) {
    const double x = c["x"].get<double>(), y = std::log10(c["y"].get<double>());
    return std::pow(x - 0.2, 2) + std::pow((y + 2) / 3, 2);
}

/// Suggests `n` trials, each reported at every budget with bowl() and ended.
void feed(ModelSearcher& s, TrialId& next, int n) {
    for (int i = 0; i < n; ++i, ++next) {
        const Config c = s.suggest(next);
        for (double r : {1.0, 3.0, 9.0}) s.on_report(next, r, bowl(c) + 0.01 * r);
        s.on_leg_end(next, LegEnd::reached_milestone);
    }
}

class ModelSearchers : public ::testing::TestWithParam<SearcherSpec::Type> {};

}  // namespace

TEST(SpaceEncoding, EveryDomainRoundTripsThroughItsCell) {
    const ConfigSpace space = space_of(R"({
      "u": {"type": "uniform", "lower": -5, "upper": 10},
      "l": {"type": "loguniform", "lower": 0.001, "upper": 10},
      "i": {"type": "randint", "lower": 1, "upper": 4},
      "li": {"type": "lograndint", "lower": 16, "upper": 1024},
      "f": {"type": "finrange", "lower": 0.1, "upper": 0.5, "size": 5},
      "c": {"type": "choice", "categories": ["adam", "sgd", "rmsprop"]},
      "k": 7})");
    const SpaceEncoding e(space);
    ASSERT_EQ(e.size(), 6u);  // the constant is no coordinate
    EXPECT_TRUE(e.categorical(5));
    EXPECT_EQ(e.categories(5), 3);
    const Config c = {{"u", 2.5}, {"l", 0.1},   {"i", 3}, {"li", 100},
                      {"f", 0.3}, {"c", "sgd"}, {"k", 7}};
    const auto x = e.encode(c);
    EXPECT_DOUBLE_EQ(x[0], 0.5);
    EXPECT_NEAR(x[1], 0.5, 1e-12);  // log scale: 0.1 is the middle of [0.001, 10]
    EXPECT_DOUBLE_EQ(x[2], 0.625);  // 3 owns [0.5, 0.75) of 1..4
    EXPECT_DOUBLE_EQ(x[4], 0.5);    // the middle grid point's cell
    EXPECT_EQ(x[5], 1);
    const Config back = e.decode(x);
    EXPECT_NEAR(back["u"].get<double>(), 2.5, 1e-12);
    EXPECT_NEAR(back["l"].get<double>(), 0.1, 1e-12);
    EXPECT_NEAR(back["f"].get<double>(), 0.3, 1e-12);
    for (const char* exact : {"i", "li", "c", "k"}) EXPECT_EQ(back[exact], c[exact]) << exact;
    // Any point of a cell decodes to its value; numbers outside [0, 1] are clamped.
    EXPECT_EQ(e.decode({0.51, 0.5, 0.74, x[3], 0.41, 2.2})["i"], 3);
    EXPECT_EQ(e.decode({-1, 2, 1.0, 0, 0.0, -3})["u"], -5.0);
    EXPECT_EQ(e.decode({-1, 2, 1.0, 0, 0.0, -3})["i"], 4);
    EXPECT_EQ(e.decode({-1, 2, 1.0, 0, 0.0, -3})["li"], 16);
    EXPECT_EQ(e.decode({-1, 2, 1.0, 0, 0.0, -3})["c"], "adam");
    // Every integer of a lograndint domain comes back from its own cell.
    for (int k = 16; k <= 1024; k += 37) {
        Config ck = c;
        ck["li"] = k;
        EXPECT_EQ(e.decode(e.encode(ck))["li"], k);
    }
}

// Once the model has results, most proposals are near the good ones (here the random ones
// would land there 1 time in 25).
TEST_P(ModelSearchers, ProposeWhereTheGoodResultsAre) {
    const ConfigSpace space = space_of(kTwoNumbers);
    Rng rng(7);
    SearcherSpec options;
    options.random_fraction = 0;
    auto s = make(GetParam(), space, rng, options);
    TrialId next = 0;
    feed(*s, next, 60);
    int near = 0;
    for (int i = 0; i < 40; ++i, ++next) {
        const Config c = s->suggest(next);
        near += bowl(c) < 0.02;
        s->on_report(next, 1, bowl(c));
        s->on_leg_end(next, LegEnd::stopped);
    }
    EXPECT_GE(near, 25) << "of 40 proposals";
}

// Many workers: proposals made before any of them has a result must not all be the same. Here
// the model has converged on one spot: few of 64 parallel proposals may land within 0.001 of an
// earlier one (the same trial twice, in effect).
TEST_P(ModelSearchers, ParallelProposalsSpreadOut) {
    const ConfigSpace space = space_of(kTwoNumbers);
    const SpaceEncoding encoding(space);
    struct Spread {
        int close = 0;       // proposals within 0.001 of an earlier one
        double nearest = 0;  // mean distance to the nearest other proposal
        std::size_t distinct = 0;
    };
    auto spread = [&](bool avoid, double min_bandwidth = SearcherSpec{}.min_bandwidth) {
        Rng rng(11);
        SearcherSpec options;
        options.random_fraction = 0;
        options.avoid_pending = avoid;
        options.min_bandwidth = min_bandwidth;
        auto s = make(GetParam(), space, rng, options);
        TrialId next = 0;
        feed(*s, next, 60);
        std::vector<std::vector<double>> p;
        std::set<std::string> distinct;
        for (int i = 0; i < 64; ++i) {
            const Config c = s->suggest(next++);
            distinct.insert(c.dump());
            p.push_back(encoding.encode(c));
        }
        Spread out;
        out.distinct = distinct.size();
        for (std::size_t a = 0; a < p.size(); ++a) {
            double nearest = 1e9;
            for (std::size_t b = 0; b < p.size(); ++b)
                if (a != b)
                    nearest = std::min(nearest, std::hypot(p[a][0] - p[b][0], p[a][1] - p[b][1]));
            out.nearest += nearest / 64;
            for (std::size_t b = 0; b < a; ++b)
                if (std::hypot(p[a][0] - p[b][0], p[a][1] - p[b][1]) < 0.001) {
                    ++out.close;
                    break;
                }
        }
        return out;
    };
    const Spread with = spread(true), without = spread(false);
    EXPECT_EQ(with.distinct, 64u);
    EXPECT_LE(with.close, 16) << "of 64 proposals landed within 0.001 of an earlier one";
    if (GetParam() == SearcherSpec::Type::bohb) {
        // BOHB draws its candidates close around the good points, and the best candidate is
        // where they are densest: one spot, unless the pending trials keep it away.
        EXPECT_GE(without.close, 48) << "without avoiding the pending trials";
        EXPECT_GT(with.nearest, 10 * without.nearest) << "mean distance to the nearest other";
        // Without them, the floor a config without avoid_pending gets (Syne Tune's) keeps the
        // proposals apart instead.
        const Spread floored = spread(false, SearcherSpec::kMinBandwidthWithoutAvoidPending);
        EXPECT_LE(floored.close, 16) << "of 64 proposals with min_bandwidth 0.1";
        EXPECT_GT(floored.nearest, 10 * without.nearest) << "mean distance to the nearest other";
    } else {
        // TPE's proposals differ anyway (each draws new candidates); its constant liar counts
        // the pending trials as bad results, which pushes the next proposals away from them.
        // (Deterministic: with a liar that did nothing, the two runs would be the same calls.)
        EXPECT_GT(with.nearest, 1.5 * without.nearest) << "mean distance to the nearest other";
    }
}

// The same calls in the same order give the same suggestions (a resume replays them).
TEST_P(ModelSearchers, TheSameCallsGiveTheSameSuggestions) {
    const ConfigSpace space = space_of(R"({
      "x": {"type": "uniform", "lower": 0, "upper": 1},
      "n": {"type": "randint", "lower": 1, "upper": 9},
      "c": {"type": "choice", "categories": ["a", "b", "c"]}})");
    auto run = [&](std::uint64_t seed) {
        Rng rng(seed);
        auto s = make(GetParam(), space, rng);
        std::vector<std::string> out;
        for (TrialId t = 0; t < 80; ++t) {
            const Config c = s->suggest(t);
            out.push_back(c.dump());
            const double v =
                c["x"].get<double>() + (c["c"] == "b" ? 0 : 0.5) + 0.01 * c["n"].get<double>();
            s->on_report(t, 1, v);
            if (t % 7 == 3) {
                s->on_leg_end(t, LegEnd::failed);  // failures count too
            } else {
                s->on_report(t, 3, v - 0.1);
                s->on_leg_end(t, LegEnd::stopped);
            }
        }
        return out;
    };
    const auto a = run(3), b = run(3), c = run(4);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    // It learns: the later half is mostly the good choice.
    EXPECT_GT(std::count_if(
                  a.begin() + 40, a.end(),
                  [](const std::string& s) { return s.find("\"c\":\"b\"") != std::string::npos; }),
              20);
}

INSTANTIATE_TEST_SUITE_P(Searchers, ModelSearchers,
                         ::testing::Values(SearcherSpec::Type::bohb, SearcherSpec::Type::tpe),
                         [](const ::testing::TestParamInfo<SearcherSpec::Type>& p) {
                             return p.param == SearcherSpec::Type::bohb ? "Bohb" : "Tpe";
                         });

TEST(SearcherConfig, OptionsAreCheckedForTheirSearcher) {
    json doc = test::lenet_document();
    doc["searcher"] = "bohb";
    doc["searcher_options"] = {
        {"top_fraction", 0.2}, {"num_samples", 32}, {"avoid_pending", false}};
    const ExperimentConfig c = parse_experiment(doc, "lenet.json");
    EXPECT_EQ(c.searcher.type, SearcherSpec::Type::bohb);
    EXPECT_EQ(c.searcher.top_fraction, 0.2);
    EXPECT_EQ(c.searcher.num_samples, 32);
    EXPECT_FALSE(c.searcher.avoid_pending);
    // Without its pending boxes BOHB takes Syne Tune's floor on the bandwidth, unless one is given.
    EXPECT_EQ(c.searcher.min_bandwidth, 0.1);
    doc["searcher_options"]["min_bandwidth"] = 0.01;
    EXPECT_EQ(parse_experiment(doc, "lenet.json").searcher.min_bandwidth, 0.01);
    doc["searcher_options"] = {{"num_samples", 32}};
    EXPECT_EQ(parse_experiment(doc, "lenet.json").searcher.min_bandwidth, 1e-3);
    doc["searcher_options"] = {{"n_startup_trials", 5}};
    EXPECT_THROW_MSG(parse_experiment(doc, "lenet.json"), ConfigError,
                     "lenet.json: $.searcher_options.n_startup_trials: an option of the tpe "
                     "searcher, and searcher is \"bohb\"");
    doc["searcher"] = "tpe";
    EXPECT_EQ(parse_experiment(doc, "lenet.json").searcher.n_startup_trials, 5);
    doc["searcher"] = "bayes";
    EXPECT_THROW(parse_experiment(doc, "lenet.json"), ConfigError);
    doc["searcher"] = "random";
    EXPECT_THROW_MSG(parse_experiment(doc, "lenet.json"), ConfigError,
                     "lenet.json: $.searcher_options: the random searcher has no options "
                     "(searcher_options is for \"bohb\" and \"tpe\")");
}
