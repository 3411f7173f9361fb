#include "policy/ranking_noise.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace asha {

namespace {

std::uint64_t pair_key(TrialId a, TrialId b) {
    return (static_cast<std::uint64_t>(std::min(a, b)) << 32) |
           static_cast<std::uint64_t>(std::max(a, b));
}

}  // namespace

double numpy_percentile(std::size_t n, double q, const std::function<double(std::size_t)>& at) {
    // numpy 1.24 lib/function_base.py: q / 100, virtual index (n - 1) q, its floor and the next
    // index (both the last past the end), gamma = index - floor, then _lerp.
    const double index = static_cast<double>(n - 1) * (q / 100);
    if (index >= static_cast<double>(n - 1)) return at(n - 1);
    const double below = std::floor(index);
    const double a = at(static_cast<std::size_t>(below));
    const double b = at(static_cast<std::size_t>(below) + 1);
    const double t = index - below;
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

void RankingNoise::record(TrialId trial, double level, double value) {
    if (trial < 0 || trial >= (TrialId{1} << 31))
        throw std::logic_error("RankingNoise: trial id out of range");
    if (static_cast<std::size_t>(trial) >= curves_.size())
        curves_.resize(static_cast<std::size_t>(trial) + 1);
    Curve& c = curves_[static_cast<std::size_t>(trial)];
    if (!c.levels.empty() && level <= c.levels.back())
        throw std::logic_error("RankingNoise: trial " + std::to_string(trial) +
                               "'s levels must grow");
    c.levels.push_back(level);
    c.values.push_back(value);
    std::vector<TrialId>& here = at_level_[level];
    if (in_window(level)) {
        // Every trial x that reported at this level now has it as its top level with `trial`.
        for (TrialId x : here) {
            const Curve& other = curves_[static_cast<std::size_t>(x)];
            const auto ix = static_cast<std::size_t>(
                std::lower_bound(other.levels.begin(), other.levels.end(), level) -
                other.levels.begin());
            count_pair(trial, c.levels.size() - 1, x, ix);
        }
    }
    here.push_back(trial);
}

void RankingNoise::set_window(double lower, double upper) {
    if (lower == lower_ && upper == upper_) return;
    lower_ = lower;
    upper_ = upper;
    distances_.clear();
    noisy_.clear();
    // Each pair at its top level: the levels from the top down, a pair counted where first met.
    std::unordered_set<std::uint64_t> seen;
    for (auto it = at_level_.upper_bound(upper); it != at_level_.begin();) {
        --it;
        if (it->first <= lower) break;
        const std::vector<TrialId>& here = it->second;
        for (std::size_t i = 0; i < here.size(); ++i)
            for (std::size_t j = i + 1; j < here.size(); ++j) {
                if (!seen.insert(pair_key(here[i], here[j])).second) continue;
                auto index_of = [&](TrialId t) {
                    const auto& ls = curves_[static_cast<std::size_t>(t)].levels;
                    return static_cast<std::size_t>(
                        std::lower_bound(ls.begin(), ls.end(), it->first) - ls.begin());
                };
                count_pair(here[i], index_of(here[i]), here[j], index_of(here[j]));
            }
    }
}

void RankingNoise::forget_pair(std::uint64_t key) {
    const auto it = noisy_.find(key);
    if (it == noisy_.end()) return;
    distances_.erase({it->second, key});
    noisy_.erase(it);
}

void RankingNoise::count_pair(TrialId a, std::size_t ia, TrialId b, std::size_t ib) {
    if (a > b) {
        std::swap(a, b);
        std::swap(ia, ib);
    }
    const std::uint64_t key = pair_key(a, b);
    forget_pair(key);
    const Curve& ca = curves_[static_cast<std::size_t>(a)];
    const Curve& cb = curves_[static_cast<std::size_t>(b)];
    const double distance = std::fabs(ca.values[ia] - cb.values[ib]);
    if (!std::isfinite(distance)) return;
    // The order at the top level, then the common levels below it, top down (the reference's
    // comparisons: `>` on the reported values, so a tie orders as "not greater").
    const bool order = ca.values[ia] > cb.values[ib];
    bool swapped = false;
    std::size_t i = ia, j = ib;
    while (i > 0 && j > 0) {
        const double la = ca.levels[i - 1], lb = cb.levels[j - 1];
        if (la > lb) {
            --i;
            continue;
        }
        if (lb > la) {
            --j;
            continue;
        }
        --i;
        --j;
        const bool here = ca.values[i] > cb.values[j];
        if (here != order) {
            swapped = true;
        } else if (swapped) {
            distances_.insert({distance, key});
            noisy_.emplace(key, distance);
            return;
        }
    }
}

std::optional<double> RankingNoise::epsilon() const {
    if (distances_.empty()) return std::nullopt;
    return numpy_percentile(distances_.size(), 90, [this](std::size_t k) {
        return distances_.find_by_order(static_cast<std::ptrdiff_t>(k))->first;
    });
}

}  // namespace asha
