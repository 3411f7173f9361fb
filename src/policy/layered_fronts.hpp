#pragma once
/// The non-dominated fronts of a growing set of points (every objective minimised), kept up to
/// date as each point arrives: what a rung of MO-ASHA keeps, so that a new result's place in
/// the non-dominated order (policy/pareto_order.hpp: front by front, each front an epsilon-net)
/// costs about the size of one front instead of a sort of the rung (issue 22).
///
/// The height of a point is its front: 1 + the longest chain of points dominating one another
/// that ends at it. Two facts make the fronts incremental, in any number of objectives:
/// 1. A point that some point of front j dominates is dominated by some point of every front
///    before j (the chain to that point passes them all). So a new point's front is the first
///    that holds no point dominating it: a binary search over the fronts.
/// 2. A new point raises a height by at most one (a chain through it, without it, is a chain of
///    the old points one shorter, by transitivity). A point moves from front j to j + 1 iff a
///    point that has just entered front j dominates it. So the new point enters its front, the
///    points there it dominates move one front down, the points of the next front those
///    dominate move again, and so on until no point moves.
///
/// This class does the walk and keeps the books (each point's front, the fronts' sizes, marked
/// points per front, in Fenwick trees); a subclass holds the geometry: how a front is searched
/// and ordered. StaircaseFronts (two objectives: binary searches in sorted fronts) and
/// PairwiseFronts (any number: pairwise tests).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace asha {

class LayeredFronts {
  public:
    /// Where a point stands once added.
    struct Placed {
        std::uint32_t front = 0;  ///< 1: not dominated by any point
        std::size_t ahead = 0;    ///< points in the fronts before it
    };
    /// A point found in the non-dominated order.
    struct Found {
        std::uint32_t point = 0;
        std::uint32_t front = 0;
        std::size_t position = 0;  ///< in the whole order (0: first)
    };

    explicit LayeredFronts(std::size_t dims) : dims_(dims) {}
    virtual ~LayeredFronts() = default;

    /// Adds `point` (dims() values) as point size() and returns where it stands.
    Placed add(const double* point);
    /// Adds n points (point i at values + i dims) as points size() .. size() + n - 1, placing
    /// them in lexicographic order, where none pushes another down: O(n log n log m) on two
    /// objectives whatever the shape (adding them one by one in a chain of fronts that each
    /// new point tops costs O(F) per point).
    void add_all(const double* values, std::size_t n);
    std::size_t size() const { return front_of_.size(); }
    std::size_t dims() const { return dims_; }
    const double* point(std::size_t i) const { return values_.data() + i * dims_; }
    /// The number of fronts.
    std::uint32_t fronts() const { return static_cast<std::uint32_t>(fronts_.size()); }
    /// The front of point i now (later points may have pushed it down).
    std::uint32_t front_of(std::size_t i) const { return front_of_[i]; }
    /// The points of front k (1-based), in the subclass's order.
    const std::vector<std::uint32_t>& front(std::uint32_t k) const { return fronts_[k - 1]; }

    /// The epsilon-net order of front k: the point smallest in the first objective first, then
    /// each time the one farthest (Euclidean) from those taken; every tie to the lower index.
    std::vector<std::uint32_t> net_order(std::uint32_t k) const;
    /// Where point i is in its front's net order (0: first); the net stops once it is taken.
    std::size_t net_position(std::size_t i) const;

    /// Marks point i (e.g. a result waiting for a promotion), or clears its mark.
    void mark(std::size_t i, bool on);
    /// The marked point first in the non-dominated order; nothing if none is marked. O(log F)
    /// to find its front, then that front's net up to it.
    std::optional<Found> first_marked() const;

  protected:
    using Stop = std::function<bool(std::uint32_t)>;
    /// Whether front f (0-based) holds a point that dominates `p`.
    virtual bool dominated_by_front(std::size_t f, const double* p) const = 0;
    /// Takes out of front f the points that a point of `arriving` dominates (into `leaving`)
    /// and puts `arriving` in.
    virtual void exchange(std::size_t f, const std::vector<std::uint32_t>& arriving,
                          std::vector<std::uint32_t>& leaving) = 0;
    /// Front k's net order, taken until a point for which `stop` holds (or all).
    virtual std::vector<std::uint32_t> walk_net(std::uint32_t k, const Stop& stop) const = 0;

    std::vector<std::vector<std::uint32_t>> fronts_;  // fronts_[k - 1]: front k

  private:
    std::uint32_t append(const double* point);  // stores it, in no front yet
    Placed place(std::uint32_t id);             // puts it in its front, pushing others down

    /// Sums over the fronts, by front, kept as fronts change size and new last ones open.
    class FrontSums {
      public:
        void push_back(std::size_t value);
        void add(std::size_t f, long delta);      // to front f (0-based)
        std::size_t before(std::size_t f) const;  // over fronts 0 .. f - 1
        std::size_t first_positive() const;       // the first front whose value is > 0
        std::size_t size() const { return tree_.size(); }

      private:
        std::vector<std::size_t> tree_;  // a Fenwick tree
    };

    std::size_t dims_;
    std::vector<double> values_;  // point i at [i dims, (i + 1) dims)
    std::vector<std::uint32_t> front_of_;
    std::vector<bool> marked_;
    FrontSums sizes_;  // points per front
    FrontSums marks_;  // marked points per front
};

/// Fronts for points of `dims` objectives: StaircaseFronts for two, PairwiseFronts otherwise.
std::unique_ptr<LayeredFronts> make_layered_fronts(std::size_t dims);

/// The first position in [lo, hi) where `holds` is false (it holds on a prefix of the range).
template <class Holds>
std::size_t end_of_prefix(std::size_t lo, std::size_t hi, Holds holds) {
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (holds(mid))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

}  // namespace asha
