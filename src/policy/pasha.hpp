#pragma once
/// PASHA (Bohdal et al., "PASHA: Efficient HPO and NAS with Progressive Resource Allocation",
/// ICLR 2023; the reference is Syne Tune v0.13.0's PASHARungSystem): promotion-type ASHA whose
/// trials go only up to a *top rung* that starts at the second rung level and is raised one rung
/// at a time while the ranking at the top rung is not yet stable, so that a run whose ranking
/// settles early never trains anything to max_t.
///
/// - Promotion is the reference's PromotionRungSystem: a free worker promotes the best
///   not-yet-promoted trial (ties: the first recorded there) of the highest rung *below the top*
///   whose value is as good as the rung's q_k = r_k / r_{k+1} quantile (numpy's linear one, of
///   every value recorded there; none while a rung has fewer than 2), else starts a new trial.
///   Trials reaching the top rung pause there.
/// - After every report the two compared rungs are the top rung and the one below (the last two
///   rungs once the top is max_t). Let T be the trials recorded at the upper one, best first,
///   and P their values at the lower one, sorted. The ranking is stable iff for every place i
///   the trial T[i]'s value below is within epsilon of P[i] (the paper's soft ranking: groups of
///   values within epsilon; epsilon 0 when P has fewer than 2). If not, the top is raised one
///   rung (past the last rung: max_t).
/// - epsilon is policy/ranking_noise's estimate over the levels between the two compared rungs,
///   updated after every report (kept when no pair is noisy).
///
/// Deliberate differences from the reference (docs/architecture.md): with exactly two rung levels
/// the reference compares its first rung with an empty one and never raises; here the top starts
/// at the second level as with more; one bracket only; a trial's result joins its rung's
/// promotable ones when its leg ends (the reference: at the report), since only a paused trial
/// can be resumed; and policy/ranking_noise's.

#include "asha/scheduler.hpp"
#include "policy/order_statistics.hpp"
#include "policy/ranking_noise.hpp"
#include "policy/rung_ladder.hpp"

#include <cstdint>
#include <set>
#include <tuple>
#include <unordered_map>

namespace asha {

/// The level PASHA's trials first go up to: the second rung level (nullopt: fewer than two rung
/// levels below max_t, which PASHA needs).
std::optional<double> pasha_start_level(double grace_period, double eta, double max_t);

class PashaScheduler : public Scheduler {
  public:
    struct Params {
        double grace_period = 1;
        double eta = 3;
        double max_t = 1;
        bool maximize = false;
    };

    PashaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng);

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    Verdict on_report(TrialId trial, double resource, double metric) override;
    void on_leg_end(TrialId trial, LegEnd how) override;
    std::vector<RungSummary> rungs() const override;

    /// Where trials go up to now: a rung level, or max_t once raised past the last rung.
    double top_level() const;
    double epsilon() const { return epsilon_; }

  private:
    /// A result at a rung in the reference's order: badness, then arrival at the rung.
    using Place = std::tuple<double, std::uint64_t, TrialId>;
    struct Record {
        OrderStatistics values;                          // badness of every recorded trial
        std::set<Place> order;                           // every recorded trial, best first
        std::set<Place> promotable;                      // recorded, paused, not promoted
        std::unordered_map<TrialId, double> badness_of;  // what each recorded trial got here
    };
    using Ladder = RungLadder<Record>;

    std::optional<Suggestion> promote();
    /// Records the trial's `metric` at rung k; returns its reason there.
    DecisionReason record_at(TrialId trial, int k, double metric);
    /// The reference's promotion test at a rung: how many values are better than `key` and how
    /// few it takes (top 0: none is promoted yet).
    std::size_t promotion_top(const Ladder::Rung& rung) const;
    /// Why, at `rung` (the trial's `metric` there, `better` values better than it).
    DecisionReason reason(DecisionReason::Rule rule, const Ladder::Rung& rung, double metric,
                          std::size_t better) const;
    /// The compared rungs' window, and whether their ranking is stable (else: raise).
    void compare_window();
    std::optional<TopRaise> check_ranking();
    std::vector<Ladder::Rung>& ladder_rungs() { return ladder_.rungs(0); }
    const std::vector<Ladder::Rung>& ladder_rungs() const { return ladder_.rungs(0); }
    /// The upper compared rung: the top rung, or the last one once the top is max_t.
    int compared() const;

    Params params_;
    std::unique_ptr<Searcher> searcher_;
    Rng& rng_;
    Ladder ladder_;
    int top_ = 1;  // trials pause at rung top_ (== number of rungs: they go to max_t)
    RankingNoise noise_;
    double epsilon_ = 0;
    bool ranking_changed_ = false;  // since the last comparison
    std::uint64_t arrivals_ = 0;
    std::vector<Place> paused_at_;  // by trial id: its place at the rung it paused at
};

}  // namespace asha
