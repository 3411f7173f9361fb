#pragma once
/// What the model-based searchers (BOHB's KDE, TPE) share: points_to_evaluate first, random
/// configurations until a model can be fit, and what every trial has shown so far. A trial's
/// observation at a budget (a rung level, or max_t) is the metric of its first report at or
/// past that level, as ASHA records it there; a failed trial counts as the worst value at the
/// budget it was heading for; NaN and ±inf rank worst (badness()). Pure code: randomness comes
/// from the Rng, so the same calls in the same order give the same suggestions.

#include "asha/searcher.hpp"
#include "policy/priority_rung.hpp"
#include "policy/recorded_space.hpp"
#include "policy/space_encoding.hpp"

#include <optional>
#include <unordered_set>
#include <vector>

namespace asha {

/// log(sqrt(2 pi)), for normal densities.
inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;
/// log(sum(exp(terms))), without overflow; -inf for no terms.
double log_sum_exp(const std::vector<double>& terms);

class ModelSearcher : public Searcher {
  public:
    /// `budgets`: the rung levels and max_t, ascending.
    ModelSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate,
                  std::vector<double> budgets, bool maximize, Rng& rng);

    Config suggest(TrialId trial) final;
    void on_report(TrialId trial, double resource, double metric) final;
    /// Several objectives or constraints: every objective and the violation are kept at each
    /// budget, and a searcher that can ranks by them (rank_by()).
    void on_observation(TrialId trial, double resource, const Observation& seen) final;
    /// A simulation on recorded curves: every suggestion becomes a recorded configuration (the
    /// nearest to a proposal), and the model learns at the configuration actually tried.
    void restrict_to(std::unique_ptr<RecordedSpace> recorded) { recorded_ = std::move(recorded); }
    /// Rank observations by `order` (MO-ASHA's rung order) instead of by the metric alone.
    void rank_by(PriorityRung::Order order) { order_ = std::move(order); }
    void on_leg_end(TrialId trial, LegEnd how) final;

  protected:
    struct TrialInfo {
        std::vector<double> x;   ///< the configuration, encoded
        std::vector<double> at;  ///< badness at each budget; NaN: not observed
        /// rank_by(): the whole observation at each budget (values empty: not observed)
        std::vector<Observation> seen_at;
        int reached = -1;     ///< the highest budget observed
        bool running = true;  ///< between a start (or report) and the end of its leg
        bool failed = false;  ///< its last leg failed
    };

    /// A configuration from the model, encoded; nullopt while none can be fit (then the
    /// suggestion is random).
    virtual std::optional<std::vector<double>> propose() = 0;

    const std::vector<TrialInfo>& trials() const { return trials_; }
    std::size_t budget_count() const { return budgets_.size(); }
    const SpaceEncoding& encoding() const { return encoding_; }
    /// The order of rank_by(), if any.
    const std::optional<PriorityRung::Order>& order() const { return order_; }
    Rng& rng() { return rng_; }

    /// A standard normal draw.
    double normal();
    /// A draw of N(mean, sd) truncated to [0, 1].
    double truncated_normal(double mean, double sd);

  private:
    TrialInfo& info(TrialId trial);
    Config random_config();

    ConfigSpace space_;
    SpaceEncoding encoding_;
    std::vector<Config> points_;
    std::size_t next_point_ = 0;
    std::vector<double> budgets_;
    bool maximize_;
    Rng& rng_;
    std::vector<TrialInfo> trials_;
    std::unordered_set<std::string> seen_;
    std::optional<PriorityRung::Order> order_;
    std::unique_ptr<RecordedSpace> recorded_;
};

}  // namespace asha
