#include "policy/priority_rung.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace asha {

PriorityRung::PriorityRung(const Order& order) : order_(&order) {
    if (order.by_fronts()) fronts_ = make_layered_fronts(order.maximize.size());
}

Objectives PriorityRung::key(const Observation& seen) const {
    Objectives k(seen.values.size());
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = order_->maximize[i] ? -seen.values[i] : seen.values[i];  // the reference's * -1
    return k;
}

void PriorityRung::add_feasible(Entry& e, const Observation& seen, Place* place) {
    e.kind = Kind::feasible;
    e.index = feasible_++;
    feasible_entry_.push_back(entries_.size());
    const Objectives k = key(seen);
    if (e.index == 0 || k[0] < best_first_) best_first_ = k[0];
    if (fronts_) {
        const LayeredFronts::Placed placed = fronts_->add(k.data());
        if (place) {
            place->front = placed.front;
            place->before = placed.ahead + fronts_->net_position(e.index);
        }
    } else {
        e.scalar = k.size() == 1 ? k[0] : linear_scalarization(k, order_->weights);
        const std::size_t less = scalars_.insert_and_count_less(e.scalar);
        if (place) place->before = less;
    }
}

void PriorityRung::record(TrialId trial, const Observation& seen) {
    add(trial, seen, false);
}

PriorityRung::Place PriorityRung::insert(TrialId trial, const Observation& seen) {
    return add(trial, seen, true);
}

PriorityRung::Place PriorityRung::add(TrialId trial, const Observation& seen, bool with_place) {
    if (seen.values.size() != order_->maximize.size())
        throw std::logic_error("MO-ASHA: a result with " + std::to_string(seen.values.size()) +
                               " objectives, expected " + std::to_string(order_->maximize.size()));
    Entry e;
    e.trial = trial;
    const bool finite = std::all_of(seen.values.begin(), seen.values.end(),
                                    [](double v) { return std::isfinite(v); });
    e.violation = seen.violation;
    Place at;
    at.violation = seen.violation;
    if (!finite || !std::isfinite(seen.violation)) {
        e.kind = Kind::invalid;
        at.violation = std::numeric_limits<double>::infinity();
        e.violation = at.violation;
        at.before = feasible_ + violations_.size();
    } else if (seen.violation > 0) {
        e.kind = Kind::infeasible;
        at.before = feasible_ + violations_.insert_and_count_less(seen.violation);
    } else {
        add_feasible(e, seen, with_place ? &at : nullptr);
    }
    entry_of_[trial] = entries_.size();
    entries_.push_back(e);
    return at;
}

std::vector<std::size_t> first_in_order(const std::vector<const Observation*>& results,
                                        const PriorityRung::Order& order, std::size_t count) {
    std::vector<std::size_t> feasible, infeasible, invalid, chosen;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const Observation& r = *results[i];
        const bool finite = std::all_of(r.values.begin(), r.values.end(),
                                        [](double v) { return std::isfinite(v); });
        if (!finite || !std::isfinite(r.violation))
            invalid.push_back(i);
        else if (r.violation > 0)
            infeasible.push_back(i);
        else
            feasible.push_back(i);
    }
    const auto key = [&](std::size_t i) {
        Objectives k(results[i]->values.size());
        for (std::size_t j = 0; j < k.size(); ++j)
            k[j] = order.maximize[j] ? -results[i]->values[j] : results[i]->values[j];
        return k;
    };
    const auto take = [&](std::vector<std::size_t> ranked) {
        for (std::size_t i = 0; i < ranked.size() && chosen.size() < count; ++i)
            chosen.push_back(ranked[i]);
    };
    if (order.by_fronts()) {
        // Whole fronts while they fit; the front where the count ends, by its net.
        const std::unique_ptr<LayeredFronts> fronts = make_layered_fronts(order.maximize.size());
        std::vector<double> flat;
        for (std::size_t i : feasible) {
            const Objectives k = key(i);
            flat.insert(flat.end(), k.begin(), k.end());
        }
        fronts->add_all(flat.data(), feasible.size());
        for (std::uint32_t k = 1; k <= fronts->fronts() && chosen.size() < count; ++k) {
            const bool whole = chosen.size() + fronts->front(k).size() <= count;
            std::vector<std::size_t> ranked;
            for (std::uint32_t q : whole ? fronts->front(k) : fronts->net_order(k))
                ranked.push_back(feasible[q]);
            take(ranked);
        }
    } else {
        std::vector<double> scalar(results.size());
        for (std::size_t i : feasible) {
            const Objectives k = key(i);
            scalar[i] = k.size() == 1 ? k[0] : linear_scalarization(k, order.weights);
        }
        std::stable_sort(feasible.begin(), feasible.end(),
                         [&](std::size_t a, std::size_t b) { return scalar[a] < scalar[b]; });
        take(feasible);
    }
    std::stable_sort(infeasible.begin(), infeasible.end(), [&](std::size_t a, std::size_t b) {
        return results[a]->violation < results[b]->violation;
    });
    take(infeasible);
    take(invalid);
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}

void PriorityRung::set_waiting(TrialId trial, bool waiting) {
    Entry& e = entries_.at(entry_of_.at(trial));
    if (e.waiting == waiting) return;
    e.waiting = waiting;
    waiting_ = waiting ? waiting_ + 1 : waiting_ - 1;
    const auto update = [&](auto& set, auto key) {
        if (waiting)
            set.insert(key);
        else
            set.erase(key);
    };
    switch (e.kind) {
        case Kind::invalid:
            update(waiting_invalid_, trial);
            break;
        case Kind::infeasible:
            update(waiting_infeasible_, std::pair{e.violation, trial});
            break;
        case Kind::feasible:
            if (fronts_)
                fronts_->mark(e.index, waiting);
            else
                update(waiting_scalar_, std::pair{e.scalar, trial});
            break;
    }
}

std::optional<std::pair<TrialId, PriorityRung::Place>> PriorityRung::first_waiting() const {
    if (waiting_ == 0) return std::nullopt;
    Place at;
    // The feasible come first, then the infeasible by violation, then the invalid.
    if (fronts_) {
        if (const auto found = fronts_->first_marked()) {
            const Entry& e = entries_[feasible_entry_[found->point]];
            at.before = found->position;
            at.front = found->front;
            at.violation = e.violation;
            return std::pair{e.trial, at};
        }
    } else if (!waiting_scalar_.empty()) {
        const auto& [scalar, trial] = *waiting_scalar_.begin();
        at.before = scalars_.count_less(scalar);
        at.violation = entries_[entry_of_.at(trial)].violation;
        return std::pair{trial, at};
    }
    if (!waiting_infeasible_.empty()) {
        const auto& [violation, trial] = *waiting_infeasible_.begin();
        at.before = feasible_ + violations_.count_less(violation);
        at.violation = violation;
        return std::pair{trial, at};
    }
    at.before = feasible_ + violations_.size();
    at.violation = std::numeric_limits<double>::infinity();
    return std::pair{*waiting_invalid_.begin(), at};
}

double PriorityRung::best_first() const {
    if (feasible_ == 0) return std::numeric_limits<double>::quiet_NaN();
    return order_->maximize[0] ? -best_first_ : best_first_;
}

}  // namespace asha
