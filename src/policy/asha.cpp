#include "policy/asha.hpp"
#include "policy/stopping_rule.hpp"

#include <cmath>
#include <stdexcept>

namespace asha {

AshaScheduler::AshaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng)
    : params_(params),
      searcher_(std::move(searcher)),
      rng_(rng),
      // Bracket b keeps rungs b, b+1, ... with the same quantiles (Syne Tune's rung_levels[b:],
      // promote_quantiles[b:]).
      ladder_(params.grace_period, params.eta, params.max_t, params.brackets,
              [] { return Record{}; }) {}

std::optional<Suggestion> AshaScheduler::promote() {
    for (int b = 0; b < static_cast<int>(ladder_.brackets()); ++b) {
        auto& rungs = ladder_.rungs(b);
        for (int k = static_cast<int>(rungs.size()) - 1; k >= 0; --k) {
            Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
            if (rung.record.promotable.empty()) continue;
            const auto best = rung.record.promotable.begin();
            const auto top = static_cast<std::size_t>(
                std::floor(static_cast<double>(rung.record.values.size()) / params_.eta));
            const std::size_t better = rung.record.values.count_less(best->first);
            if (better >= top) continue;
            const TrialId trial = best->second;
            const DecisionReason why = reason(DecisionReason::Rule::promoted, b, rung,
                                              ladder_.at(trial).paused_metric, better, top);
            rung.record.promotable.erase(best);
            return ladder_.promote(trial, k, why);
        }
    }
    return std::nullopt;
}

std::optional<Suggestion> AshaScheduler::suggest(TrialId next_id, bool allow_new) {
    if (params_.variant == AshaVariant::promotion)
        if (auto promotion = promote()) return promotion;
    if (!allow_new) return std::nullopt;
    Suggestion s =
        ladder_.start(next_id, rng_, params_.variant == AshaVariant::promotion, *searcher_);
    paused_badness_.push_back(0);
    return s;
}

DecisionReason AshaScheduler::reason(DecisionReason::Rule rule, int b, const Ladder::Rung& rung,
                                     double metric, std::size_t better, std::size_t top) const {
    DecisionReason why;
    why.rule = rule;
    why.bracket = b;
    why.level = rung.level;
    why.value = metric;
    why.better = better;
    why.of = rung.record.values.size();
    why.top = top;
    switch (rule) {
        case DecisionReason::Rule::quantile:
            why.cutoff =
                metric_of_badness(rung.record.values.quantile(rung.quantile), params_.maximize);
            break;
        case DecisionReason::Rule::paused:
        case DecisionReason::Rule::promoted:
            if (top > 0)  // else the top is empty: no cutoff (NaN)
                why.cutoff =
                    metric_of_badness(rung.record.values.select(top - 1), params_.maximize);
            break;
        default:
            break;
    }
    return why;
}

Verdict AshaScheduler::on_report(TrialId trial, double resource, double metric) {
    using Rule = DecisionReason::Rule;
    searcher_->on_report(trial, resource, metric);
    Ladder::Position& st = ladder_.at(trial);
    auto& rungs = ladder_.rungs(st.bracket);
    const double key = badness(metric, params_.maximize);
    if (params_.variant == AshaVariant::promotion) {
        if (st.paused_rung >= 0) return {Decision::pause, std::nullopt};  // told already
        if (reached_level(resource, params_.max_t))
            return {Decision::proceed,
                    DecisionReason::unranked(Rule::max_t, st.bracket, params_.max_t, metric)};
        if (!reached_level(resource, st.milestone)) return {};
        const int k = ladder_.highest_reached(st, resource);
        if (k < 0) return {};
        Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
        const std::size_t better = rung.record.values.insert_and_count_less(key);
        st.paused_rung = k;
        st.paused_metric = metric;
        st.next_rung = k + 1;
        paused_badness_[static_cast<std::size_t>(trial)] = key;
        const auto top = static_cast<std::size_t>(
            std::floor(static_cast<double>(rung.record.values.size()) / params_.eta));
        return {Decision::pause, reason(Rule::paused, st.bracket, rung, metric, better, top)};
    }
    const int k = ladder_.highest_reached(st, resource);
    if (k < 0) return {};
    st.next_rung = k + 1;
    Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
    const std::size_t better = rung.record.values.insert_and_count_less(key);
    if (reached_level(resource, params_.max_t))  // complete: recorded, never stopped
        return {Decision::proceed,
                reason(Rule::max_t, st.bracket, rung, metric, better, rung.record.values.size())};
    // Continue iff the value is at least as good as the rung's q_k quantile of the recorded
    // values (itself included): a rank test (stopping_rule.hpp).
    const std::size_t top =
        continue_rank(rung.record.values.size(), rung.level, rung.next_level) + 1;
    return {better < top ? Decision::proceed : Decision::stop,
            reason(Rule::quantile, st.bracket, rung, metric, better, top)};
}

void AshaScheduler::on_leg_end(TrialId trial, LegEnd how) {
    searcher_->on_leg_end(trial, how);
    Ladder::Position& st = ladder_.at(trial);
    if (st.paused_rung < 0) return;
    if (how == LegEnd::reached_milestone)
        ladder_.rungs(st.bracket)[static_cast<std::size_t>(st.paused_rung)]
            .record.promotable.emplace(paused_badness_[static_cast<std::size_t>(trial)], trial);
    st.paused_rung = -1;
}

std::vector<RungSummary> AshaScheduler::rungs() const {
    return summarize_rungs(ladder_, params_.maximize);
}

}  // namespace asha
