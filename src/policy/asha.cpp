#include "policy/asha.hpp"
#include "policy/stopping_rule.hpp"

#include <cmath>
#include <stdexcept>

namespace asha {

AshaScheduler::AshaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng)
    : params_(params), searcher_(std::move(searcher)), rng_(rng) {
    const auto levels0 = rung_levels(params_.grace_period, params_.eta, params_.max_t);
    // The reference's q_k = r_k / r_{k+1} of the full ladder; bracket b keeps rungs b, b+1, ...
    // with the same quantiles (Syne Tune's rung_levels[b:], promote_quantiles[b:]).
    const auto quantiles0 = rung_quantiles(levels0, params_.max_t);
    for (int b = 0; b < params_.brackets; ++b) {
        Bracket bracket;
        for (std::size_t k = static_cast<std::size_t>(b); k < levels0.size(); ++k) {
            bracket.rungs.emplace_back();
            bracket.rungs.back().level = levels0[k];
            bracket.rungs.back().quantile = quantiles0[k];
            bracket.rungs.back().next_level =
                k + 1 < levels0.size() ? levels0[k + 1] : params_.max_t;
        }
        brackets_.push_back(std::move(bracket));
    }
    bracket_probability_ = hyperband_bracket_shares(levels0.size(), params_.brackets, params_.eta);
}

AshaScheduler::TrialState& AshaScheduler::state(TrialId trial) {
    if (trial < 0 || static_cast<std::size_t>(trial) >= trials_.size())
        throw std::logic_error("ASHA: unknown trial " + std::to_string(trial));
    return trials_[static_cast<std::size_t>(trial)];
}

double AshaScheduler::milestone_after(const Bracket& bracket, int rung) const {
    auto next = static_cast<std::size_t>(rung + 1);
    return next < bracket.rungs.size() ? bracket.rungs[next].level : params_.max_t;
}

std::optional<Suggestion> AshaScheduler::promote() {
    for (std::size_t b = 0; b < brackets_.size(); ++b) {
        Bracket& bracket = brackets_[b];
        for (int k = static_cast<int>(bracket.rungs.size()) - 1; k >= 0; --k) {
            Rung& rung = bracket.rungs[static_cast<std::size_t>(k)];
            if (rung.promotable.empty()) continue;
            auto best = rung.promotable.begin();
            auto top = static_cast<std::size_t>(
                std::floor(static_cast<double>(rung.values.size()) / params_.eta));
            if (rung.values.count_less(best->first) >= top) continue;
            TrialId trial = best->second;
            TrialState& st = state(trial);
            const DecisionReason why =
                reason(DecisionReason::Rule::promoted, static_cast<int>(b), rung, st.paused_metric,
                       rung.values.count_less(best->first), top);
            rung.promotable.erase(best);
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

std::optional<Suggestion> AshaScheduler::suggest(TrialId next_id, bool allow_new) {
    if (params_.variant == AshaVariant::promotion)
        if (auto promotion = promote()) return promotion;
    if (!allow_new) return std::nullopt;
    if (next_id != static_cast<TrialId>(trials_.size()))
        throw std::logic_error("ASHA: trial ids must be dense, expected " +
                               std::to_string(trials_.size()));
    Suggestion s;
    s.trial_id = next_id;
    s.bracket = draw_bracket(bracket_probability_, rng_);
    s.config = searcher_->suggest(next_id);
    const Bracket& bracket = brackets_[static_cast<std::size_t>(s.bracket)];
    bool pauses = params_.variant == AshaVariant::promotion && !bracket.rungs.empty();
    s.milestone = pauses ? bracket.rungs.front().level : params_.max_t;
    trials_.push_back(TrialState{s.bracket, 0, s.milestone, -1, 0});
    return s;
}

int AshaScheduler::highest_rung_reached(const Bracket& bracket, int from, double resource) const {
    int found = -1;
    for (int k = from; k < static_cast<int>(bracket.rungs.size()); ++k) {
        if (!reached_level(resource, bracket.rungs[static_cast<std::size_t>(k)].level)) break;
        found = k;
    }
    return found;
}

DecisionReason AshaScheduler::reason(DecisionReason::Rule rule, int b, const Rung& rung,
                                     double metric, std::size_t better, std::size_t top) const {
    DecisionReason why;
    why.rule = rule;
    why.bracket = b;
    why.level = rung.level;
    why.value = metric;
    why.better = better;
    why.of = rung.values.size();
    why.top = top;
    switch (rule) {
        case DecisionReason::Rule::quantile:
            why.cutoff = metric_of_badness(rung.values.quantile(rung.quantile), params_.maximize);
            break;
        case DecisionReason::Rule::paused:
        case DecisionReason::Rule::promoted:
            if (top > 0)  // else the top is empty: no cutoff (NaN)
                why.cutoff = metric_of_badness(rung.values.select(top - 1), params_.maximize);
            break;
        default:
            break;
    }
    return why;
}

Verdict AshaScheduler::on_report(TrialId trial, double resource, double metric) {
    using Rule = DecisionReason::Rule;
    searcher_->on_report(trial, resource, metric);
    TrialState& st = state(trial);
    Bracket& bracket = brackets_[static_cast<std::size_t>(st.bracket)];
    const double key = badness(metric, params_.maximize);
    if (params_.variant == AshaVariant::promotion) {
        if (st.paused_rung >= 0) return {Decision::pause, std::nullopt};  // told already
        if (reached_level(resource, params_.max_t))
            return {Decision::proceed,
                    DecisionReason::unranked(Rule::max_t, st.bracket, params_.max_t, metric)};
        if (!reached_level(resource, st.milestone)) return {};
        int k = highest_rung_reached(bracket, st.next_rung, resource);
        if (k < 0) return {};
        Rung& rung = bracket.rungs[static_cast<std::size_t>(k)];
        const std::size_t better = rung.values.insert_and_count_less(key);
        st.paused_rung = k;
        st.paused_badness = key;
        st.paused_metric = metric;
        st.next_rung = k + 1;
        const auto top = static_cast<std::size_t>(
            std::floor(static_cast<double>(rung.values.size()) / params_.eta));
        return {Decision::pause, reason(Rule::paused, st.bracket, rung, metric, better, top)};
    }
    int k = highest_rung_reached(bracket, st.next_rung, resource);
    if (k < 0) return {};
    st.next_rung = k + 1;
    Rung& rung = bracket.rungs[static_cast<std::size_t>(k)];
    const std::size_t better = rung.values.insert_and_count_less(key);
    if (reached_level(resource, params_.max_t))  // complete: recorded, never stopped
        return {Decision::proceed,
                reason(Rule::max_t, st.bracket, rung, metric, better, rung.values.size())};
    // Continue iff the value is at least as good as the rung's q_k quantile of the recorded
    // values (itself included): a rank test (stopping_rule.hpp).
    const std::size_t top = continue_rank(rung.values.size(), rung.level, rung.next_level) + 1;
    return {better < top ? Decision::proceed : Decision::stop,
            reason(Rule::quantile, st.bracket, rung, metric, better, top)};
}

void AshaScheduler::on_leg_end(TrialId trial, LegEnd how) {
    searcher_->on_leg_end(trial, how);
    TrialState& st = state(trial);
    if (st.paused_rung < 0) return;
    if (how == LegEnd::reached_milestone) {
        Rung& rung = brackets_[static_cast<std::size_t>(st.bracket)]
                         .rungs[static_cast<std::size_t>(st.paused_rung)];
        rung.promotable.emplace(st.paused_badness, trial);
    }
    st.paused_rung = -1;
}

std::vector<RungSummary> AshaScheduler::rungs() const {
    std::vector<RungSummary> out;
    for (std::size_t b = 0; b < brackets_.size(); ++b) {
        for (const Rung& rung : brackets_[b].rungs) {
            RungSummary s;
            s.bracket = static_cast<int>(b);
            s.level = rung.level;
            s.recorded = rung.values.size();
            s.promoted = rung.promoted;
            double cutoff = rung.values.quantile(rung.quantile);
            s.cutoff = params_.maximize ? -cutoff : cutoff;
            s.best = metric_of_badness(rung.values.empty() ? INFINITY : rung.values.select(0),
                                       params_.maximize);
            out.push_back(s);
        }
    }
    return out;
}

}  // namespace asha
