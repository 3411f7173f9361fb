#include "policy/mo_asha.hpp"
#include "policy/stopping_rule.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace asha {

MoAshaScheduler::MoAshaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng)
    : params_(std::move(params)), searcher_(std::move(searcher)), rng_(rng) {
    if (params_.order.weights.empty())
        params_.order.weights.assign(params_.order.maximize.size(), 1.0);  // Syne Tune's default
    const auto levels0 = rung_levels(params_.grace_period, params_.eta, params_.max_t);
    for (int b = 0; b < params_.brackets; ++b) {
        Bracket bracket;
        for (std::size_t k = static_cast<std::size_t>(b); k < levels0.size(); ++k)
            bracket.rungs.push_back(Rung{levels0[k],
                                         k + 1 < levels0.size() ? levels0[k + 1] : params_.max_t,
                                         PriorityRung(params_.order),
                                         {},
                                         0});
        brackets_.push_back(std::move(bracket));
    }
    bracket_share_ = hyperband_bracket_shares(levels0.size(), params_.brackets, params_.eta);
}

MoAshaScheduler::TrialState& MoAshaScheduler::state(TrialId trial) {
    if (trial < 0 || static_cast<std::size_t>(trial) >= trials_.size())
        throw std::logic_error("MO-ASHA: unknown trial " + std::to_string(trial));
    return trials_[static_cast<std::size_t>(trial)];
}

double MoAshaScheduler::milestone_after(const Bracket& bracket, int rung) const {
    auto next = static_cast<std::size_t>(rung + 1);
    return next < bracket.rungs.size() ? bracket.rungs[next].level : params_.max_t;
}

int MoAshaScheduler::highest_rung_reached(const Bracket& bracket, int from, double resource) const {
    int found = -1;
    for (int k = from; k < static_cast<int>(bracket.rungs.size()); ++k) {
        if (!reached_level(resource, bracket.rungs[static_cast<std::size_t>(k)].level)) break;
        found = k;
    }
    return found;
}

std::size_t MoAshaScheduler::stopping_top(const Rung& rung, std::size_t n) const {
    if (params_.order.maximize.size() > 1) return moasha_continue_count(n, params_.eta);
    return continue_rank(n, rung.level, rung.next_level) + 1;
}

DecisionReason MoAshaScheduler::reason(DecisionReason::Rule rule, int bracket, const Rung& rung,
                                       double metric, const PriorityRung::Place& at,
                                       std::size_t top) const {
    DecisionReason why;
    why.rule = rule;
    why.bracket = bracket;
    why.level = rung.level;
    why.value = metric;
    why.better = at.before;
    why.of = rung.results.size();
    why.top = top;
    why.front = at.front;
    why.violation = at.violation;
    return why;
}

std::optional<Suggestion> MoAshaScheduler::promote() {
    for (std::size_t b = 0; b < brackets_.size(); ++b) {
        Bracket& bracket = brackets_[b];
        for (int k = static_cast<int>(bracket.rungs.size()) - 1; k >= 0; --k) {
            Rung& rung = bracket.rungs[static_cast<std::size_t>(k)];
            if (rung.promotable.empty()) continue;
            const auto top = static_cast<std::size_t>(
                std::floor(static_cast<double>(rung.results.size()) / params_.eta));
            if (top == 0) continue;
            // The first promotable trial in the rung's order (ties: the lower id).
            std::optional<std::pair<TrialId, PriorityRung::Place>> first;
            for (const auto& [trial, at] : rung.results.places())
                if (rung.promotable.count(trial) &&
                    (!first || at.before < first->second.before ||
                     (at.before == first->second.before && trial < first->first)))
                    first.emplace(trial, at);
            if (!first || first->second.before >= top) continue;
            const TrialId trial = first->first;
            TrialState& st = state(trial);
            const DecisionReason why = reason(DecisionReason::Rule::promoted, static_cast<int>(b),
                                              rung, st.paused_metric, first->second, top);
            rung.promotable.erase(trial);
            ++rung.promoted;
            st.milestone = milestone_after(bracket, k);
            st.next_rung = k + 1;
            Suggestion s;
            s.kind = Suggestion::Kind::resume;
            s.trial_id = trial;
            s.milestone = st.milestone;
            s.bracket = static_cast<int>(b);
            s.why = why;
            return s;
        }
    }
    return std::nullopt;
}

std::optional<Suggestion> MoAshaScheduler::suggest(TrialId next_id, bool allow_new) {
    if (params_.variant == AshaVariant::promotion)
        if (auto promotion = promote()) return promotion;
    if (!allow_new) return std::nullopt;
    if (next_id != static_cast<TrialId>(trials_.size()))
        throw std::logic_error("MO-ASHA: trial ids must be dense, expected " +
                               std::to_string(trials_.size()));
    Suggestion s;
    s.trial_id = next_id;
    s.bracket = draw_bracket(bracket_share_, rng_);
    s.config = searcher_->suggest(next_id);
    const Bracket& bracket = brackets_[static_cast<std::size_t>(s.bracket)];
    const bool pauses = params_.variant == AshaVariant::promotion && !bracket.rungs.empty();
    s.milestone = pauses ? bracket.rungs.front().level : params_.max_t;
    trials_.push_back(TrialState{s.bracket, 0, s.milestone, -1, 0});
    return s;
}

Verdict MoAshaScheduler::on_report(TrialId trial, double resource, double metric) {
    return on_observation(trial, resource, Observation{{metric}, 0});
}

Verdict MoAshaScheduler::on_observation(TrialId trial, double resource, const Observation& seen) {
    using Rule = DecisionReason::Rule;
    const double metric = seen.metric();
    searcher_->on_observation(trial, resource, seen);
    TrialState& st = state(trial);
    Bracket& bracket = brackets_[static_cast<std::size_t>(st.bracket)];
    if (params_.variant == AshaVariant::promotion) {
        if (st.paused_rung >= 0) return {Decision::pause, std::nullopt};  // told already
        if (reached_level(resource, params_.max_t))
            return {Decision::proceed,
                    DecisionReason::unranked(Rule::max_t, st.bracket, params_.max_t, metric)};
        if (!reached_level(resource, st.milestone)) return {};
        const int k = highest_rung_reached(bracket, st.next_rung, resource);
        if (k < 0) return {};
        Rung& rung = bracket.rungs[static_cast<std::size_t>(k)];
        const PriorityRung::Place at = rung.results.insert(trial, seen);
        st.paused_rung = k;
        st.paused_metric = metric;
        st.next_rung = k + 1;
        const auto top = static_cast<std::size_t>(
            std::floor(static_cast<double>(rung.results.size()) / params_.eta));
        return {Decision::pause, reason(Rule::paused, st.bracket, rung, metric, at, top)};
    }
    const int k = highest_rung_reached(bracket, st.next_rung, resource);
    if (k < 0) return {};
    st.next_rung = k + 1;
    Rung& rung = bracket.rungs[static_cast<std::size_t>(k)];
    const PriorityRung::Place at = rung.results.insert(trial, seen);
    if (reached_level(resource, params_.max_t))  // complete: recorded, never stopped
        return {Decision::proceed,
                reason(Rule::max_t, st.bracket, rung, metric, at, rung.results.size())};
    const std::size_t top = stopping_top(rung, rung.results.size());
    return {at.before < top ? Decision::proceed : Decision::stop,
            reason(Rule::ranked, st.bracket, rung, metric, at, top)};
}

void MoAshaScheduler::on_leg_end(TrialId trial, LegEnd how) {
    searcher_->on_leg_end(trial, how);
    TrialState& st = state(trial);
    if (st.paused_rung < 0) return;
    if (how == LegEnd::reached_milestone)
        brackets_[static_cast<std::size_t>(st.bracket)]
            .rungs[static_cast<std::size_t>(st.paused_rung)]
            .promotable.insert(trial);
    st.paused_rung = -1;
}

std::vector<RungSummary> MoAshaScheduler::rungs() const {
    std::vector<RungSummary> out;
    for (std::size_t b = 0; b < brackets_.size(); ++b)
        for (const Rung& rung : brackets_[b].rungs) {
            RungSummary s;
            s.bracket = static_cast<int>(b);
            s.level = rung.level;
            s.recorded = rung.results.size();
            s.promoted = rung.promoted;
            s.cutoff = std::numeric_limits<double>::quiet_NaN();  // an order, not a value
            s.best = rung.results.best_first();
            out.push_back(s);
        }
    return out;
}

}  // namespace asha
