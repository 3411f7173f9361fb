#pragma once
/// Synchronous successive halving (the book's Figure 19.5.1) and synchronous Hyperband.
///
/// A round of bracket b starts n_b configurations at its lowest level (eta^K for bracket 0,
/// Hyperband's counts for the others). A rung is judged only when every trial of the round has
/// ended its leg there; then the best floor(n / eta) (at least one) are resumed at the next level.
/// While a round waits on its stragglers, free workers start the next round, up to
/// `rounds_in_flight` rounds at once; beyond that they idle, which is the cost of synchronisation
/// that ASHA removes. Rounds cycle through the brackets.

#include "asha/scheduler.hpp"

#include <deque>

namespace asha {

class SyncShScheduler : public Scheduler {
  public:
    struct Params {
        double grace_period = 1;
        double eta = 3;
        double max_t = 1;
        int brackets = 1;
        int rounds_in_flight = 2;
        bool maximize = false;
    };

    SyncShScheduler(Params params, std::unique_ptr<Searcher> searcher);

    std::optional<Suggestion> suggest(TrialId next_id, bool allow_new = true) override;
    Verdict on_report(TrialId trial, double resource, double metric) override;
    void on_leg_end(TrialId trial, LegEnd how) override;
    std::vector<RungSummary> rungs() const override;

  private:
    struct Round {
        int bracket = 0;
        std::vector<double> milestones;   // rung levels of the bracket, then max_t
        std::size_t stage = 0;            // index into milestones
        std::size_t new_trials_left = 0;  // stage 0: configurations not started yet
        std::deque<TrialId> to_resume;    // later stages: promoted trials not resumed yet
        std::size_t running = 0;          // legs of this stage started and not ended
        std::vector<std::pair<double, TrialId>> results;  // reached this stage's milestone
        bool finished = false;
    };
    struct TrialState {
        std::size_t round = 0;
        std::size_t recorded_stage = static_cast<std::size_t>(-1);
        double metric = 0;                        // at recorded_stage, as reported
        std::optional<DecisionReason> promotion;  // why it was promoted, until its leg starts
    };

    void open_round();
    void finish_stage_if_done(Round& round);
    Suggestion launch(Round& round, std::size_t round_index, TrialId next_id);

    Params params_;
    std::unique_ptr<Searcher> searcher_;
    std::vector<Round> rounds_;
    std::vector<std::size_t> active_;  // indices of unfinished rounds, oldest first
    std::vector<TrialState> trials_;
    std::vector<RungSummary> history_;  // judged stages, for rungs()
    int rounds_opened_ = 0;
};

}  // namespace asha
