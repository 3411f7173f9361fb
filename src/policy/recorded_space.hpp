#pragma once
/// The search space of a simulation on recorded curves: the finite set of recorded
/// configurations. Every suggestion of a searcher becomes one of them:
///   - a random one is drawn uniformly from those not yet tried in this pass;
///   - any other (a model's proposal, a point to evaluate) becomes the nearest of those in the
///     space's encoding (SpaceEncoding: the searchers' own [0, 1] coordinates, a differing
///     category counting 1), ties to the one recorded first;
/// and never one whose trial is running. A pass ends when every recorded configuration has been
/// tried; the next pass offers them all again (a long simulation replays curves, which are
/// deterministic: the same configuration reports the same values). Pure code.

#include "asha/rng.hpp"
#include "asha/trial.hpp"
#include "policy/recorded_curves.hpp"
#include "policy/space_encoding.hpp"

#include <cstddef>
#include <vector>

namespace asha {

class RecordedSpace {
  public:
    /// `curves` must outlive it; its configurations lie in `space`.
    RecordedSpace(const RecordedCurves& curves, const ConfigSpace& space);

    /// A recorded configuration for new trial `trial`, drawn at random.
    Config draw(TrialId trial, Rng& rng);
    /// The recorded configuration nearest to `config`, for new trial `trial`.
    Config nearest(TrialId trial, const Config& config);
    /// A report of `trial`: its leg runs (a resumed paused trial runs again).
    void on_report(TrialId trial);
    /// A leg of `trial` ended.
    void on_leg_end(TrialId trial);

    std::size_t size() const { return curves_.curves.size(); }

  private:
    bool free(std::size_t curve) const { return running_[curve] == 0; }
    /// Makes sure some untried configuration is free, beginning a new pass if none is.
    void ensure_candidate();
    Config take(TrialId trial, std::size_t curve);
    void set_running(TrialId trial, bool running);

    const RecordedCurves& curves_;
    SpaceEncoding encoding_;
    std::size_t dims_;
    std::vector<double> encoded_;        // curve-major, dims_ each
    std::vector<std::size_t> untried_;   // this pass's untried curves
    std::vector<std::size_t> position_;  // curve -> its index in untried_, or npos
    std::vector<int> running_;           // curve -> running legs
    std::vector<std::size_t> curve_of_;  // trial -> curve
    std::vector<char> trial_running_;    // trial -> counted in running_
};

}  // namespace asha
