#pragma once
/// Multi-objective ASHA (Schmucker et al. 2021; Syne Tune v0.13's MOASHA) and ASHA with
/// constraints: asynchronous successive halving whose rungs are ordered by a priority of several
/// objectives, with infeasible results after every feasible one (policy/priority_rung.hpp).
///
/// The rung levels, brackets and promotions are AshaScheduler's (policy/asha.hpp). Stopping
/// variant: a trial is recorded once at the highest rung it passed and continues iff its place
/// p among the n results there (itself included) passes the rule: with several objectives
/// MOASHA's, p / n <= 1 / eta (policy/stopping_rule.hpp), with one objective and constraints
/// single-objective ASHA's quantile rule (so that a run whose reports are all feasible takes the
/// decisions of the same run without constraints). Promotion variant: every trial pauses at
/// each rung; a free worker promotes the first not-yet-promoted trial in the priority order of
/// the highest rung where it is among the top floor(n / eta).

#include "asha/scheduler.hpp"
#include "policy/priority_rung.hpp"
#include "policy/rung_ladder.hpp"

namespace asha {

class MoAshaScheduler : public Scheduler {
  public:
    struct Params {
        AshaVariant variant = AshaVariant::stopping;
        double grace_period = 1;
        double eta = 3;
        double max_t = 1;
        int brackets = 1;
        PriorityRung::Order order;
    };

    MoAshaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng);
    // Its rungs point at params_.order: it stays where it was made.
    MoAshaScheduler(const MoAshaScheduler&) = delete;
    MoAshaScheduler& operator=(const MoAshaScheduler&) = delete;

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    Verdict on_report(TrialId trial, double resource, double metric) override;
    Verdict on_observation(TrialId trial, double resource, const Observation& seen) override;
    void on_leg_end(TrialId trial, LegEnd how) override;
    std::vector<RungSummary> rungs() const override;

  private:
    /// What a rung keeps: the results in the rung's order, and (promotion) which of them wait,
    /// paused there and not yet promoted.
    struct Record {
        PriorityRung results;
    };
    using Ladder = RungLadder<Record>;

    std::optional<Suggestion> promote();
    /// How many places of a rung of n results continue, by the stopping rule.
    std::size_t stopping_top(const Ladder::Rung& rung, std::size_t n) const;
    DecisionReason reason(DecisionReason::Rule rule, int bracket, const Ladder::Rung& rung,
                          double metric, const PriorityRung::Place& at, std::size_t top) const;

    Params params_;
    std::unique_ptr<Searcher> searcher_;
    Rng& rng_;
    Ladder ladder_;
};

}  // namespace asha
