#pragma once
/// LayeredFronts (policy/layered_fronts.hpp) for any number of objectives: a front is a list of
/// points, searched by pairwise dominance tests.
///
/// Cost of add(): O(d m log F) to find the new point's front (a binary search over the fronts,
/// each test a pass over one front of m points), plus O(d m r) for each front it pushes r points
/// down from (each of the m points there tested against the r arriving). Its front's net up to
/// the new point is O(d m k) (policy/pareto_order's epsilon-net, stopped once it is taken). Far
/// below a sort of the rung when the fronts are small against n; the price of a new point that
/// dominates most of the rung is a pass over most of it.

#include "policy/layered_fronts.hpp"

namespace asha {

class PairwiseFronts : public LayeredFronts {
  public:
    explicit PairwiseFronts(std::size_t dims) : LayeredFronts(dims) {}

  protected:
    bool dominated_by_front(std::size_t f, const double* p) const override;
    void exchange(std::size_t f, const std::vector<std::uint32_t>& arriving,
                  std::vector<std::uint32_t>& leaving) override;
    std::vector<std::uint32_t> walk_net(std::uint32_t k, const Stop& stop) const override;
};

}  // namespace asha
