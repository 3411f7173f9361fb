#include "policy/asha.hpp"
#include "policy/fifo.hpp"
#include "policy/sync_sh.hpp"

namespace asha {

std::unique_ptr<Scheduler> make_scheduler(const ExperimentConfig& c, Rng& rng) {
    auto searcher = std::make_unique<RandomSearcher>(c.config_space, c.points_to_evaluate, rng);
    const bool maximize = c.mode == Mode::max;
    switch (c.scheduler.type) {
        case SchedulerType::fifo:
            return std::make_unique<FifoScheduler>(c.max_t, std::move(searcher));
        case SchedulerType::asha: {
            AshaScheduler::Params p{c.scheduler.variant,          c.scheduler.grace_period,
                                    c.scheduler.reduction_factor, c.max_t,
                                    c.scheduler.brackets,         maximize};
            return std::make_unique<AshaScheduler>(p, std::move(searcher), rng);
        }
        case SchedulerType::sync_sh: {
            SyncShScheduler::Params p{
                c.scheduler.grace_period, c.scheduler.reduction_factor, c.max_t,
                c.scheduler.brackets,     c.scheduler.rounds_in_flight, maximize};
            return std::make_unique<SyncShScheduler>(p, std::move(searcher));
        }
    }
    return nullptr;
}

}  // namespace asha
