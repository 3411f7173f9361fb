#include "asha/searcher.hpp"

namespace asha {

RandomSearcher::RandomSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate, Rng& rng)
    : space_(std::move(space)), points_(std::move(points_to_evaluate)), rng_(rng) {}

Config RandomSearcher::suggest(TrialId) {
    if (next_point_ < points_.size()) {
        Config point = points_[next_point_++];
        seen_.insert(point.dump());
        return point;
    }
    Config config = space_.sample(rng_);
    for (int attempt = 0; attempt < 100 && !seen_.insert(config.dump()).second; ++attempt)
        config = space_.sample(rng_);
    return config;
}

}  // namespace asha
