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
/// Cost per insert: O(log n) for a scalar priority and for the infeasible. For non_dominated the
/// rung keeps its fronts up to date (policy/layered_fronts.hpp): a binary search for the new
/// result's front, and the walk down the fronts it pushes results out of; then its front's
/// epsilon-net up to it. On two objectives the fronts are staircases (policy/staircase_fronts:
/// binary searches, a net in O(m log m) for a front of m); on more, lists searched pairwise
/// (policy/pairwise_fronts: O(d m) per front visited, a net in O(d m^2)).

#include "asha/experiment.hpp"
#include "asha/trial.hpp"
#include "policy/layered_fronts.hpp"
#include "policy/order_statistics.hpp"
#include "policy/pareto_order.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
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

    explicit PriorityRung(const Order& order);
    PriorityRung(PriorityRung&&) = default;
    PriorityRung& operator=(PriorityRung&&) = default;

    /// Records `seen` for `trial` and returns its place among every result recorded here, its
    /// own included.
    Place insert(TrialId trial, const Observation& seen);
    /// Records without working out the place (a benchmark fills large rungs with it).
    void record(TrialId trial, const Observation& seen);
    std::size_t size() const { return entries_.size(); }
    /// The best first objective among the feasible results (NaN if none).
    double best_first() const;

    /// Promotion: whether `trial`, recorded here, waits to be promoted.
    void set_waiting(TrialId trial, bool waiting);
    bool any_waiting() const { return waiting_ > 0; }
    /// The waiting trial that comes first in the order (ties: the lower trial id), with its
    /// place. O(log n) for a scalar priority and the infeasible; by fronts O(log F) for its
    /// front, then that front's net up to it.
    std::optional<std::pair<TrialId, Place>> first_waiting() const;

  private:
    enum class Kind : std::uint8_t { feasible, infeasible, invalid };
    struct Entry {
        TrialId trial = 0;
        Kind kind = Kind::feasible;
        std::size_t index = 0;  ///< feasible: among the feasible, in arrival order
        double scalar = 0;      ///< feasible: the scalar priority (when not by fronts)
        double violation = 0;
        bool waiting = false;
    };

    Objectives key(const Observation& seen) const;  // every objective minimised
    /// insert() and record(): the place is worked out only if `with_place` (by fronts, the
    /// new result's front's net is walked only then).
    Place add(TrialId trial, const Observation& seen, bool with_place);
    /// Records a feasible result; its place only if `place` (by_fronts: the fronts decide).
    void add_feasible(Entry& e, const Observation& seen, Place* place);

    const Order* order_;
    std::vector<Entry> entries_;               // arrival order
    std::size_t feasible_ = 0;                 // feasible results
    std::unique_ptr<LayeredFronts> fronts_;    // their fronts, when they decide
    OrderStatistics scalars_;                  // feasible results' scalar priority (not by fronts)
    OrderStatistics violations_;               // infeasible results' violations
    std::vector<std::size_t> feasible_entry_;  // feasible index -> entries_ index
    std::unordered_map<TrialId, std::size_t> entry_of_;        // trial -> entries_ index
    std::size_t waiting_ = 0;                                  // entries waiting for a promotion
    std::set<std::pair<double, TrialId>> waiting_scalar_;      // feasible, not by fronts
    std::set<std::pair<double, TrialId>> waiting_infeasible_;  // by violation
    std::set<TrialId> waiting_invalid_;
    double best_first_ = 0;  // smallest minimised first objective among the feasible
};

/// Which `count` of `results` come first in `order`'s priority order (the rung's order above;
/// ties by index): their indices, ascending. Only the front where the count ends is ordered
/// within (an epsilon-net), so this costs the fronts plus one front's net.
std::vector<std::size_t> first_in_order(const std::vector<const Observation*>& results,
                                        const PriorityRung::Order& order, std::size_t count);

}  // namespace asha
