#pragma once
/// LayeredFronts (policy/layered_fronts.hpp) for two objectives: each front is a staircase, its
/// points sorted by the first objective ascending, hence by the second descending (two points
/// of one front with the same first value are equal; equal points share a front and sit side by
/// side, by index). Two facts about staircases do the work (proofs in the .cpp):
/// 1. The points of a front that the arriving points dominate form one contiguous run of it,
///    and the arriving points (a run of the front above, or the new point) fit where it was. So
///    the test for a front dominating a point is one binary search, and an exchange is two
///    binary searches and a move of the run.
/// 2. Along a staircase the Euclidean distance from a point never shrinks as one walks away
///    from it, in either direction. The nearest point already taken by a front's epsilon-net is
///    therefore a neighbour in the staircase among those taken, and the next point to take is
///    the best of one candidate per gap between taken points (found by binary search): the net
///    of a front of m points up to its k-th point costs O(m + k log m), not O(m^2).
///
/// Cost of add(): O(log F log m) to find the front, plus O(log m + r) for each front it pushes a
/// run of r points down from: a few hundred fronts at 10^5 random points that trade off
/// (bench/scheduler_bench.cpp); at worst all F fronts, when objectives that agree make a long
/// chain of small fronts and each new point tops it (about 50 ns a front).

#include "policy/layered_fronts.hpp"

namespace asha {

class StaircaseFronts : public LayeredFronts {
  public:
    StaircaseFronts() : LayeredFronts(2) {}

  protected:
    bool dominated_by_front(std::size_t f, const double* p) const override;
    void exchange(std::size_t f, const std::vector<std::uint32_t>& arriving,
                  std::vector<std::uint32_t>& leaving) override;
    std::vector<std::uint32_t> walk_net(std::uint32_t k, const Stop& stop) const override;

  private:
    double x(std::uint32_t i) const { return point(i)[0]; }
    double y(std::uint32_t i) const { return point(i)[1]; }
};

}  // namespace asha
