#include "policy/recorded_space.hpp"

#include <limits>
#include <stdexcept>

namespace asha {

namespace {
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
}

RecordedSpace::RecordedSpace(const RecordedCurves& curves, const ConfigSpace& space)
    : curves_(curves), encoding_(space), dims_(encoding_.size()) {
    const std::size_t n = curves.curves.size();
    encoded_.reserve(n * dims_);
    for (const RecordedCurve& curve : curves.curves) {
        const std::vector<double> x = encoding_.encode(curve.config);
        encoded_.insert(encoded_.end(), x.begin(), x.end());
    }
    running_.assign(n, 0);
    position_.assign(n, kNone);
}

void RecordedSpace::ensure_candidate() {
    for (std::size_t curve : untried_)
        if (free(curve)) return;
    untried_.clear();  // a new pass: every configuration again
    for (std::size_t curve = 0; curve < size(); ++curve) {
        position_[curve] = untried_.size();
        untried_.push_back(curve);
    }
}

Config RecordedSpace::take(TrialId trial, std::size_t curve) {
    if (trial < 0 || static_cast<std::size_t>(trial) != curve_of_.size())
        throw std::logic_error("recorded space: trial ids must be dense");
    // Out of this pass: the last untried one takes its place.
    if (const std::size_t at = position_[curve]; at != kNone) {
        untried_[at] = untried_.back();
        position_[untried_[at]] = at;
        untried_.pop_back();
        position_[curve] = kNone;
    }
    curve_of_.push_back(curve);
    trial_running_.push_back(0);
    set_running(trial, true);
    return curves_.curves[curve].config;
}

Config RecordedSpace::draw(TrialId trial, Rng& rng) {
    ensure_candidate();
    std::size_t curve = untried_[rng.below(untried_.size())];
    if (!free(curve)) {
        // Only near the end of a pass, or with more workers than configurations: draw again
        // among the free ones (all of them when none is).
        std::vector<std::size_t> candidates;
        for (std::size_t c : untried_)
            if (free(c)) candidates.push_back(c);
        if (candidates.empty()) candidates = untried_;
        curve = candidates[rng.below(candidates.size())];
    }
    return take(trial, curve);
}

Config RecordedSpace::nearest(TrialId trial, const Config& config) {
    ensure_candidate();
    const std::vector<double> x = encoding_.encode(config);
    std::size_t best = kNone;
    double best_distance = std::numeric_limits<double>::infinity();
    for (int pass = 0; pass < 2 && best == kNone; ++pass) {
        for (std::size_t curve : untried_) {
            if (pass == 0 && !free(curve)) continue;  // the second pass: all are running
            const double* y = &encoded_[curve * dims_];
            double d = 0;
            for (std::size_t k = 0; k < dims_; ++k) {
                const double diff =
                    encoding_.categorical(k) ? (x[k] != y[k] ? 1.0 : 0.0) : x[k] - y[k];
                d += diff * diff;
            }
            if (d < best_distance || (d == best_distance && curve < best)) {
                best_distance = d;
                best = curve;
            }
        }
    }
    return take(trial, best);
}

void RecordedSpace::set_running(TrialId trial, bool running) {
    if (trial < 0 || static_cast<std::size_t>(trial) >= curve_of_.size()) return;
    const auto t = static_cast<std::size_t>(trial);
    if (static_cast<bool>(trial_running_[t]) == running) return;
    trial_running_[t] = running;
    running_[curve_of_[t]] += running ? 1 : -1;
}

void RecordedSpace::on_report(TrialId trial) {
    set_running(trial, true);
}

void RecordedSpace::on_leg_end(TrialId trial) {
    set_running(trial, false);
}

}  // namespace asha
