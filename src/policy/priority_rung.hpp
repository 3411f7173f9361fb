#pragma once
/// One rung of MO-ASHA: the results recorded there, and where a new one stands in the rung's
/// priority order (README "Several objectives and constraints").
///
/// The order, best first: the feasible results with every objective finite, by the priority;
/// then the infeasible ones, by how far they are from feasible (ties: equal); then those with a
/// missing or non-finite objective or constrained value (all equal). The priority of the
/// feasible results:
/// - non_dominated (two or more objectives): front by front, each front in epsilon-net order
///   (policy/pareto_order.hpp), a strict order: `before` is the position in it;
/// - linear_scalarization, or a single objective: the (weighted mean) value; `before` counts the
///   results strictly better, as single-objective ASHA does.
///
/// Cost per insert: O(log n) for a scalar priority and for the infeasible; for non_dominated the
/// fronts of the rung's feasible results (O(n log n) for two objectives, O(n^2 d) for more) and
/// the epsilon-net of the new result's front (O(m^2 d) for a front of m).

#include "asha/experiment.hpp"
#include "asha/trial.hpp"
#include "policy/order_statistics.hpp"
#include "policy/pareto_order.hpp"

#include <cstdint>
#include <vector>

namespace asha {

class PriorityRung {
  public:
    /// How results are ordered; shared by every rung of a scheduler (it must outlive them).
    struct Order {
        std::vector<bool> maximize;  ///< per objective
        MoPriority priority = MoPriority::non_dominated;
        std::vector<double> weights;  ///< per objective
        /// Whether the fronts decide (two or more objectives, non_dominated).
        bool by_fronts() const {
            return maximize.size() > 1 && priority == MoPriority::non_dominated;
        }
    };
    /// Where a result stands: how many results the order puts before it (ties: none of them).
    struct Place {
        std::size_t before = 0;
        std::uint32_t front = 0;  ///< by_fronts(): its front (1: non-dominated); else 0
        double violation = 0;     ///< 0: feasible
    };

    explicit PriorityRung(const Order& order) : order_(&order), points_(order.maximize.size()) {}
    PriorityRung(PriorityRung&&) = default;
    PriorityRung& operator=(PriorityRung&&) = default;

    /// Records `seen` for `trial` and returns its place among every result recorded here, its
    /// own included.
    Place insert(TrialId trial, const Observation& seen);
    /// Records without working out the place: O(log n) plus a move of the order's indices (a
    /// benchmark fills large rungs with it).
    void record(TrialId trial, const Observation& seen);
    /// Every recorded result, in the order recorded: its trial and its place now (results
    /// recorded after it may have moved it). One computation of the order for all.
    std::vector<std::pair<TrialId, Place>> places() const;
    std::size_t size() const { return entries_.size(); }
    /// The best first objective among the feasible results (NaN if none).
    double best_first() const;

  private:
    enum class Kind : std::uint8_t { feasible, infeasible, invalid };
    struct Entry {
        TrialId trial = 0;
        Kind kind = Kind::feasible;
        std::size_t index = 0;  ///< feasible: into points_ / scalars; infeasible: violation
        double scalar = 0;      ///< feasible: the scalar priority (when not by fronts)
        double violation = 0;
    };

    Objectives key(const Observation& seen) const;  // every objective minimised

    const Order* order_;
    std::vector<Entry> entries_;         // arrival order
    PointSet points_;                    // feasible results, arrival order
    std::vector<std::uint32_t> fronts_;  // scratch: the fronts of points_
    OrderStatistics scalars_;            // feasible results' scalar priority (not by fronts)
    OrderStatistics violations_;         // infeasible results' violations
    std::size_t invalid_ = 0;
    double best_first_ = 0;  // smallest minimised first objective among points_
};

/// Which `count` of `results` come first in `order`'s priority order (the rung's order above;
/// ties by index): their indices, ascending. Only the front where the count ends is ordered
/// within (an epsilon-net), so this costs the fronts plus one front's net.
std::vector<std::size_t> first_in_order(const std::vector<const Observation*>& results,
                                        const PriorityRung::Order& order, std::size_t count);

}  // namespace asha
