#pragma once
/// The tree-structured Parzen estimator, as Optuna's TPESampler (univariate, its defaults),
/// made multi-fidelity as Optuna's HyperbandPruner makes it: trials are ranked by how far they
/// got (the highest budget observed), then by their value there; failed trials rank last. The
/// best min(ceil(0.1 n), 25) are "below", the others "above"; each coordinate gets a Parzen
/// estimator for each group (truncated normals at the observations with Optuna's bandwidths and
/// a prior over the whole domain; weighted category counts for choices, older trials weighing
/// less past 25), and the candidate among n_ei_candidates drawn from "below" that maximises
/// log l(x) - log g(x) is suggested. Random until n_startup_trials trials have results. With
/// many workers, trials still running without a result count as "above" (a constant liar, as
/// Optuna's constant_liar), so that parallel suggestions spread out. Each group keeps at most
/// max_points trials, evenly spaced. Pure code.

#include "asha/experiment.hpp"
#include "policy/model_searcher.hpp"

namespace asha {

class TpeSearcher : public ModelSearcher {
  public:
    TpeSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate,
                std::vector<double> budgets, bool maximize, const SearcherSpec& options, Rng& rng);

  protected:
    std::optional<std::vector<double>> propose() override;

  private:
    /// One coordinate's density for one group.
    struct Parzen {
        std::vector<double> weights, mus, sigmas, log_coefficients;  // numeric
        std::vector<double> log_probabilities;                       // categorical
        double sample(TpeSearcher& searcher) const;
        double log_pdf(double x) const;
    };
    /// rank_by(): splits the trials (level, index) into the n_below best and the others.
    void split_by_order(std::vector<std::pair<int, std::size_t>> by_level, std::size_t n_below,
                        std::vector<std::size_t>& below, std::vector<std::size_t>& above) const;
    Parzen fit(std::size_t coordinate, const std::vector<const TrialInfo*>& group,
               const std::vector<double>& weights) const;

    SearcherSpec options_;
};

}  // namespace asha
