#include "policy/mo_asha.hpp"
#include "policy/stopping_rule.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace asha {

namespace {

MoAshaScheduler::Params with_default_weights(MoAshaScheduler::Params params) {
    if (params.order.weights.empty())
        params.order.weights.assign(params.order.maximize.size(), 1.0);  // Syne Tune's default
    return params;
}

}  // namespace

MoAshaScheduler::MoAshaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng)
    : params_(with_default_weights(std::move(params))),
      searcher_(std::move(searcher)),
      rng_(rng),
      ladder_(params_.grace_period, params_.eta, params_.max_t, params_.brackets,
              [this] { return Record{PriorityRung(params_.order)}; }) {}

std::size_t MoAshaScheduler::stopping_top(const Ladder::Rung& rung, std::size_t n) const {
    if (params_.order.maximize.size() > 1) return moasha_continue_count(n, params_.eta);
    return continue_rank(n, rung.level, rung.next_level) + 1;
}

DecisionReason MoAshaScheduler::reason(DecisionReason::Rule rule, int bracket,
                                       const Ladder::Rung& rung, double metric,
                                       const PriorityRung::Place& at, std::size_t top) const {
    DecisionReason why;
    why.rule = rule;
    why.bracket = bracket;
    why.level = rung.level;
    why.value = metric;
    why.better = at.before;
    why.of = rung.record.results.size();
    why.top = top;
    why.front = at.front;
    why.violation = at.violation;
    return why;
}

std::optional<Suggestion> MoAshaScheduler::promote() {
    for (int b = 0; b < static_cast<int>(ladder_.brackets()); ++b) {
        auto& rungs = ladder_.rungs(b);
        for (int k = static_cast<int>(rungs.size()) - 1; k >= 0; --k) {
            Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
            PriorityRung& results = rung.record.results;
            if (!results.any_waiting()) continue;
            const auto top = static_cast<std::size_t>(
                std::floor(static_cast<double>(results.size()) / params_.eta));
            if (top == 0) continue;
            // The first waiting trial in the rung's order (ties: the lower id).
            const auto first = results.first_waiting();
            if (first->second.before >= top) continue;
            const TrialId trial = first->first;
            const DecisionReason why = reason(DecisionReason::Rule::promoted, b, rung,
                                              ladder_.at(trial).paused_metric, first->second, top);
            results.set_waiting(trial, false);
            return ladder_.promote(trial, k, why);
        }
    }
    return std::nullopt;
}

std::optional<Suggestion> MoAshaScheduler::suggest(TrialId next_id, bool allow_new) {
    if (params_.variant == AshaVariant::promotion)
        if (auto promotion = promote()) return promotion;
    if (!allow_new) return std::nullopt;
    return ladder_.start(next_id, rng_, params_.variant == AshaVariant::promotion, *searcher_);
}

Verdict MoAshaScheduler::on_report(TrialId trial, double resource, double metric) {
    return on_observation(trial, resource, Observation{{metric}, 0});
}

Verdict MoAshaScheduler::on_observation(TrialId trial, double resource, const Observation& seen) {
    using Rule = DecisionReason::Rule;
    const double metric = seen.metric();
    searcher_->on_observation(trial, resource, seen);
    Ladder::Position& st = ladder_.at(trial);
    auto& rungs = ladder_.rungs(st.bracket);
    if (params_.variant == AshaVariant::promotion) {
        if (st.paused_rung >= 0) return {Decision::pause, std::nullopt};  // told already
        if (reached_level(resource, params_.max_t))
            return {Decision::proceed,
                    DecisionReason::unranked(Rule::max_t, st.bracket, params_.max_t, metric)};
        if (!reached_level(resource, st.milestone)) return {};
        const int k = ladder_.highest_reached(st, resource);
        if (k < 0) return {};
        Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
        const PriorityRung::Place at = rung.record.results.insert(trial, seen);
        st.paused_rung = k;
        st.paused_metric = metric;
        st.next_rung = k + 1;
        const auto top = static_cast<std::size_t>(
            std::floor(static_cast<double>(rung.record.results.size()) / params_.eta));
        return {Decision::pause, reason(Rule::paused, st.bracket, rung, metric, at, top)};
    }
    const int k = ladder_.highest_reached(st, resource);
    if (k < 0) return {};
    st.next_rung = k + 1;
    Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
    const PriorityRung::Place at = rung.record.results.insert(trial, seen);
    if (reached_level(resource, params_.max_t))  // complete: recorded, never stopped
        return {Decision::proceed,
                reason(Rule::max_t, st.bracket, rung, metric, at, rung.record.results.size())};
    const std::size_t top = stopping_top(rung, rung.record.results.size());
    return {at.before < top ? Decision::proceed : Decision::stop,
            reason(Rule::ranked, st.bracket, rung, metric, at, top)};
}

void MoAshaScheduler::on_leg_end(TrialId trial, LegEnd how) {
    searcher_->on_leg_end(trial, how);
    Ladder::Position& st = ladder_.at(trial);
    if (st.paused_rung < 0) return;
    if (how == LegEnd::reached_milestone)
        ladder_.rungs(st.bracket)[static_cast<std::size_t>(st.paused_rung)]
            .record.results.set_waiting(trial, true);
    st.paused_rung = -1;
}

std::vector<RungSummary> MoAshaScheduler::rungs() const {
    std::vector<RungSummary> out;
    for (int b = 0; b < static_cast<int>(ladder_.brackets()); ++b)
        for (const Ladder::Rung& rung : ladder_.rungs(b)) {
            RungSummary s;
            s.bracket = b;
            s.level = rung.level;
            s.recorded = rung.record.results.size();
            s.promoted = rung.promoted;
            s.cutoff = std::numeric_limits<double>::quiet_NaN();  // an order, not a value
            s.best = rung.record.results.best_first();
            out.push_back(s);
        }
    return out;
}

}  // namespace asha
