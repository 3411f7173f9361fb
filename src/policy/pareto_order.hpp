#pragma once
/// Orders results of several objectives: the multi-objective priorities that MO-ASHA (issue 22)
/// ranks a rung by. Every objective is minimised here; the caller negates one that is maximised,
/// and maps a non-finite or missing value to a finite worst before it comes here.
///
/// - the non-dominated order: front by front (a front: the points no remaining point dominates,
///   where a dominates b when a is no worse in every objective and better in one; equal points
///   share a front), and within a front by an epsilon-net (Clarkson 2005): the point smallest in
///   `seed_objective` first, then each time the point farthest (Euclidean) from those already
///   taken. This is the non-dominated sorting of Salinas et al. 2021 that Syne Tune's
///   `NonDominatedPriority` (its MOASHA's default) is meant to compute; ties go to the lower
///   index, as numpy's argmin and argmax do. The fronts are kept by policy/layered_fronts; the
///   net is here.
/// - linear_scalarization: the mean of the weighted objectives (Syne Tune's
///   `LinearScalarizationPriority`).
///
/// Syne Tune v0.13.0 does not compute what it means to (checked by running its code; see
/// docs/architecture.md, "Issue 22"): its `compute_epsilon_net` returns each point's rank, and
/// `nondominated_sort` uses those ranks as an order; and MOASHA takes the last entry of that
/// order divided by n as the rank of the new result. These functions compute the intended order.
///
/// Cost: an epsilon-net in O(m^2 d) for m points (every point keeps its distance to the nearest
/// point taken); policy/staircase_fronts walks a two-objective front's in O(m log m).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace asha {

/// One result: its value of each objective (all minimised).
using Objectives = std::vector<double>;

/// Whether `a` dominates `b`: no worse in every objective, better in at least one.
bool dominates(const Objectives& a, const Objectives& b);
bool dominates(const double* a, const double* b, std::size_t dims);

/// For each point, whether no other point dominates it.
std::vector<bool> pareto_efficient(const std::vector<Objectives>& points);

/// The indices of `points`, an epsilon-net order: first the point smallest in `seed_objective`,
/// then each time the one farthest from the points already taken.
std::vector<std::size_t> epsilon_net_order(const std::vector<Objectives>& points,
                                           std::size_t seed_objective);

/// The epsilon-net order of the points stored flat (point i at values + i dims) that `members`
/// names (positions in `members`), taken only until a member for which `stop` (given its
/// position in `members`) holds, if it is set.
std::vector<std::size_t> epsilon_net_order(const double* values, std::size_t dims,
                                           const std::vector<std::size_t>& members,
                                           std::size_t seed_objective,
                                           const std::function<bool(std::size_t)>& stop);

/// The Euclidean distance between two points of `dims` objectives, rounded as the reference's
/// np.linalg.norm rounds it (the square root of the sum of squares): two distances that the
/// square root makes equal are a tie there too. Every epsilon-net computes it this way.
double euclidean_distance(const double* a, const double* b, std::size_t dims);

/// The mean of the weighted objectives; `weights` has one weight per objective.
double linear_scalarization(const Objectives& point, const std::vector<double>& weights);

}  // namespace asha
