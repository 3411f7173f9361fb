#pragma once
/// Random search baseline: every trial runs until it reaches max_t (or exits by itself).

#include "asha/scheduler.hpp"

namespace asha {

class FifoScheduler : public Scheduler {
  public:
    FifoScheduler(double max_t, std::unique_ptr<Searcher> searcher)
        : max_t_(max_t), searcher_(std::move(searcher)) {}

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    Decision on_report(TrialId, double, double) override { return Decision::proceed; }
    void on_leg_end(TrialId, LegEnd) override {}

  private:
    double max_t_;
    std::unique_ptr<Searcher> searcher_;
};

}  // namespace asha
