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
    const std::vector<double>& bracket_probabilities() const { return bracket_probability_; }

  private:
    struct Rung {
        double level = 0;
        double next_level = 0;   // r_{k+1}, or max_t for the last rung
        double quantile = 0;     // q_k = r_k / r_{k+1}
        OrderStatistics values;  // badness of every recorded trial
        std::set<std::pair<double, TrialId>>
            promotable;  // promotion: recorded, paused, not promoted
        std::size_t promoted = 0;
    };
    struct Bracket {
        std::vector<Rung> rungs;
    };
    struct TrialState {
        int bracket = 0;
        int next_rung = 0;     // rungs below this one are behind the trial
        double milestone = 0;  // promotion: where the current leg ends
        int paused_rung = -1;  // promotion: rung recorded at the milestone of the current leg
        double paused_badness = 0;
        double paused_metric = 0;  // its metric there, as reported (for the promotion's reason)
    };

    int highest_rung_reached(const Bracket& bracket, int from, double resource) const;
    std::optional<Suggestion> promote();
    double milestone_after(const Bracket& bracket, int rung) const;
    TrialState& state(TrialId trial);
    /// Why: `key` (badness) at rung k of bracket b, with `better` values strictly better and the
    /// trial going on iff better < top.
    DecisionReason reason(DecisionReason::Rule rule, int b, const Rung& rung, double metric,
                          std::size_t better, std::size_t top) const;

    Params params_;
    std::unique_ptr<Searcher> searcher_;
    Rng& rng_;
    std::vector<Bracket> brackets_;
    std::vector<double> bracket_probability_;
    std::vector<TrialState> trials_;  // indexed by trial id (ids are dense)
};

}  // namespace asha
