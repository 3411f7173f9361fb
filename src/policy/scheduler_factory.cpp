#include "policy/asha.hpp"
#include "policy/fifo.hpp"
#include "policy/kde_searcher.hpp"
#include "policy/mo_asha.hpp"
#include "policy/observation.hpp"
#include "policy/pasha.hpp"
#include "policy/recorded_space.hpp"
#include "policy/stopping_rule.hpp"
#include "policy/sync_sh.hpp"
#include "policy/tpe_searcher.hpp"

namespace asha {

namespace {

/// MO-ASHA's rung order for the config's objectives and priority.
PriorityRung::Order rung_order(const ExperimentConfig& c) {
    PriorityRung::Order order;
    for (const Objective& o : c.objectives) order.maximize.push_back(o.mode == Mode::max);
    order.priority = c.scheduler.priority;
    order.weights = c.scheduler.weights;
    if (order.weights.empty()) order.weights.assign(c.objectives.size(), 1.0);  // Syne Tune's
    return order;
}

}  // namespace

std::unique_ptr<Searcher> make_searcher(const ExperimentConfig& c, Rng& rng,
                                        const RecordedCurves* recorded) {
    auto space = [&] {
        return recorded ? std::make_unique<RecordedSpace>(*recorded, c.config_space) : nullptr;
    };
    // The budgets at which trials are compared: the rung levels of the first bracket, and max_t.
    std::vector<double> budgets =
        rung_levels(c.scheduler.grace_period, c.scheduler.reduction_factor, c.max_t);
    if (c.max_t > 0) budgets.push_back(c.max_t);
    const bool maximize = c.mode == Mode::max;
    switch (c.searcher.type) {
        case SearcherSpec::Type::bohb: {
            auto kde = std::make_unique<KdeSearcher>(c.config_space, c.points_to_evaluate, budgets,
                                                     maximize, c.searcher, rng);
            if (recorded) kde->restrict_to(space());
            return kde;
        }
        case SearcherSpec::Type::tpe: {
            auto tpe = std::make_unique<TpeSearcher>(c.config_space, c.points_to_evaluate, budgets,
                                                     maximize, c.searcher, rng);
            if (needs_observations(c)) tpe->rank_by(rung_order(c));  // MO-TPE
            if (recorded) tpe->restrict_to(space());
            return tpe;
        }
        case SearcherSpec::Type::random:
            break;
    }
    auto random = std::make_unique<RandomSearcher>(c.config_space, c.points_to_evaluate, rng);
    if (recorded) random->restrict_to(space());
    return random;
}

std::unique_ptr<Scheduler> make_scheduler(const ExperimentConfig& c, Rng& rng,
                                          const RecordedCurves* recorded) {
    auto searcher = make_searcher(c, rng, recorded);
    const bool maximize = c.mode == Mode::max;
    switch (c.scheduler.type) {
        case SchedulerType::fifo:
            return std::make_unique<FifoScheduler>(c.max_t, std::move(searcher));
        case SchedulerType::asha: {
            if (needs_observations(c)) {
                MoAshaScheduler::Params p;
                p.variant = c.scheduler.variant;
                p.grace_period = c.scheduler.grace_period;
                p.eta = c.scheduler.reduction_factor;
                p.max_t = c.max_t;
                p.brackets = c.scheduler.brackets;
                p.order = rung_order(c);
                return std::make_unique<MoAshaScheduler>(std::move(p), std::move(searcher), rng);
            }
            AshaScheduler::Params p{c.scheduler.variant,          c.scheduler.grace_period,
                                    c.scheduler.reduction_factor, c.max_t,
                                    c.scheduler.brackets,         maximize};
            return std::make_unique<AshaScheduler>(p, std::move(searcher), rng);
        }
        case SchedulerType::pasha: {
            PashaScheduler::Params p{c.scheduler.grace_period, c.scheduler.reduction_factor,
                                     c.max_t, maximize};
            return std::make_unique<PashaScheduler>(p, std::move(searcher), rng);
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
