#include "policy/stopping_rule.hpp"

#include <cmath>
#include <cstdint>

namespace asha {

namespace {
bool whole(double x) {
    return std::isfinite(x) && std::floor(x) == x;
}
}  // namespace

std::vector<double> rung_levels(double grace_period, double eta, double max_t, int bracket) {
    std::vector<double> levels;
    if (!(grace_period > 0) || !(eta > 1)) return levels;
    // The reference's integer rungs: round(grace * eta^k) while grace * eta^k < max_t, with
    // np.power's double arithmetic (std::pow is the same correctly rounded pow for these).
    const bool integral = whole(grace_period) && whole(max_t);
    for (int k = 0;; ++k) {
        const double raw = grace_period * std::pow(eta, k);
        // Unrounded levels keep a tolerance, so that 0.5 * 3^2 = 4.5 is not 4.4999999 < 4.5.
        if (integral ? !(raw < max_t) : !(raw < max_t * (1 - 1e-9))) break;
        levels.push_back(integral ? std::nearbyint(raw) : raw);  // half to even, as Python
    }
    if (!levels.empty() && levels.back() == max_t) levels.pop_back();
    if (bracket <= 0) return levels;
    if (static_cast<std::size_t>(bracket) >= levels.size()) return {};
    return {levels.begin() + bracket, levels.end()};
}

std::vector<double> rung_quantiles(const std::vector<double>& levels, double max_t) {
    std::vector<double> q;
    for (std::size_t k = 0; k < levels.size(); ++k)
        q.push_back(levels[k] / (k + 1 < levels.size() ? levels[k + 1] : max_t));
    return q;
}

std::size_t continue_rank(std::size_t n, double level, double next_level) {
    if (n < 2) return 0;  // the reference has no cutoff yet: the first value always continues
    // numpy.quantile(values, q) at virtual position h = (n - 1) q interpolates between the sorted
    // values at floor(h) and floor(h) + 1; the new value, with b values below it (mode min), is
    // at least as good as that iff b <= floor(h). In mode max the reference takes the (1 - q)
    // quantile from the other end, which is the same test. Whole-number levels: h in integers,
    // so a position that is meant to be whole is whole (the reference's doubles can land an ulp
    // either side, which moves its cutoff by about an ulp of the values there).
    const auto m = static_cast<std::uint64_t>(n - 1);
    constexpr double k32 = 4294967296.0;  // m * level below 2^64
    if (whole(level) && whole(next_level) && level >= 0 && next_level > 0 && level < k32 &&
        next_level < k32 && m < static_cast<std::uint64_t>(k32))
        return static_cast<std::size_t>(m * static_cast<std::uint64_t>(level) /
                                        static_cast<std::uint64_t>(next_level));
    // Fractional levels: the product in long double, with a relative tolerance so that a
    // position meant to be whole is not floored to the one below.
    const long double h = static_cast<long double>(m) * level / next_level;
    return static_cast<std::size_t>(std::floor(h * (1 + 1e-12L)));
}

std::size_t moasha_continue_count(std::size_t n, double eta) {
    if (n == 0) return 0;
    const auto stops = [&](std::size_t p) {
        return static_cast<double>(p) / static_cast<double>(n) > 1.0 / eta;
    };
    // The rule is monotone in p: start near n / eta and step to the boundary.
    auto p = static_cast<std::size_t>(std::floor(static_cast<double>(n) / eta));
    if (p > n) p = n;
    while (p > 0 && stops(p)) --p;
    while (p < n && !stops(p)) ++p;
    return p;
}

std::vector<double> hyperband_bracket_shares(std::size_t levels, int brackets, double eta) {
    std::vector<double> share;
    const double s_max = static_cast<double>(levels);
    double sum = 0;
    for (int b = 0; b < brackets; ++b) {
        const double s = s_max - b;
        share.push_back((s_max + 1) / (s + 1) * std::pow(eta, s));
        sum += share.back();
    }
    for (double& p : share) p /= sum;
    return share;
}

int draw_bracket(const std::vector<double>& shares, Rng& rng) {
    if (shares.size() == 1) return 0;
    double u = rng.uniform01();
    for (std::size_t b = 0; b + 1 < shares.size(); ++b) {
        if (u < shares[b]) return static_cast<int>(b);
        u -= shares[b];
    }
    return static_cast<int>(shares.size()) - 1;
}

}  // namespace asha
