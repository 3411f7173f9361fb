#include "policy/tpe_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace asha {

namespace {

double normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

/// Optuna's default weights: all 1 below 25 trials; past that the oldest ramp down to 1/n.
std::vector<double> default_weights(std::size_t n) {
    std::vector<double> w(n, 1.0);
    if (n < 25) return w;
    const std::size_t ramp = n - 25;
    for (std::size_t i = 0; i < ramp; ++i)
        w[i] = ramp == 1 ? 1.0 / static_cast<double>(n)
                         : 1.0 / static_cast<double>(n) + (1.0 - 1.0 / static_cast<double>(n)) *
                                                              static_cast<double>(i) /
                                                              static_cast<double>(ramp - 1);
    return w;
}

}  // namespace

TpeSearcher::TpeSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate,
                         std::vector<double> budgets, bool maximize, const SearcherSpec& options,
                         Rng& rng)
    : ModelSearcher(std::move(space), std::move(points_to_evaluate), std::move(budgets), maximize,
                    rng),
      options_(options) {}

TpeSearcher::Parzen TpeSearcher::fit(std::size_t j, const std::vector<const TrialInfo*>& group,
                                     const std::vector<double>& weights) const {
    Parzen p;
    const double prior = options_.prior_weight;
    if (encoding().categorical(j)) {
        const auto c = static_cast<std::size_t>(encoding().categories(j));
        std::vector<double> mass(c, prior / static_cast<double>(c));
        double total = prior;
        for (std::size_t i = 0; i < group.size(); ++i) {
            const auto k = static_cast<std::size_t>(group[i]->x[j]);
            if (k < c) mass[k] += weights[i];
            total += weights[i];
        }
        for (double m : mass) p.log_probabilities.push_back(std::log(m / total));
        return p;
    }
    // Observations and the prior (the middle of the domain, as wide as the domain), as Optuna's
    // _ParzenEstimator with consider_magic_clip and without consider_endpoints.
    const std::size_t n = group.size();
    std::vector<double> mus(n);
    for (std::size_t i = 0; i < n; ++i) mus[i] = group[i]->x[j];
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return mus[a] < mus[b]; });
    std::vector<double> sorted(n + 2);
    sorted[0] = 0.0;
    sorted[n + 1] = 1.0;
    for (std::size_t i = 0; i < n; ++i) sorted[i + 1] = mus[order[i]];
    std::vector<double> sigmas(n);
    for (std::size_t i = 0; i < n; ++i) {
        double s = std::max(sorted[i + 1] - sorted[i], sorted[i + 2] - sorted[i + 1]);
        if (n >= 2 && i == 0) s = sorted[2] - sorted[1];
        if (n >= 2 && i == n - 1) s = sorted[n] - sorted[n - 1];
        sigmas[order[i]] = s;
    }
    const double min_sigma = 1.0 / std::min(100.0, 1.0 + static_cast<double>(n));
    double total = prior;
    for (double w : weights) total += w;
    for (std::size_t i = 0; i < n; ++i) {
        p.mus.push_back(mus[i]);
        p.sigmas.push_back(std::clamp(sigmas[i], min_sigma, 1.0));
        p.weights.push_back(weights[i] / total);
    }
    p.mus.push_back(0.5);
    p.sigmas.push_back(1.0);
    p.weights.push_back(prior / total);
    // log(weight / (sigma sqrt(2 pi) Z)), Z: the component's mass inside [0, 1].
    for (std::size_t k = 0; k < p.mus.size(); ++k) {
        const double z =
            normal_cdf((1 - p.mus[k]) / p.sigmas[k]) - normal_cdf(-p.mus[k] / p.sigmas[k]);
        p.log_coefficients.push_back(std::log(p.weights[k]) - std::log(p.sigmas[k]) - kLogSqrt2Pi -
                                     std::log(std::max(z, 1e-300)));
    }
    return p;
}

double TpeSearcher::Parzen::sample(TpeSearcher& searcher) const {
    double u = searcher.rng().uniform01();
    if (!log_probabilities.empty()) {
        for (std::size_t k = 0; k < log_probabilities.size(); ++k) {
            u -= std::exp(log_probabilities[k]);
            if (u < 0) return static_cast<double>(k);
        }
        return static_cast<double>(log_probabilities.size() - 1);
    }
    std::size_t k = 0;
    for (; k + 1 < weights.size(); ++k) {
        u -= weights[k];
        if (u < 0) break;
    }
    return searcher.truncated_normal(mus[k], sigmas[k]);
}

double TpeSearcher::Parzen::log_pdf(double x) const {
    if (!log_probabilities.empty()) {
        const auto k = static_cast<std::size_t>(x);
        return k < log_probabilities.size() ? log_probabilities[k] : -1e300;
    }
    std::vector<double> terms(mus.size());
    for (std::size_t k = 0; k < mus.size(); ++k) {
        const double z = (x - mus[k]) / sigmas[k];
        terms[k] = log_coefficients[k] - 0.5 * z * z;
    }
    return log_sum_exp(terms);
}

void TpeSearcher::split_by_order(std::vector<std::pair<int, std::size_t>> by_level,
                                 std::size_t n_below, std::vector<std::size_t>& below,
                                 std::vector<std::size_t>& above) const {
    // The highest budget observed first (failed trials, level -1, last), as for one metric;
    // within the budget where "below" fills up, the rung order of MO-ASHA decides.
    std::sort(by_level.begin(), by_level.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::size_t at = 0;
    while (at < by_level.size()) {
        std::size_t end = at;
        while (end < by_level.size() && by_level[end].first == by_level[at].first) ++end;
        const std::size_t room = n_below - std::min(n_below, below.size());
        if (end - at <= room || by_level[at].first < 0) {
            for (std::size_t k = at; k < end; ++k)
                (below.size() < n_below ? below : above).push_back(by_level[k].second);
        } else {
            std::vector<const Observation*> results;
            for (std::size_t k = at; k < end; ++k)
                results.push_back(&trials()[by_level[k].second]
                                       .seen_at[static_cast<std::size_t>(by_level[k].first)]);
            std::vector<bool> chosen(end - at, false);
            for (std::size_t i : first_in_order(results, *order(), room)) chosen[i] = true;
            for (std::size_t k = at; k < end; ++k)
                (chosen[k - at] ? below : above).push_back(by_level[k].second);
        }
        at = end;
    }
}

std::optional<std::vector<double>> TpeSearcher::propose() {
    const std::size_t d = encoding().size();
    if (d == 0) return std::nullopt;
    // Trials with results, ranked: the highest budget observed first, then the value there;
    // failed trials last. Ties by trial id: the order does not depend on the order of events.
    struct Ranked {
        int level;
        double value;
        std::size_t index;
    };
    std::vector<Ranked> ranked;
    std::vector<const TrialInfo*> pending;
    for (std::size_t i = 0; i < trials().size(); ++i) {
        const TrialInfo& t = trials()[i];
        if (t.reached >= 0 || t.failed)
            ranked.push_back({t.failed ? -1 : t.reached,
                              t.failed ? std::numeric_limits<double>::infinity()
                                       : t.at[static_cast<std::size_t>(t.reached)],
                              i});
        else if (t.running)
            pending.push_back(&t);
    }
    if (ranked.size() < static_cast<std::size_t>(std::max(options_.n_startup_trials, 1)))
        return std::nullopt;
    const std::size_t n_below = std::min<std::size_t>(
        static_cast<std::size_t>(std::ceil(0.1 * static_cast<double>(ranked.size()))), 25);
    std::vector<std::size_t> below_ids, above_ids;
    if (order()) {
        std::vector<std::pair<int, std::size_t>> by_level;
        for (const Ranked& r : ranked) by_level.emplace_back(r.level, r.index);
        split_by_order(std::move(by_level), n_below, below_ids, above_ids);
    } else {
        std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
            if (a.level != b.level) return a.level > b.level;
            if (a.value != b.value) return a.value < b.value;
            return a.index < b.index;
        });
        for (std::size_t r = 0; r < ranked.size(); ++r)
            (r < n_below ? below_ids : above_ids).push_back(ranked[r].index);
    }
    // Weights by age (trial id), at most max_points trials per group, evenly spaced by age.
    auto group_of = [&](std::vector<std::size_t> ids, std::vector<const TrialInfo*> extra) {
        std::vector<const TrialInfo*> group;
        std::sort(ids.begin(), ids.end());
        for (std::size_t id : ids) group.push_back(&trials()[id]);
        group.insert(group.end(), extra.begin(), extra.end());  // the liars: the newest
        const auto most = static_cast<std::size_t>(options_.max_points);
        if (most > 0 && group.size() > most) {
            std::vector<const TrialInfo*> kept;
            for (std::size_t i = 0; i < most; ++i) kept.push_back(group[i * group.size() / most]);
            group = std::move(kept);
        }
        return group;
    };
    const auto below = group_of(below_ids, {});
    const auto above =
        group_of(above_ids, options_.avoid_pending ? pending : std::vector<const TrialInfo*>{});
    const auto w_below = default_weights(below.size()), w_above = default_weights(above.size());
    std::vector<Parzen> l, g;
    for (std::size_t j = 0; j < d; ++j) {
        l.push_back(fit(j, below, w_below));
        g.push_back(fit(j, above, w_above));
    }
    std::vector<double> best, x(d);
    double best_score = -std::numeric_limits<double>::infinity();
    for (int s = 0; s < options_.n_ei_candidates; ++s) {
        double score = 0;
        for (std::size_t j = 0; j < d; ++j) {
            x[j] = l[j].sample(*this);
            score += l[j].log_pdf(x[j]) - g[j].log_pdf(x[j]);
        }
        if (score > best_score) {
            best_score = score;
            best = x;
        }
    }
    return best;
}

}  // namespace asha
