#pragma once
/// Orders results of several objectives: the multi-objective priorities that MO-ASHA (issue 22)
/// ranks a rung by. Every objective is minimised here; the caller negates one that is maximised,
/// and maps a non-finite or missing value to a finite worst before it comes here.
///
/// - nondominated_order: front by front (a front: the points no remaining point dominates, where
///   a dominates b when a is no worse in every objective and better in one; equal points share a
///   front), and within a front by an epsilon-net (Clarkson 2005): the point smallest in
///   `seed_objective` first, then each time the point farthest (Euclidean) from those already
///   taken. This is the non-dominated sorting of Salinas et al. 2021 that Syne Tune's
///   `NonDominatedPriority` (its MOASHA's default) is meant to compute; ties go to the lower
///   index, as numpy's argmin and argmax do.
/// - linear_scalarization: the mean of the weighted objectives (Syne Tune's
///   `LinearScalarizationPriority`).
///
/// Syne Tune v0.13.0 does not compute what it means to (checked by running its code; see
/// docs/architecture.md, "Issue 22"): its `compute_epsilon_net` returns each point's rank, and
/// `nondominated_sort` uses those ranks as an order; and MOASHA takes the last entry of that
/// order divided by n as the rank of the new result. These functions compute the intended order.
///
/// Cost: the fronts in O(n log n) for two objectives (a sweep in lexicographic order), O(n^2 d)
/// for more; each front's epsilon-net in O(m^2 d) for a front of m (every point keeps its
/// distance to the nearest point taken).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace asha {

/// One result: its value of each objective (all minimised).
using Objectives = std::vector<double>;

/// Points of d objectives stored flat (point i at values[i d .. i d + d)), with their
/// lexicographic order kept as points are added (a binary search, then a move of the indices
/// after it): what a rung keeps, so that its fronts are found by one sweep without a sort.
class PointSet {
  public:
    explicit PointSet(std::size_t dims);
    /// Adds `point` (dims() values) as point size().
    void add(const Objectives& point);
    std::size_t size() const { return dims_ ? values_.size() / dims_ : 0; }
    std::size_t dims() const { return dims_; }
    const double* operator[](std::size_t i) const { return values_.data() + i * dims_; }
    const double* data() const { return values_.data(); }
    /// The indices of the points in lexicographic order.
    const std::vector<std::uint32_t>& lex() const { return lex_; }

  private:
    std::size_t dims_;
    std::vector<double> values_;
    std::vector<std::uint32_t> lex_;
};

/// Whether `a` dominates `b`: no worse in every objective, better in at least one.
bool dominates(const Objectives& a, const Objectives& b);

/// For each point, whether no other point dominates it.
std::vector<bool> pareto_efficient(const std::vector<Objectives>& points);

/// The indices of `points`, an epsilon-net order: first the point smallest in `seed_objective`,
/// then each time the one farthest from the points already taken.
std::vector<std::size_t> epsilon_net_order(const std::vector<Objectives>& points,
                                           std::size_t seed_objective);

/// For each point, its front: 1 for the points nothing dominates, k + 1 for those that only
/// points of fronts 1..k dominate (equal points share a front).
std::vector<std::uint32_t> nondominated_fronts(const std::vector<Objectives>& points);
void nondominated_fronts(const PointSet& set, std::vector<std::uint32_t>& front);

/// Where `points[which]` is in nondominated_order, without ordering the other fronts: the points
/// of earlier fronts plus its place in its own front's epsilon-net; `front` gets its front.
std::size_t nondominated_position(const std::vector<Objectives>& points, std::size_t which,
                                  std::size_t seed_objective, std::uint32_t& front);
/// The same on a PointSet; `scratch` keeps the fronts (reused between calls).
std::size_t nondominated_position(const PointSet& set, std::size_t which,
                                  std::size_t seed_objective, std::uint32_t& front,
                                  std::vector<std::uint32_t>& scratch);

/// The indices of `points`, best first: front by front, each front in epsilon-net order.
std::vector<std::size_t> nondominated_order(const std::vector<Objectives>& points,
                                            std::size_t seed_objective = 0);

/// For each point, its position in nondominated_order (0: first).
std::vector<std::size_t> nondominated_positions(const std::vector<Objectives>& points,
                                                std::size_t seed_objective = 0);
std::vector<std::size_t> nondominated_positions(const PointSet& set, std::size_t seed_objective);

/// The epsilon-net order of the points of `set` that `members` names (positions in `members`).
std::vector<std::size_t> epsilon_net_order(const PointSet& set,
                                           const std::vector<std::size_t>& members,
                                           std::size_t seed_objective);
/// The same on points stored flat (point i at values + i dims), taken only until a member for
/// which `stop` (given its position in `members`) holds.
std::vector<std::size_t> epsilon_net_order(const double* values, std::size_t dims,
                                           const std::vector<std::size_t>& members,
                                           std::size_t seed_objective,
                                           const std::function<bool(std::size_t)>& stop);

/// The mean of the weighted objectives; `weights` has one weight per objective.
double linear_scalarization(const Objectives& point, const std::vector<double>& weights);

}  // namespace asha
