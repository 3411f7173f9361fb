#pragma once
/// Searchers decide *what* to try next; schedulers decide *when to stop*.

#include "asha/config_space.hpp"
#include "asha/rng.hpp"

#include <memory>
#include <unordered_set>
#include <vector>

namespace asha {

class Searcher {
  public:
    virtual ~Searcher() = default;
    virtual Config next() = 0;
};

/// points_to_evaluate first, in order, then random configurations. A random configuration
/// equal to one already suggested is drawn again (up to 100 times), so small discrete spaces
/// are not re-evaluated; when the space is exhausted duplicates are allowed.
class RandomSearcher : public Searcher {
  public:
    RandomSearcher(ConfigSpace space, std::vector<Config> points_to_evaluate, Rng& rng);
    Config next() override;

  private:
    ConfigSpace space_;
    std::vector<Config> points_;
    std::size_t next_point_ = 0;
    Rng& rng_;
    std::unordered_set<std::string> seen_;
};

}  // namespace asha
