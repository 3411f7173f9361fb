#pragma once
/// PASHA's estimate of how noisy the rankings of trials are (Bohdal et al., "PASHA: Efficient HPO
/// and NAS with Progressive Resource Allocation", ICLR 2023; Syne Tune v0.13.0's
/// `PASHARungSystem._update_epsilon`): epsilon, the 90th percentile (numpy's linear
/// interpolation) of the distances |v_a - v_b| of the *noisy pairs*.
///
/// A pair of trials (a, b) is looked at once, at its *top level* e: the highest level in the
/// window (lower, upper] (the levels of PASHA's two top rungs) at which both reported. It is noisy
/// when, going down the levels below e at which both reported, their order (v_a > v_b, a the
/// lower trial id) is first the opposite of the order at e somewhere and then the same again
/// further down: the two swapped places and swapped back. Its distance is taken at e.
///
/// The reference recomputes every pair after every report. Here the set of noisy distances is
/// kept up to date instead: a report of trial c at level e can only change the pairs (c, x) whose
/// x reported at e too (a trial's levels grow, so e becomes their top level), so a report costs
/// O(m E) for the m trials at its level and their E common levels, and a report outside the
/// window O(log n). Moving the window rebuilds the set (O(pairs) once per move; PASHA moves it at
/// most once per rung). Deliberate differences (docs/architecture.md): every pair is counted
/// once, at its top level (the reference iterates Python sets, whose order depends on the hash
/// seed, and can count a pair at two levels); levels are the ones reported, not every integer
/// from 1; a pair whose distance is not finite is left out (the reference fails on a NaN).

#include "asha/trial.hpp"

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace asha {

class RankingNoise {
  public:
    /// Records trial `trial`'s `value` at `level`; a trial's levels must grow.
    void record(TrialId trial, double level, double value);
    /// The window (lower, upper] of levels the pairs are taken in; a new window recounts them.
    void set_window(double lower, double upper);
    /// The 90th percentile of the noisy pairs' distances; nullopt while there is none.
    std::optional<double> epsilon() const;
    /// How many noisy pairs there are.
    std::size_t noisy_pairs() const { return distances_.size(); }

  private:
    struct Curve {
        std::vector<double> levels;  // ascending
        std::vector<double> values;
    };
    /// An order-statistics multiset of (distance, pair key) (GNU libstdc++'s policy tree).
    using DistanceTree =
        __gnu_pbds::tree<std::pair<double, std::uint64_t>, __gnu_pbds::null_type, std::less<>,
                         __gnu_pbds::rb_tree_tag, __gnu_pbds::tree_order_statistics_node_update>;

    bool in_window(double level) const { return level > lower_ && level <= upper_; }
    /// Counts the pair (a, b) afresh with its top level at index ia of a's curve and ib of b's.
    void count_pair(TrialId a, std::size_t ia, TrialId b, std::size_t ib);
    void forget_pair(std::uint64_t key);

    std::vector<Curve> curves_;                        // by trial id
    std::map<double, std::vector<TrialId>> at_level_;  // who reported at each level
    double lower_ = 0, upper_ = 0;                     // empty until set_window()
    DistanceTree distances_;
    std::unordered_map<std::uint64_t, double> noisy_;  // pair key -> its distance
};

/// numpy.percentile(values, q) with the default linear method, of the sorted values given by
/// `at(k)` (k < n): the same double as numpy 1.24 computes.
double numpy_percentile(std::size_t n, double q, const std::function<double(std::size_t)>& at);

}  // namespace asha
