#include "policy/model_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace asha {

double log_sum_exp(const std::vector<double>& terms) {
    double top = -std::numeric_limits<double>::infinity();
    for (double t : terms) top = std::max(top, t);
    if (!std::isfinite(top)) return top;
    double sum = 0;
    for (double t : terms) sum += std::exp(t - top);
    return top + std::log(sum);
}

ModelSearcher::ModelSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate,
                             std::vector<double> budgets, bool maximize, Rng& rng)
    : space_(std::move(space)),
      encoding_(space_),
      points_(std::move(points_to_evaluate)),
      budgets_(std::move(budgets)),
      maximize_(maximize),
      rng_(rng) {}

ModelSearcher::TrialInfo& ModelSearcher::info(TrialId trial) {
    if (trial < 0 || static_cast<std::size_t>(trial) >= trials_.size())
        throw std::logic_error("searcher: unknown trial " + std::to_string(trial));
    return trials_[static_cast<std::size_t>(trial)];
}

Config ModelSearcher::random_config() {
    // As RandomSearcher: a configuration suggested before is drawn again (small spaces).
    Config config = space_.sample(rng_);
    for (int attempt = 0; attempt < 100 && seen_.count(config.dump()); ++attempt)
        config = space_.sample(rng_);
    return config;
}

Config ModelSearcher::suggest(TrialId trial) {
    if (trial != static_cast<TrialId>(trials_.size()))
        throw std::logic_error("searcher: trial ids must be dense");
    Config config;
    if (next_point_ < points_.size()) {
        config = points_[next_point_++];
        if (recorded_) config = recorded_->nearest(trial, config);
    } else if (auto x = propose()) {
        config = encoding_.decode(*x);
        if (recorded_) config = recorded_->nearest(trial, config);
    } else {
        config = recorded_ ? recorded_->draw(trial, rng_) : random_config();
    }
    seen_.insert(config.dump());
    TrialInfo t;
    t.x = encoding_.encode(config);
    t.at.assign(budgets_.size(), std::numeric_limits<double>::quiet_NaN());
    trials_.push_back(std::move(t));
    return config;
}

void ModelSearcher::on_report(TrialId trial, double resource, double metric) {
    TrialInfo& t = info(trial);
    t.running = true;
    if (recorded_) recorded_->on_report(trial);
    // Recorded at every budget this report reaches that had no value yet (a report that jumps
    // over a rung is recorded there too, as ASHA does).
    for (std::size_t k = static_cast<std::size_t>(t.reached + 1); k < budgets_.size(); ++k) {
        if (!reached_level(resource, budgets_[k])) break;
        t.at[k] = badness(metric, maximize_);
        t.reached = static_cast<int>(k);
    }
}

void ModelSearcher::on_observation(TrialId trial, double resource, const Observation& seen) {
    TrialInfo& t = info(trial);
    const int before = t.reached;
    on_report(trial, resource, seen.metric());
    if (!order_) return;
    t.seen_at.resize(budgets_.size());
    for (int k = before + 1; k <= t.reached; ++k) t.seen_at[static_cast<std::size_t>(k)] = seen;
}

void ModelSearcher::on_leg_end(TrialId trial, LegEnd how) {
    TrialInfo& t = info(trial);
    t.running = false;
    t.failed = how == LegEnd::failed;
    if (recorded_) recorded_->on_leg_end(trial);
    // A failed trial is the worst there is at the budget it was heading for.
    const auto next = static_cast<std::size_t>(t.reached + 1);
    if (how == LegEnd::failed && next < budgets_.size()) {
        t.at[next] = std::numeric_limits<double>::infinity();
        t.reached = static_cast<int>(next);
    }
}

double ModelSearcher::normal() {
    // Box-Muller; 1 - u keeps the logarithm finite.
    const double u = 1.0 - rng_.uniform01(), v = rng_.uniform01();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
}

double ModelSearcher::truncated_normal(double mean, double sd) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        const double x = mean + sd * normal();
        if (x >= 0.0 && x <= 1.0) return x;
    }
    return rng_.uniform01();  // a density far outside [0, 1]: as good as flat inside it
}

}  // namespace asha
