#pragma once
/// Asynchronous successive halving (Li et al. 2018) and asynchronous Hyperband.
///
/// Rung levels of bracket b: the levels r_b, r_{b+1}, ... below max_t (stopping_rule.hpp: the
/// reference's round(grace_period * eta^k)); reaching max_t completes a trial. Rungs are kept
/// per bracket. Stopping variant: a trial that reports at or past a rung it has not been judged
/// at is recorded there (once, at the highest such rung) and continues iff its value is at least
/// as good as the q_k = r_k / r_{k+1} quantile of all values recorded at that rung, itself
/// included: the decisions of Syne Tune's StoppingRungSystem, which the book ran. Promotion
/// variant (the paper's rule and the book's Figure 19.5.2, deliberately not Syne Tune's
/// quantile-based PromotionRungSystem): every trial pauses at each rung; a free worker promotes
/// the best not-yet-promoted trial of the highest rung where it ranks among the top
/// floor(n/eta), else starts a new trial.

#include "asha/scheduler.hpp"
#include "policy/order_statistics.hpp"
#include "policy/rung_ladder.hpp"

#include <set>

namespace asha {

class AshaScheduler : public Scheduler {
  public:
    struct Params {
        AshaVariant variant = AshaVariant::stopping;
        double grace_period = 1;
        double eta = 3;
        double max_t = 1;
        int brackets = 1;
        bool maximize = false;
    };

    AshaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng);

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    Verdict on_report(TrialId trial, double resource, double metric) override;
    void on_leg_end(TrialId trial, LegEnd how) override;
    std::vector<RungSummary> rungs() const override;

    /// Probability of each bracket for a new trial (as often as synchronous Hyperband would use
    /// it).
    const std::vector<double>& bracket_probabilities() const { return ladder_.shares(); }

  private:
    /// What a rung keeps: the badness of every recorded trial, and (promotion) the recorded,
    /// paused, not yet promoted trials by badness.
    struct Record {
        OrderStatistics values;
        std::set<std::pair<double, TrialId>> promotable;
    };
    using Ladder = RungLadder<Record>;

    std::optional<Suggestion> promote();
    /// Why: at `rung` of bracket b, with `better` values strictly better than `metric` and the
    /// trial going on iff better < top.
    DecisionReason reason(DecisionReason::Rule rule, int b, const Ladder::Rung& rung, double metric,
                          std::size_t better, std::size_t top) const;

    Params params_;
    std::unique_ptr<Searcher> searcher_;
    Rng& rng_;
    Ladder ladder_;
    std::vector<double> paused_badness_;  // by trial id: promotion, its badness where it paused
};

}  // namespace asha
