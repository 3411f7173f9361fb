#include "policy/sync_sh.hpp"
#include "policy/stopping_rule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace asha {

SyncShScheduler::SyncShScheduler(Params params, std::unique_ptr<Searcher> searcher)
    : params_(params), searcher_(std::move(searcher)) {}

void SyncShScheduler::open_round() {
    Round round;
    round.bracket = rounds_opened_++ % params_.brackets;
    round.milestones = rung_levels(params_.grace_period, params_.eta, params_.max_t, round.bracket);
    round.milestones.push_back(params_.max_t);
    // Hyperband: bracket with s = K_b further halvings starts ceil((K + 1) / (K_b + 1) * eta^K_b).
    double k_total =
        static_cast<double>(rung_levels(params_.grace_period, params_.eta, params_.max_t).size());
    double k_b = static_cast<double>(round.milestones.size() - 1);
    round.new_trials_left = static_cast<std::size_t>(
        std::ceil((k_total + 1) / (k_b + 1) * std::pow(params_.eta, k_b) - 1e-9));
    active_.push_back(rounds_.size());
    rounds_.push_back(std::move(round));
}

Suggestion SyncShScheduler::launch(Round& round, std::size_t round_index, TrialId next_id) {
    Suggestion s;
    s.bracket = round.bracket;
    s.milestone = round.milestones[round.stage];
    ++round.running;
    if (round.stage == 0) {
        --round.new_trials_left;
        if (next_id != static_cast<TrialId>(trials_.size()))
            throw std::logic_error("sync_sh: trial ids must be dense");
        s.kind = Suggestion::Kind::start;
        s.trial_id = next_id;
        s.config = searcher_->suggest(next_id);
        trials_.push_back(TrialState{round_index, static_cast<std::size_t>(-1), 0, std::nullopt});
    } else {
        s.kind = Suggestion::Kind::resume;
        s.trial_id = round.to_resume.front();
        round.to_resume.pop_front();
        s.why =
            std::exchange(trials_.at(static_cast<std::size_t>(s.trial_id)).promotion, std::nullopt);
    }
    return s;
}

std::optional<Suggestion> SyncShScheduler::suggest(TrialId next_id, bool allow_new) {
    for (std::size_t index : active_) {
        Round& round = rounds_[index];
        if (!round.to_resume.empty() ||
            (allow_new && round.stage == 0 && round.new_trials_left > 0))
            return launch(round, index, next_id);
    }
    if (!allow_new || static_cast<int>(active_.size()) >= params_.rounds_in_flight)
        return std::nullopt;
    open_round();
    return launch(rounds_.back(), rounds_.size() - 1, next_id);
}

Verdict SyncShScheduler::on_report(TrialId trial, double resource, double metric) {
    searcher_->on_report(trial, resource, metric);
    TrialState& st = trials_.at(static_cast<std::size_t>(trial));
    Round& round = rounds_[st.round];
    double milestone = round.milestones[round.stage];
    bool last = round.stage + 1 == round.milestones.size();
    if (!reached_level(resource, milestone)) return {};
    if (st.recorded_stage == round.stage)  // told already
        return {last ? Decision::proceed : Decision::pause, std::nullopt};
    st.recorded_stage = round.stage;
    st.metric = metric;
    round.results.emplace_back(badness(metric, params_.maximize), trial);
    return {last ? Decision::proceed : Decision::pause,
            DecisionReason::unranked(
                last ? DecisionReason::Rule::max_t : DecisionReason::Rule::milestone, round.bracket,
                milestone, metric)};
}

void SyncShScheduler::on_leg_end(TrialId trial, LegEnd how) {
    searcher_->on_leg_end(trial, how);
    TrialState& st = trials_.at(static_cast<std::size_t>(trial));
    Round& round = rounds_[st.round];
    --round.running;
    if (how != LegEnd::reached_milestone && st.recorded_stage == round.stage) {
        // Reported its milestone but then failed: it cannot be resumed, so it is not promoted.
        round.results.erase(std::remove_if(round.results.begin(), round.results.end(),
                                           [&](const auto& r) { return r.second == trial; }),
                            round.results.end());
    }
    finish_stage_if_done(round);
}

void SyncShScheduler::finish_stage_if_done(Round& round) {
    bool stage_open = round.running > 0 || !round.to_resume.empty() ||
                      (round.stage == 0 && round.new_trials_left > 0);
    if (stage_open || round.finished) return;
    RungSummary summary;
    summary.bracket = round.bracket;
    summary.level = round.milestones[round.stage];
    summary.recorded = round.results.size();
    std::sort(round.results.begin(), round.results.end());
    if (!round.results.empty()) {
        double q = (static_cast<double>(round.results.size()) - 1) / params_.eta;
        auto lo = static_cast<std::size_t>(std::floor(q));
        double cutoff = round.results[lo].first;
        if (lo + 1 < round.results.size())
            cutoff += (q - static_cast<double>(lo)) * (round.results[lo + 1].first - cutoff);
        summary.cutoff = params_.maximize ? -cutoff : cutoff;
        summary.best = metric_of_badness(round.results.front().first, params_.maximize);
    } else {
        summary.cutoff = std::nan("");
        summary.best = std::nan("");
    }
    bool last = round.stage + 1 == round.milestones.size();
    if (!last && !round.results.empty()) {
        auto keep = std::max<std::size_t>(
            1, static_cast<std::size_t>(
                   std::floor(static_cast<double>(round.results.size()) / params_.eta)));
        const double worst_kept = round.results[keep - 1].first;
        for (std::size_t i = 0; i < keep; ++i) {
            const auto [key, id] = round.results[i];
            round.to_resume.push_back(id);
            TrialState& promoted = trials_[static_cast<std::size_t>(id)];
            DecisionReason why;
            why.rule = DecisionReason::Rule::round_end;
            why.bracket = round.bracket;
            why.level = summary.level;
            why.value = promoted.metric;
            why.better = static_cast<std::size_t>(
                std::lower_bound(round.results.begin(), round.results.end(),
                                 std::pair(key, std::numeric_limits<TrialId>::min())) -
                round.results.begin());
            why.of = round.results.size();
            why.top = keep;
            why.cutoff = metric_of_badness(worst_kept, params_.maximize);
            promoted.promotion = why;
        }
        summary.promoted = keep;
        ++round.stage;
    } else {
        round.finished = true;
        active_.erase(std::find(active_.begin(), active_.end(),
                                static_cast<std::size_t>(&round - rounds_.data())));
    }
    round.results.clear();
    history_.push_back(summary);
}

std::vector<RungSummary> SyncShScheduler::rungs() const {
    return history_;
}

}  // namespace asha
