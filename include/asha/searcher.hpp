#pragma once
/// Searchers decide *what* to try next; schedulers decide *when to stop*.

#include "asha/config_space.hpp"
#include "asha/rng.hpp"
#include "asha/trial.hpp"

#include <memory>
#include <unordered_set>
#include <vector>

namespace asha {

class RecordedSpace;

/// The searcher API. The scheduler that owns a searcher calls suggest() for each new trial and
/// passes on every report it gets and every leg's end, in the order it gets them: the same calls
/// in the same order give the same suggestions (a resumed run replays them from the journal).
class Searcher {
  public:
    virtual ~Searcher() = default;
    /// The configuration of new trial `trial`.
    virtual Config suggest(TrialId trial) = 0;
    /// An accepted report of `trial`: `metric` after `resource` (every report, every rung).
    virtual void on_report(TrialId /*trial*/, double /*resource*/, double /*metric*/) {}
    /// The same report in a run of several objectives or with constraints (MO-ASHA passes
    /// these instead); a searcher that models one metric sees its first objective.
    virtual void on_observation(TrialId trial, double resource, const Observation& seen) {
        on_report(trial, resource, seen.metric());
    }
    /// A leg of `trial` ended.
    virtual void on_leg_end(TrialId /*trial*/, LegEnd /*how*/) {}
};

/// points_to_evaluate first, in order, then random configurations. A random configuration
/// equal to one already suggested is drawn again (up to 100 times), so small discrete spaces
/// are not re-evaluated; when the space is exhausted duplicates are allowed.
class RandomSearcher : public Searcher {
  public:
    RandomSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate, Rng& rng);
    ~RandomSearcher() override;
    /// A simulation on recorded curves: every suggestion is a recorded configuration.
    void restrict_to(std::unique_ptr<RecordedSpace> recorded);
    Config suggest(TrialId trial) override;
    void on_report(TrialId trial, double resource, double metric) override;
    void on_leg_end(TrialId trial, LegEnd how) override;

  private:
    ConfigSpace space_;
    std::unique_ptr<RecordedSpace> recorded_;
    std::vector<Config> points_;
    std::size_t next_point_ = 0;
    Rng& rng_;
    std::unordered_set<std::string> seen_;
};

}  // namespace asha
