#include "asha/searcher.hpp"

#include "policy/recorded_space.hpp"

namespace asha {

RandomSearcher::RandomSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate, Rng& rng)
    : space_(std::move(space)), points_(std::move(points_to_evaluate)), rng_(rng) {}

RandomSearcher::~RandomSearcher() = default;

void RandomSearcher::restrict_to(std::unique_ptr<RecordedSpace> recorded) {
    recorded_ = std::move(recorded);
}

void RandomSearcher::on_report(TrialId trial, double, double) {
    if (recorded_) recorded_->on_report(trial);
}

void RandomSearcher::on_leg_end(TrialId trial, LegEnd) {
    if (recorded_) recorded_->on_leg_end(trial);
}

Config RandomSearcher::suggest(TrialId trial) {
    if (next_point_ < points_.size()) {
        Config point = points_[next_point_++];
        if (recorded_) return recorded_->nearest(trial, point);
        seen_.insert(point.dump());
        return point;
    }
    if (recorded_) return recorded_->draw(trial, rng_);
    Config config = space_.sample(rng_);
    for (int attempt = 0; attempt < 100 && !seen_.insert(config.dump()).second; ++attempt)
        config = space_.sample(rng_);
    return config;
}

}  // namespace asha
