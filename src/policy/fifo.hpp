#pragma once
/// Random search baseline: every trial runs until it reaches max_t (or exits by itself).

#include "asha/scheduler.hpp"

namespace asha {

class FifoScheduler : public Scheduler {
  public:
    FifoScheduler(double max_t, std::unique_ptr<Searcher> searcher)
        : max_t_(max_t), searcher_(std::move(searcher)) {}

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    /// Always CONTINUE; at max_t, why: the trial completes.
    Verdict on_report(TrialId trial, double resource, double metric) override;
    void on_leg_end(TrialId trial, LegEnd how) override { searcher_->on_leg_end(trial, how); }

  private:
    double max_t_;
    std::unique_ptr<Searcher> searcher_;
};

}  // namespace asha
