#pragma once
/// The dashboard's list of runs: for each served run what `status --json` says of it (state,
/// best, trials by status, utilisation) and when it started. A run is read again only when
/// the files `status` reads changed (trials.csv is rewritten at most once a second, summary.json
/// once), so an open list costs nothing while nothing changes.

#include "asha/config_space.hpp"
#include "serve/run_catalog.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace asha {

class RunsOverview {
  public:
    /// Every run of the catalog, by name; a run that cannot be read has "error" (its message).
    json all(const RunCatalog& catalog);
    /// One run's entry.
    json of(const ServedRun& run);

  private:
    struct Cached {
        std::string key;
        json entry;
    };
    std::mutex mutex_;
    std::map<std::string, Cached> cache_;  // by name
};

}  // namespace asha
