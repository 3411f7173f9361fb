#include "policy/kde_searcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace asha {

namespace {

/// At most `most` of `items`, evenly spaced (all of them when there are fewer).
template <typename T>
std::vector<T> evenly(std::vector<T> items, std::size_t most) {
    if (items.size() <= most || most == 0) return items;
    std::vector<T> out;
    out.reserve(most);
    for (std::size_t i = 0; i < most; ++i) out.push_back(items[i * items.size() / most]);
    return out;
}

}  // namespace

KdeSearcher::KdeSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate,
                         std::vector<double> budgets, bool maximize, const SearcherSpec& options,
                         Rng& rng)
    : ModelSearcher(std::move(space), std::move(points_to_evaluate), std::move(budgets), maximize,
                    rng),
      options_(options) {}

KdeSearcher::Density KdeSearcher::fit(std::vector<std::vector<double>> points) const {
    Density density;
    const std::size_t d = encoding().size();
    const double n = static_cast<double>(points.size());
    density.bandwidth.resize(d);
    for (std::size_t j = 0; j < d; ++j) {
        // The normal reference rule, as statsmodels' KDEMultivariate (HpBandSter's), for every
        // kind of coordinate.
        double mean = 0, var = 0;
        for (const auto& p : points) mean += p[j];
        mean /= n;
        for (const auto& p : points) var += (p[j] - mean) * (p[j] - mean);
        const double sd = std::sqrt(var / n);
        double bw = std::max(1.06 * sd * std::pow(n, -1.0 / (4.0 + static_cast<double>(d))),
                             options_.min_bandwidth);
        if (encoding().categorical(j)) {
            const double c = encoding().categories(j);
            bw = std::min(bw, c > 1 ? (c - 1) / c : 0.0);  // beyond it, far choices weigh more
        }
        density.bandwidth[j] = bw;
    }
    // What log_pdf adds for each point, computed once: the parts of a point's log kernel that
    // do not depend on the point, and per choice the log of its kernel when the point's choice
    // is the candidate's and when it is not.
    density.log_same.assign(d, 0);
    density.log_other.assign(d, 0);
    for (std::size_t j = 0; j < d; ++j) {
        const double bw = density.bandwidth[j];
        if (encoding().categorical(j)) {
            const double c = encoding().categories(j);
            density.log_same[j] = std::log(1 - bw);
            density.log_other[j] = std::log(c > 1 ? bw / (c - 1) : 1e-32);
        } else {
            density.log_constant -= std::log(bw) + kLogSqrt2Pi;
        }
    }
    density.points = std::move(points);
    return density;
}

double KdeSearcher::Density::log_pdf(const std::vector<double>& x,
                                     const SpaceEncoding& encoding) const {
    const std::size_t d = x.size();
    std::vector<double> terms;
    terms.reserve(points.size());
    for (const auto& p : points) {
        double log_k = log_constant;
        for (std::size_t j = 0; j < d; ++j) {
            if (encoding.categorical(j)) {
                log_k += p[j] == x[j] ? log_same[j] : log_other[j];
            } else {
                const double z = (x[j] - p[j]) / bandwidth[j];
                log_k -= 0.5 * z * z;
            }
        }
        terms.push_back(log_k);
    }
    return log_sum_exp(terms) - std::log(static_cast<double>(points.size()));
}

std::optional<std::vector<double>> KdeSearcher::propose() {
    const std::size_t d = encoding().size();
    if (d == 0) return std::nullopt;
    if (rng().uniform01() < options_.random_fraction) return std::nullopt;
    const std::size_t n_min = options_.min_points_in_model > 0
                                  ? static_cast<std::size_t>(options_.min_points_in_model)
                                  : d + 1;
    // The highest budget with enough observations for both densities.
    std::vector<std::pair<double, std::size_t>> rows;  // (badness, trial index)
    std::size_t n_good = 0, n_bad = 0, budget = 0;
    bool found = false;
    for (std::size_t k = budget_count(); k-- > 0 && !found;) {
        rows.clear();
        for (std::size_t i = 0; i < trials().size(); ++i)
            if (!std::isnan(trials()[i].at[k])) rows.emplace_back(trials()[i].at[k], i);
        const double n = static_cast<double>(rows.size());
        n_good = std::max(n_min, static_cast<std::size_t>(std::floor(options_.top_fraction * n)));
        n_bad =
            std::max(n_min, static_cast<std::size_t>(std::floor((1 - options_.top_fraction) * n)));
        found = rows.size() >= n_good + n_min;
        budget = k;
    }
    if (!found) return std::nullopt;
    std::sort(rows.begin(), rows.end());  // ties by trial: the same order whatever came first
    // Which trials each density keeps is chosen first, so that only those (at most max_points
    // each) are copied: with 10,000 observations copying them all was a third of a suggestion.
    const auto most = static_cast<std::size_t>(options_.max_points);
    auto points = [&](std::size_t from, std::size_t to) {  // of the ranks [from, to)
        std::vector<std::size_t> ranks(to - from);
        std::iota(ranks.begin(), ranks.end(), from);
        std::vector<std::vector<double>> out;
        for (const std::size_t r : evenly(std::move(ranks), most))
            out.push_back(trials()[rows[r].second].x);
        return out;
    };
    const std::size_t good_end = std::min(n_good, rows.size());
    const Density l = fit(points(0, good_end)),
                  g = fit(points(good_end, std::min(rows.size(), n_good + n_bad)));
    // Trials at work without a value at this budget yet: a candidate in the box of one of them
    // (within the good bandwidth in every numeric coordinate, the same choices) is not
    // suggested, so that with 64 workers the next suggestion keeps away from the 63 before it.
    // A converged model would otherwise suggest one spot 64 times; when every candidate near
    // the good points is taken, the suggestion is random. (A box of bandwidth_factor x the
    // bandwidth sent too many suggestions to random: docs/benchmarks.md.)
    std::vector<std::vector<double>> pending;
    if (options_.avoid_pending)
        for (const auto& t : trials())
            if (t.running && std::isnan(t.at[budget])) pending.push_back(t.x);
    pending = evenly(std::move(pending), most);
    auto taken = [&](const std::vector<double>& at) {
        for (const auto& p : pending) {
            bool inside = true;
            for (std::size_t j = 0; j < d && inside; ++j)
                inside = encoding().categorical(j) ? p[j] == at[j]
                                                   : std::abs(p[j] - at[j]) < l.bandwidth[j];
            if (inside) return true;
        }
        return false;
    };
    std::vector<double> best;
    double best_score = std::numeric_limits<double>::infinity();
    std::vector<double> x(d);
    int scored = 0;
    for (int draw = 0; draw < 4 * options_.num_samples && scored < options_.num_samples; ++draw) {
        const auto& centre = l.points[rng().below(l.points.size())];
        for (std::size_t j = 0; j < d; ++j) {
            const double bw = l.bandwidth[j];
            if (encoding().categorical(j)) {
                x[j] = rng().uniform01() < 1 - bw
                           ? centre[j]
                           : static_cast<double>(
                                 rng().below(static_cast<std::uint64_t>(encoding().categories(j))));
            } else {
                x[j] = truncated_normal(centre[j], options_.bandwidth_factor * bw);
            }
        }
        if (taken(x)) continue;
        ++scored;
        // Minimise g(x) / l(x), each at least 1e-32 (HpBandSter's guard).
        const double score = std::max(g.log_pdf(x, encoding()), std::log(1e-32)) -
                             std::max(l.log_pdf(x, encoding()), std::log(1e-32));
        if (score < best_score) {
            best_score = score;
            best = x;
        }
    }
    if (best.empty()) return std::nullopt;  // every candidate was taken: explore
    return best;
}

}  // namespace asha
