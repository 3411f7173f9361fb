#include "policy/fifo.hpp"

namespace asha {

std::optional<Suggestion> FifoScheduler::suggest(TrialId next_id, bool allow_new) {
    if (!allow_new) return std::nullopt;
    Suggestion s;
    s.trial_id = next_id;
    s.config = searcher_->suggest(next_id);
    s.milestone = max_t_;
    return s;
}

}  // namespace asha
