#include "policy/fifo.hpp"

#include <cmath>

namespace asha {

std::optional<Suggestion> FifoScheduler::suggest(TrialId next_id, bool allow_new) {
    if (!allow_new) return std::nullopt;
    Suggestion s;
    s.trial_id = next_id;
    s.config = searcher_->suggest(next_id);
    s.milestone = max_t_;
    return s;
}

Verdict FifoScheduler::on_report(TrialId trial, double resource, double metric) {
    searcher_->on_report(trial, resource, metric);
    if (!reached_level(resource, max_t_)) return {};
    return {Decision::proceed,
            DecisionReason::unranked(DecisionReason::Rule::max_t, 0, max_t_, metric)};
}

}  // namespace asha
