#pragma once
/// BOHB's searcher (Falkner et al. 2018; HpBandSter's rules): a good and a bad kernel density
/// over the configurations observed at the highest budget that has enough of them, and the
/// candidate that maximises good/bad among `num_samples` drawn around good points.
///   - fit at a budget once it has n >= 2 (d + 1) observations (d: the hyperparameters that are
///     not constant): the best max(d + 1, top_fraction n) are good, the next max(d + 1,
///     (1 - top_fraction) n) bad; failed and diverged trials are the worst;
///   - product kernels: Gaussian on numeric coordinates (log domains in log space, integers and
///     grids on their cells), Aitchison-Aitken on choices; bandwidths by the normal reference
///     rule (1.06 sigma n^(-1/(4+d))), at least min_bandwidth;
///   - a candidate: a random good point, each numeric coordinate drawn from a normal truncated to
///     the domain with bandwidth_factor x its bandwidth, each choice kept with probability
///     1 - its bandwidth, else drawn uniformly;
///   - random_fraction of the suggestions are random;
///   - with many workers, no candidate within a bandwidth of a trial still running without a
///     value at the model's budget is suggested (random when none is left), so that parallel
///     suggestions spread out;
///   - each density keeps at most max_points points, evenly spaced by rank, so that a suggestion
///     costs the same with 1,000 or 100,000 observations.
/// Pure code.

#include "asha/experiment.hpp"
#include "policy/model_searcher.hpp"

namespace asha {

class KdeSearcher : public ModelSearcher {
  public:
    KdeSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate,
                std::vector<double> budgets, bool maximize, const SearcherSpec& options, Rng& rng);

  protected:
    std::optional<std::vector<double>> propose() override;

  private:
    struct Density {
        std::vector<std::vector<double>> points;
        std::vector<double> bandwidth;            // per coordinate
        double log_constant = 0;                  // the log kernel's part that no point changes
        std::vector<double> log_same, log_other;  // per choice: the point's is x's, or not
        double log_pdf(const std::vector<double>& x, const SpaceEncoding& encoding) const;
    };
    Density fit(std::vector<std::vector<double>> points) const;

    SearcherSpec options_;
};

}  // namespace asha
