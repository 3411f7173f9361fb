#pragma once
/// What ASHA and MO-ASHA share: the rungs of each bracket (stopping_rule.hpp's levels, bracket b
/// keeping the levels from r_b on with the reference's q_k), Hyperband's share of new trials per
/// bracket, and where each trial stands on its bracket's rungs. `Record` is what a rung keeps of
/// the results recorded there (the values and the promotable trials): an order-statistics tree
/// for one metric (policy/asha), a PriorityRung for several (policy/mo_asha). Pure.

#include "asha/rng.hpp"
#include "asha/scheduler.hpp"
#include "asha/searcher.hpp"
#include "asha/trial.hpp"
#include "policy/stopping_rule.hpp"

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace asha {

template <typename Record>
class RungLadder {
  public:
    struct Rung {
        double level = 0;
        double next_level = 0;  ///< r_{k+1}, or max_t for the last rung
        double quantile = 0;    ///< q_k = r_k / r_{k+1} of the full ladder
        Record record;
        std::size_t promoted = 0;  ///< promotion: trials promoted from this rung
    };
    /// Where a trial stands.
    struct Position {
        int bracket = 0;
        int next_rung = 0;         ///< rungs below this one are behind the trial
        double milestone = 0;      ///< where the current leg ends (max_t: to the end)
        int paused_rung = -1;      ///< promotion: the rung recorded at the current leg's milestone
        double paused_metric = 0;  ///< its metric there, as reported (a promotion's reason)
    };

    /// `make_record()` gives each rung its empty record.
    template <typename MakeRecord>
    RungLadder(double grace_period, double eta, double max_t, int brackets, MakeRecord make_record)
        : max_t_(max_t) {
        const auto levels = rung_levels(grace_period, eta, max_t);
        const auto quantiles = rung_quantiles(levels, max_t);
        for (int b = 0; b < brackets; ++b) {
            std::vector<Rung> rungs;
            for (auto k = static_cast<std::size_t>(b); k < levels.size(); ++k)
                rungs.push_back(Rung{levels[k], k + 1 < levels.size() ? levels[k + 1] : max_t,
                                     quantiles[k], make_record(), 0});
            brackets_.push_back(std::move(rungs));
        }
        shares_ = hyperband_bracket_shares(levels.size(), brackets, eta);
    }

    std::size_t brackets() const { return brackets_.size(); }
    std::vector<Rung>& rungs(int bracket) { return brackets_[static_cast<std::size_t>(bracket)]; }
    const std::vector<Rung>& rungs(int bracket) const {
        return brackets_[static_cast<std::size_t>(bracket)];
    }
    /// Hyperband's share of new trials of each bracket.
    const std::vector<double>& shares() const { return shares_; }

    /// New trial `trial` (ids are dense, from 0): its bracket drawn with the shares, its first
    /// leg's milestone the bracket's first rung when every leg pauses there, else max_t.
    Position& add(TrialId trial, Rng& rng, bool pauses) {
        if (trial != static_cast<TrialId>(trials_.size()))
            throw std::logic_error("ASHA: trial ids must be dense, expected " +
                                   std::to_string(trials_.size()));
        Position p;
        p.bracket = draw_bracket(shares_, rng);
        const auto& first = rungs(p.bracket);
        p.milestone = pauses && !first.empty() ? first.front().level : max_t_;
        trials_.push_back(p);
        return trials_.back();
    }
    /// A free worker's new trial: its bracket and milestone (add()), then its configuration.
    Suggestion start(TrialId trial, Rng& rng, bool pauses, Searcher& searcher) {
        const Position& p = add(trial, rng, pauses);
        Suggestion s;
        s.trial_id = trial;
        s.bracket = p.bracket;
        s.milestone = p.milestone;
        s.config = searcher.suggest(trial);
        return s;
    }
    Position& at(TrialId trial) {
        if (trial < 0 || static_cast<std::size_t>(trial) >= trials_.size())
            throw std::logic_error("ASHA: unknown trial " + std::to_string(trial));
        return trials_[static_cast<std::size_t>(trial)];
    }

    /// The highest rung of the trial's bracket, from its next one on, that `resource` reached
    /// (-1: none).
    int highest_reached(const Position& p, double resource) const {
        const auto& ladder = rungs(p.bracket);
        int found = -1;
        for (int k = p.next_rung; k < static_cast<int>(ladder.size()); ++k) {
            if (!reached_level(resource, ladder[static_cast<std::size_t>(k)].level)) break;
            found = k;
        }
        return found;
    }
    /// Where a leg promoted from rung `rung` of `bracket` ends: the next rung, or max_t.
    double milestone_after(int bracket, int rung) const {
        const auto next = static_cast<std::size_t>(rung + 1);
        const auto& ladder = rungs(bracket);
        return next < ladder.size() ? ladder[next].level : max_t_;
    }
    /// Moves a trial promoted from rung `rung` on; returns the suggestion that resumes it.
    Suggestion promote(TrialId trial, int rung, const DecisionReason& why) {
        Position& p = at(trial);
        ++rungs(p.bracket)[static_cast<std::size_t>(rung)].promoted;
        p.milestone = milestone_after(p.bracket, rung);
        p.next_rung = rung + 1;
        Suggestion s;
        s.kind = Suggestion::Kind::resume;
        s.trial_id = trial;
        s.milestone = p.milestone;
        s.bracket = p.bracket;
        s.why = why;
        return s;
    }

  private:
    double max_t_;
    std::vector<std::vector<Rung>> brackets_;
    std::vector<double> shares_;
    std::vector<Position> trials_;  // by trial id
};

/// The status rows of a ladder whose rungs record one metric's badness in `record.values`
/// (an OrderStatistics): each rung's count, promotions, q_k quantile and best.
template <typename Record>
std::vector<RungSummary> summarize_rungs(const RungLadder<Record>& ladder, bool maximize) {
    std::vector<RungSummary> out;
    for (int b = 0; b < static_cast<int>(ladder.brackets()); ++b) {
        for (const auto& rung : ladder.rungs(b)) {
            RungSummary s;
            s.bracket = b;
            s.level = rung.level;
            s.recorded = rung.record.values.size();
            s.promoted = rung.promoted;
            const double cutoff = rung.record.values.quantile(rung.quantile);
            s.cutoff = maximize ? -cutoff : cutoff;
            s.best = metric_of_badness(rung.record.values.empty()
                                           ? std::numeric_limits<double>::infinity()
                                           : rung.record.values.select(0),
                                       maximize);
            out.push_back(s);
        }
    }
    return out;
}

}  // namespace asha
