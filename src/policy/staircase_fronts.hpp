#pragma once
/// The non-dominated fronts of a growing set of points of two objectives (both minimised), kept
/// up to date as each point arrives: what a rung of MO-ASHA keeps so that a new result's place
/// in the non-dominated order (policy/pareto_order.hpp) costs about log n, not a sort of the
/// rung (issue 22).
///
/// Every front is a staircase: its points sorted by the first objective ascending, hence by the
/// second descending (two points of one front with the same first value are equal; equal points
/// share a front and sit side by side, by index). Three facts do the work (proofs in the .cpp):
/// 1. A point that some point of front j dominates is dominated by some point of every front
///    before j: a new point's front is found by a binary search over the fronts, each test one
///    binary search in a staircase.
/// 2. The points of a front that the arriving points dominate form one contiguous run of it, and
///    the arriving points (a run of the front above, or the new point) take its place as one
///    run. So a new point costs, for each front it pushes points down from, two binary searches
///    and a move of the run.
/// 3. Along a staircase the Euclidean distance from a point never shrinks as one walks away
///    from it, in either direction. The nearest point already taken by a front's epsilon-net is
///    therefore a neighbour in the staircase among those taken, and the next point to take is
///    the best of one candidate per gap between taken points (found by binary search): the net
///    of a front of f points costs O(f log f), not O(f^2).
///
/// Cost of add(): O(log F log f) to find the front, plus O(log f + r) for each front it pushes a
/// run of r points down from (a point pushes down at most the fronts after its own; on random
/// two-objective results a few hundred at 10^5 points: bench/scheduler_bench.cpp).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace asha {

class StaircaseFronts {
  public:
    /// Where a point stands once added.
    struct Placed {
        std::uint32_t front = 0;  ///< 1: not dominated by any point
        std::size_t ahead = 0;    ///< points in the fronts before it
    };

    /// Adds (x, y) as point size() and returns its front.
    Placed add(double x, double y);
    std::size_t size() const { return x_.size(); }
    /// The number of fronts.
    std::uint32_t fronts() const { return static_cast<std::uint32_t>(fronts_.size()); }
    /// The front of point i now (later points may have pushed it down).
    std::uint32_t front_of(std::size_t i) const { return front_of_[i]; }
    /// The points of front k (1-based), in staircase order.
    const std::vector<std::uint32_t>& front(std::uint32_t k) const { return fronts_[k - 1]; }

    /// The epsilon-net order of front k: the point smallest in the first objective first, then
    /// each time the one farthest (Euclidean) from those taken; every tie to the lower index
    /// (exactly policy/pareto_order's epsilon_net_order on the front's points by index).
    std::vector<std::uint32_t> net_order(std::uint32_t k) const;
    /// Where point i is in its front's net order (0: first); stops once it is taken.
    std::size_t net_position(std::size_t i) const;

    /// Marks point i (e.g. a result waiting for a promotion), or clears its mark.
    void mark(std::size_t i, bool on);
    /// The marked point first in the non-dominated order (front by front, each by its net) and
    /// its position in that order; nothing if no point is marked. O(log F) to find its front,
    /// then that front's net up to it.
    struct Found {
        std::uint32_t point = 0;
        std::uint32_t front = 0;
        std::size_t position = 0;
    };
    std::optional<Found> first_marked() const;

  private:
    /// Sums over the fronts, by front number, kept as fronts change size and the last grows.
    class FrontSums {
      public:
        void push_back(std::size_t value);
        void add(std::size_t f, long delta);      // to fronts_[f]
        std::size_t before(std::size_t f) const;  // over fronts_[0 .. f)
        std::size_t first_positive() const;       // the first f whose value is > 0
        std::size_t size() const { return tree_.size(); }

      private:
        std::vector<std::size_t> tree_;  // a Fenwick tree
    };

    /// Walks front k's net order, taking points until one for which `stop` holds (or all).
    std::vector<std::uint32_t> walk_net(std::uint32_t k,
                                        const std::function<bool(std::uint32_t)>& stop) const;
    bool dominated_by_front(std::size_t f, double x, double y) const;

    std::vector<double> x_, y_;
    std::vector<std::uint32_t> front_of_;
    std::vector<bool> marked_;
    std::vector<std::vector<std::uint32_t>> fronts_;  // fronts_[k - 1]: front k
    FrontSums sizes_;                                 // points per front
    FrontSums marks_;                                 // marked points per front
};

}  // namespace asha
