#include "policy/pairwise_fronts.hpp"

#include "policy/pareto_order.hpp"

#include <algorithm>

namespace asha {

bool PairwiseFronts::dominated_by_front(std::size_t f, const double* p) const {
    return std::any_of(fronts_[f].begin(), fronts_[f].end(),
                       [&](std::uint32_t q) { return dominates(point(q), p, dims()); });
}

void PairwiseFronts::exchange(std::size_t f, const std::vector<std::uint32_t>& arriving,
                              std::vector<std::uint32_t>& leaving) {
    std::vector<std::uint32_t>& s = fronts_[f];
    std::erase_if(s, [&](std::uint32_t q) {
        const bool dominated = std::any_of(arriving.begin(), arriving.end(), [&](std::uint32_t a) {
            return dominates(point(a), point(q), dims());
        });
        if (dominated) leaving.push_back(q);
        return dominated;
    });
    s.insert(s.end(), arriving.begin(), arriving.end());
}

std::vector<std::uint32_t> PairwiseFronts::walk_net(std::uint32_t k, const Stop& stop) const {
    // The net breaks ties by index: its members in index order.
    std::vector<std::size_t> members(front(k).begin(), front(k).end());
    std::sort(members.begin(), members.end());
    const std::vector<std::size_t> order = epsilon_net_order(
        point(0), dims(), members, 0,
        [&](std::size_t at) { return stop(static_cast<std::uint32_t>(members[at])); });
    std::vector<std::uint32_t> walked;
    walked.reserve(order.size());
    for (std::size_t at : order) walked.push_back(static_cast<std::uint32_t>(members[at]));
    return walked;
}

}  // namespace asha
