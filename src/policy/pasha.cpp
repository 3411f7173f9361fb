#include "policy/pasha.hpp"
#include "policy/stopping_rule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace asha {

std::optional<double> pasha_start_level(double grace_period, double eta, double max_t) {
    const auto levels = rung_levels(grace_period, eta, max_t);
    if (levels.size() < 2) return std::nullopt;
    return levels[1];
}

PashaScheduler::PashaScheduler(Params params, std::unique_ptr<Searcher> searcher, Rng& rng)
    : params_(params),
      searcher_(std::move(searcher)),
      rng_(rng),
      ladder_(params.grace_period, params.eta, params.max_t, 1, [] { return Record{}; }) {
    if (ladder_rungs().size() < 2)
        throw std::logic_error("PASHA needs at least two rung levels below max_t");
    compare_window();
}

int PashaScheduler::compared() const {
    return std::min(top_, static_cast<int>(ladder_rungs().size()) - 1);
}

double PashaScheduler::top_level() const {
    const auto& rungs = ladder_rungs();
    return top_ < static_cast<int>(rungs.size()) ? rungs[static_cast<std::size_t>(top_)].level
                                                 : params_.max_t;
}

void PashaScheduler::compare_window() {
    const auto& rungs = ladder_rungs();
    const auto k = static_cast<std::size_t>(compared());
    noise_.set_window(rungs[k - 1].level, rungs[k].level);
}

std::size_t PashaScheduler::promotion_top(const Ladder::Rung& rung) const {
    const std::size_t n = rung.record.values.size();
    if (n < 2) return 0;  // the reference's quantile is None: nothing is promoted yet
    return continue_rank(n, rung.level, rung.next_level) + 1;
}

std::optional<Suggestion> PashaScheduler::promote() {
    auto& rungs = ladder_rungs();
    // The rungs below the top, highest first (the reference's _effective_max_t).
    const int highest = std::min(top_, static_cast<int>(rungs.size())) - 1;
    for (int k = highest; k >= 0; --k) {
        Ladder::Rung& rung = rungs[static_cast<std::size_t>(k)];
        if (rung.record.promotable.empty()) continue;
        const auto best = rung.record.promotable.begin();
        const std::size_t top = promotion_top(rung);
        const std::size_t better = rung.record.values.count_less(std::get<0>(*best));
        if (better >= top) continue;
        const TrialId trial = std::get<2>(*best);
        const DecisionReason why = reason(DecisionReason::Rule::pasha_promoted, rung,
                                          ladder_.at(trial).paused_metric, better);
        rung.record.promotable.erase(best);
        return ladder_.promote(trial, k, why);
    }
    return std::nullopt;
}

std::optional<Suggestion> PashaScheduler::suggest(TrialId next_id, bool allow_new) {
    if (auto promotion = promote()) return promotion;
    if (!allow_new) return std::nullopt;
    Suggestion s = ladder_.start(next_id, rng_, true, *searcher_);
    paused_at_.emplace_back();
    return s;
}

DecisionReason PashaScheduler::record_at(TrialId trial, int k, double metric) {
    Ladder::Rung& rung = ladder_rungs()[static_cast<std::size_t>(k)];
    const double key = badness(metric, params_.maximize);
    const std::size_t better = rung.record.values.insert_and_count_less(key);
    const Place place{key, arrivals_++, trial};
    rung.record.order.insert(place);
    rung.record.badness_of[trial] = key;
    paused_at_[static_cast<std::size_t>(trial)] = place;
    Ladder::Position& st = ladder_.at(trial);
    st.paused_rung = k;
    st.paused_metric = metric;
    st.next_rung = k + 1;
    if (k == compared() || k == compared() - 1) ranking_changed_ = true;
    return reason(k >= top_ ? DecisionReason::Rule::pasha_top : DecisionReason::Rule::pasha_paused,
                  rung, metric, better);
}

DecisionReason PashaScheduler::reason(DecisionReason::Rule rule, const Ladder::Rung& rung,
                                      double metric, std::size_t better) const {
    DecisionReason why;
    why.rule = rule;
    why.level = rung.level;
    why.value = metric;
    why.better = better;
    why.of = rung.record.values.size();
    why.top = promotion_top(rung);
    if (why.of >= 2)  // the rung's q_k quantile, which the promotion test compares with
        why.cutoff =
            metric_of_badness(rung.record.values.quantile(rung.quantile), params_.maximize);
    return why;
}

Verdict PashaScheduler::on_report(TrialId trial, double resource, double metric) {
    searcher_->on_report(trial, resource, metric);
    Ladder::Position& st = ladder_.at(trial);
    Verdict verdict;
    if (st.paused_rung >= 0) {
        verdict.decision = Decision::pause;  // told already
    } else if (reached_level(resource, params_.max_t)) {
        verdict.why =
            DecisionReason::unranked(DecisionReason::Rule::max_t, 0, params_.max_t, metric);
    } else if (reached_level(resource, st.milestone)) {
        const int k = ladder_.highest_reached(st, resource);
        if (k >= 0) verdict = {Decision::pause, record_at(trial, k, metric), std::nullopt};
    }
    // Once the top is max_t nothing is compared any more: the noise is no longer needed.
    if (top_ >= static_cast<int>(ladder_rungs().size())) return verdict;
    noise_.record(trial, resource, metric);
    if (const auto e = noise_.epsilon(); e && *e != epsilon_) {
        epsilon_ = *e;
        ranking_changed_ = true;
    }
    if (ranking_changed_) {
        ranking_changed_ = false;
        verdict.raised = check_ranking();
    }
    return verdict;
}

std::optional<TopRaise> PashaScheduler::check_ranking() {
    auto& rungs = ladder_rungs();
    const int k = compared();
    const Record& upper = rungs[static_cast<std::size_t>(k)].record;
    const Record& lower = rungs[static_cast<std::size_t>(k - 1)].record;
    if (upper.order.empty() || lower.order.empty()) return std::nullopt;
    // The upper rung's trials best first, against their values at the lower rung sorted: the
    // trial at place i must lie in the group of values within epsilon of the i-th (the
    // reference's groups are the runs of sorted values within epsilon of each value).
    std::vector<double> below;
    below.reserve(upper.order.size());
    for (const Place& p : upper.order) below.push_back(lower.badness_of.at(std::get<2>(p)));
    std::vector<double> sorted = below;
    std::sort(sorted.begin(), sorted.end());
    const double eps = sorted.size() < 2 ? 0 : epsilon_;
    std::size_t i = 0;
    for (const Place& p : upper.order) {
        const double own = below[i], here = sorted[i];
        const bool in_group = own > here ? !(own > here + eps) : !(own < here - eps);
        if (!in_group) {
            TopRaise raise;
            raise.compared = rungs[static_cast<std::size_t>(k)].level;
            raise.trial = std::get<2>(p);
            raise.place = i;
            raise.epsilon = eps;
            ++top_;
            raise.level = top_level();
            compare_window();
            ranking_changed_ = true;
            return raise;
        }
        ++i;
    }
    return std::nullopt;
}

void PashaScheduler::on_leg_end(TrialId trial, LegEnd how) {
    searcher_->on_leg_end(trial, how);
    Ladder::Position& st = ladder_.at(trial);
    if (st.paused_rung < 0) return;
    if (how == LegEnd::reached_milestone)
        ladder_rungs()[static_cast<std::size_t>(st.paused_rung)].record.promotable.insert(
            paused_at_[static_cast<std::size_t>(trial)]);
    st.paused_rung = -1;
}

std::vector<RungSummary> PashaScheduler::rungs() const {
    return summarize_rungs(ladder_, params_.maximize);
}

}  // namespace asha
