// Scheduler decisions per second with 10^3, 10^5 and 10^6 values already at the rung.
//
//   build/bench/scheduler_bench            (items_per_second = decisions per second)
//
// BM_AshaDecision is AshaScheduler::on_report for a trial that reaches a rung holding n values:
// insert its value and rank it against everything recorded there. BM_RungInsertAndRank is the
// same work on the bare order-statistics structure. BM_PromotionSuggest is a free worker asking
// the promotion variant what to run next. Decisions are timed in batches of n/10, after which
// the structure is rebuilt (untimed), so the rung stays within 10% of its nominal size.
// BM_SearcherSuggest/{bohb,tpe} is one suggestion of a model-based searcher that has seen n
// trials (each reported at every budget) over 10 hyperparameters, with 64 trials still running
// (the target: at most 5 ms with 10,000 observations); mo_tpe is MO-TPE on two objectives
// (the target: at most 10 ms).
// BM_MoRungDecision/{non_dominated,linear}/n is MO-ASHA's work for one result reaching a rung of
// n results of two objectives: record it and find its place in the rung's priority order;
// non_dominated_3 on three objectives; non_dominated_one_front with results nearly all on one
// front (the epsilon-net's worst case), non_dominated_agree with objectives that agree (many
// small fronts). BM_MoRungChainTopped is the walk down the fronts at its worst: n one-result
// fronts, each new result better than all.
// BM_MoRungPromotion/{non_dominated,linear}/n is the promotion variant's work at such a rung
// where every result waits: find the waiting result first in the order, and take it out.

#include "policy/asha.hpp"
#include "policy/kde_searcher.hpp"
#include "policy/priority_rung.hpp"
#include "policy/tpe_searcher.hpp"

#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

using namespace asha;

namespace {

class EmptySearcher : public Searcher {
  public:
    Config suggest(TrialId) override { return Config::object(); }
};

std::vector<double> random_values(std::size_t n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<double> v(n);
    for (double& x : v) x = rng.uniform01();
    return v;
}

std::size_t batch_for(std::size_t at_rung) {
    return std::max<std::size_t>(at_rung / 10, 100);
}

/// A stopping-variant scheduler whose first rung holds `at_rung` values, with `extra` trials
/// started and not yet judged.
struct Filled {
    Rng rng{0};
    std::unique_ptr<AshaScheduler> scheduler;
    Filled(std::size_t at_rung, std::size_t extra, const std::vector<double>& values) {
        scheduler = std::make_unique<AshaScheduler>(
            AshaScheduler::Params{AshaVariant::stopping, 1, 3, 27, 1, false},
            std::make_unique<EmptySearcher>(), rng);
        for (std::size_t i = 0; i < at_rung + extra; ++i)
            scheduler->suggest(static_cast<TrialId>(i));
        for (std::size_t i = 0; i < at_rung; ++i)
            scheduler->on_report(static_cast<TrialId>(i), 1, values[i]);
    }
};

void BM_AshaDecision(benchmark::State& state) {
    const auto at_rung = static_cast<std::size_t>(state.range(0));
    const std::size_t batch = batch_for(at_rung);
    auto values = random_values(at_rung + batch, 1);
    auto filled = std::make_unique<Filled>(at_rung, batch, values);
    std::size_t next = at_rung;
    for (auto _ : state) {
        if (next == at_rung + batch) {
            state.PauseTiming();
            filled = std::make_unique<Filled>(at_rung, batch, values);
            next = at_rung;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(
            filled->scheduler->on_report(static_cast<TrialId>(next), 1, values[next]));
        ++next;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AshaDecision)->Arg(1000)->Arg(100000)->Arg(1000000)->Iterations(1 << 19);

void BM_RungInsertAndRank(benchmark::State& state) {
    const auto at_rung = static_cast<std::size_t>(state.range(0));
    const std::size_t batch = batch_for(at_rung);
    auto values = random_values(at_rung + batch, 2);
    auto fill = [&] {
        auto rung = std::make_unique<OrderStatistics>();
        for (std::size_t i = 0; i < at_rung; ++i) rung->insert(values[i]);
        return rung;
    };
    auto rung = fill();
    std::size_t next = at_rung;
    for (auto _ : state) {
        if (next == at_rung + batch) {
            state.PauseTiming();
            rung = fill();
            next = at_rung;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(rung->insert_and_count_less(values[next]));
        ++next;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RungInsertAndRank)->Arg(1000)->Arg(100000)->Arg(1000000)->Iterations(1 << 19);

void BM_PromotionSuggest(benchmark::State& state) {
    // A rung with n paused trials; each free worker either promotes one or starts a new trial.
    const auto at_rung = static_cast<std::size_t>(state.range(0));
    Rng rng(0);
    AshaScheduler scheduler({AshaVariant::promotion, 1, 3, 27, 1, false},
                            std::make_unique<EmptySearcher>(), rng);
    auto values = random_values(at_rung, 3);
    TrialId next = 0;
    while (static_cast<std::size_t>(next) < at_rung) {
        auto s = scheduler.suggest(next);
        if (s->kind == Suggestion::Kind::resume) continue;
        scheduler.on_report(next, 1, values[static_cast<std::size_t>(next)]);
        scheduler.on_leg_end(next, LegEnd::reached_milestone);
        ++next;
    }
    for (auto _ : state) {
        auto s = scheduler.suggest(next);
        if (s->kind == Suggestion::Kind::start) ++next;
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PromotionSuggest)->Arg(1000)->Arg(100000)->Arg(1000000)->Iterations(1 << 14);

/// Results of `dims` objectives that trade off (a noisy front), as results of a real rung do.
/// With a small `noise` nearly every result is on one front (the epsilon-net's worst case); with
/// `agree`, the objectives rise together and every front is small (the walk's worst case).
struct TradeOff {
    Rng rng{4};
    std::size_t dims;
    double noise = 0.3;
    bool agree = false;
    Observation operator()() {
        Observation seen;
        double left = 1;
        for (std::size_t k = 0; k + 1 < dims; ++k) {
            const double v = rng.uniform01() * left;
            seen.values.push_back(v);
            left -= v;
        }
        seen.values.push_back((agree ? 1 - left : left) + noise * rng.uniform01());
        return seen;
    }
};

void BM_MoRungDecision(benchmark::State& state, MoPriority priority, std::size_t dims,
                       double noise = 0.3, bool agree = false) {
    const auto at_rung = static_cast<std::size_t>(state.range(0));
    PriorityRung::Order order;
    order.maximize.assign(dims, false);
    order.priority = priority;
    order.weights.assign(dims, 1);
    TradeOff result{Rng(4), dims, noise, agree};
    PriorityRung rung(order);
    TrialId next = 0;
    for (; static_cast<std::size_t>(next) < at_rung; ++next) rung.record(next, result());
    for (auto _ : state) benchmark::DoNotOptimize(rung.insert(next++, result()));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_MoRungDecision, non_dominated, MoPriority::non_dominated, 2)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(200);
BENCHMARK_CAPTURE(BM_MoRungDecision, non_dominated_one_front, MoPriority::non_dominated, 2, 0.001)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(50);
BENCHMARK_CAPTURE(BM_MoRungDecision, non_dominated_agree, MoPriority::non_dominated, 2, 0.05, true)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(200);

/// The walk's worst case: a chain of n one-result fronts (objectives that agree exactly), and
/// each new result better than all, so that it pushes every result down one front.
void BM_MoRungChainTopped(benchmark::State& state) {
    const auto at_rung = static_cast<std::size_t>(state.range(0));
    PriorityRung::Order order;
    order.maximize = {false, false};
    PriorityRung rung(order);
    TrialId next = 0;
    for (; static_cast<std::size_t>(next) < at_rung; ++next) {
        const auto v = static_cast<double>(at_rung - static_cast<std::size_t>(next));
        rung.record(next, Observation{{v, v}, 0});
    }
    for (auto _ : state) {
        const auto v = -static_cast<double>(next);
        benchmark::DoNotOptimize(rung.insert(next++, Observation{{v, v}, 0}));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MoRungChainTopped)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(100);
BENCHMARK_CAPTURE(BM_MoRungDecision, linear, MoPriority::linear_scalarization, 2)
    ->Arg(1000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(1 << 16);
BENCHMARK_CAPTURE(BM_MoRungDecision, non_dominated_3, MoPriority::non_dominated, 3)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(50);

void BM_MoRungPromotion(benchmark::State& state, MoPriority priority) {
    const auto at_rung = static_cast<std::size_t>(state.range(0));
    PriorityRung::Order order;
    order.maximize = {false, false};
    order.priority = priority;
    order.weights = {1, 1};
    TradeOff result{Rng(4), 2};
    PriorityRung rung(order);
    for (TrialId t = 0; static_cast<std::size_t>(t) < at_rung; ++t) {
        rung.record(t, result());
        rung.set_waiting(t, true);
    }
    for (auto _ : state) {
        const auto first = rung.first_waiting();
        rung.set_waiting(first->first, false);
        benchmark::DoNotOptimize(first);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_MoRungPromotion, non_dominated, MoPriority::non_dominated)
    ->Arg(1000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(200);
BENCHMARK_CAPTURE(BM_MoRungPromotion, linear, MoPriority::linear_scalarization)
    ->Arg(1000)
    ->Arg(100000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(200);

void BM_SearcherSuggest(benchmark::State& state, SearcherSpec::Type type, bool two_objectives) {
    const auto observed = static_cast<std::size_t>(state.range(0));
    json space = json::object();
    for (int i = 0; i < 8; ++i)
        space["x" + std::to_string(i)] = {{"type", "uniform"}, {"lower", 0}, {"upper", 1}};
    space["n"] = {{"type", "lograndint"}, {"lower", 1}, {"upper", 1000}};
    space["c"] = {{"type", "choice"}, {"categories", {"a", "b", "c", "d"}}};
    const ConfigSpace cs = ConfigSpace::parse(space, JsonPath("bench"));
    Rng rng(5);
    SearcherSpec options;
    options.type = type;
    options.random_fraction = 0;  // time the model, not a coin
    const std::vector<double> budgets = {1, 3, 9, 27};
    std::unique_ptr<Searcher> searcher;
    if (type == SearcherSpec::Type::bohb)
        searcher =
            std::make_unique<KdeSearcher>(cs, std::vector<Config>{}, budgets, false, options, rng);
    else
        searcher =
            std::make_unique<TpeSearcher>(cs, std::vector<Config>{}, budgets, false, options, rng);
    if (two_objectives) {  // MO-TPE: ranked by MO-ASHA's non-dominated order
        PriorityRung::Order order;
        order.maximize = {false, false};
        order.weights = {1, 1};
        static_cast<TpeSearcher&>(*searcher).rank_by(order);
    }
    TrialId next = 0;
    for (; static_cast<std::size_t>(next) < observed; ++next) {
        const Config c = searcher->suggest(next);
        double v = 0;
        for (int i = 0; i < 8; ++i) v += std::abs(c["x" + std::to_string(i)].get<double>() - 0.3);
        for (double r : budgets) {
            if (!two_objectives) {
                searcher->on_report(next, r, v + 1 / r);
                continue;
            }
            // A second objective that trades off with the first (the size of "n").
            const double size = std::log(c["n"].get<double>());
            searcher->on_observation(next, r, Observation{{v + 1 / r, size}, 0});
        }
        searcher->on_leg_end(next, LegEnd::reached_milestone);
    }
    for (int i = 0; i < 64; ++i) searcher->suggest(next++);  // running, no result yet
    for (auto _ : state) benchmark::DoNotOptimize(searcher->suggest(next++));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_SearcherSuggest, bohb, SearcherSpec::Type::bohb, false)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(50);
BENCHMARK_CAPTURE(BM_SearcherSuggest, tpe, SearcherSpec::Type::tpe, false)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(50);
BENCHMARK_CAPTURE(BM_SearcherSuggest, mo_tpe, SearcherSpec::Type::tpe, true)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(50);

}  // namespace

BENCHMARK_MAIN();
