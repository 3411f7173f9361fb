#include "asha/stopping_rule.hpp"

#include <cmath>

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

std::size_t continue_rank(std::size_t n, double q, bool maximize) {
    if (n < 2) return 0;  // the reference has no cutoff yet: the first value always continues
    // Syne Tune's Rung.quantile(): virt_index = (n - 1) * q' + 1, index = int(virt_index),
    // g = virt_index - index, and the cutoff interpolates between the sorted values at index - 1
    // and index (q' = q in mode min, 1 - q in mode max, whose values it reads from the other
    // end). With b values strictly better than the new one, the new one sits at sorted position
    // b (min) or n - 1 - b counted from the worst end (max); comparing it with the
    // interpolated cutoff then reduces to these ranks.
    const double nm1 = static_cast<double>(n - 1);
    if (!maximize) {
        const auto index = static_cast<std::size_t>(nm1 * q + 1);
        return index - 1;  // continue iff b <= index - 1, whatever g
    }
    const double virt_index = nm1 * (1 - q) + 1;
    const auto index = static_cast<std::size_t>(virt_index);
    const bool on_a_value = virt_index - static_cast<double>(index) == 0;
    // Cutoff exactly at the ascending value `index - 1` (g = 0), else strictly inside the gap
    // above it: the new value must be at or above that end of the gap.
    return on_a_value ? n - index : n - index - 1;
}

}  // namespace asha
