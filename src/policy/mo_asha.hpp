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

#include <set>

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

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    Verdict on_report(TrialId trial, double resource, double metric) override;
    Verdict on_observation(TrialId trial, double resource, const Observation& seen) override;
    void on_leg_end(TrialId trial, LegEnd how) override;
    std::vector<RungSummary> rungs() const override;

  private:
    struct Rung {
        double level = 0;
        double next_level = 0;  // r_{k+1}, or max_t for the last rung
        PriorityRung results;
        std::set<TrialId> promotable;  // promotion: recorded, paused, not promoted
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
        double paused_metric = 0;
    };

    std::optional<Suggestion> promote();
    int highest_rung_reached(const Bracket& bracket, int from, double resource) const;
    double milestone_after(const Bracket& bracket, int rung) const;
    /// How many places of a rung of n results continue, by the stopping rule.
    std::size_t stopping_top(const Rung& rung, std::size_t n) const;
    DecisionReason reason(DecisionReason::Rule rule, int bracket, const Rung& rung, double metric,
                          const PriorityRung::Place& at, std::size_t top) const;
    TrialState& state(TrialId trial);

    Params params_;
    std::unique_ptr<Searcher> searcher_;
    Rng& rng_;
    std::vector<Bracket> brackets_;
    std::vector<double> bracket_share_;
    std::vector<TrialState> trials_;  // indexed by trial id (ids are dense)
};

}  // namespace asha
