#pragma once
/// The vocabulary shared by schedulers, backends, the tuner and the run directory.

#include "asha/config_space.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asha {

using TrialId = std::int64_t;

/// Syne Tune's status names, as shown in tables and written to trials.csv; `Pending`: the leg
/// waits in a cluster's queue.
enum class TrialStatus { pending, in_progress, paused, stopped, completed, failed, timeout };
/// "Pending", "InProgress", "Paused", "Stopped", "Completed", "Failed", "Timeout".
const char* to_string(TrialStatus status);
/// The inverse of to_string(TrialStatus); nullopt for any other text.
std::optional<TrialStatus> parse_status(std::string_view text);

/// What the scheduler says about a report: go on, pause at this rung (promotion variants), or stop.
enum class Decision { proceed, pause, stop };
/// "CONTINUE", "PAUSE", "STOP" (the st_decision column, the journal's `decision`).
const char* to_string(Decision decision);
std::optional<Decision> parse_decision(std::string_view text);

/// Why a scheduler decided what it did at a rung, or promoted a trial: the facts a reader needs
/// to check the decision by hand. The scheduler returns it with the decision; the journal keeps
/// it (docs/journal.md, `why`); `asha-tune why` and the report show it. Every rank rule reads
/// the same way: the trial goes on iff fewer than `top` of the `of` values recorded at the rung
/// (its own included) are strictly better than its own.
struct DecisionReason {
    enum class Rule : std::uint8_t {
        quantile,        ///< stopping ASHA at a rung: CONTINUE iff better < top; `cutoff` is the
                         ///< rung's quantile the rule compares with (the reference's wording)
        paused,          ///< promotion ASHA: recorded at its rung and paused; it is promoted once
                         ///< better < top (`cutoff`: the worst value in the top now, NaN if none)
        promoted,        ///< promotion ASHA: a free worker promoted it from rung `level`, the best
                         ///< not-yet-promoted trial of the highest rung where one ranks in the top
        milestone,       ///< sync SH: reached its round's rung; it waits for the round to end
        round_end,       ///< sync SH: its round's rung was complete, and it ranked in the top
                         ///< max(1, floor(n / eta)): promoted from rung `level`
        max_t,           ///< reached max_t: the trial completes (recorded at its rung, not judged)
        run_ending,      ///< the run is ending: the tuner stops the leg, the scheduler is not asked
        ranked,          ///< MO-ASHA stopping at a rung (several objectives, or constraints):
                         ///< CONTINUE iff better < top, `better` being how many results the rung's
                         ///< priority order puts before it (no cutoff value)
        pasha_paused,    ///< PASHA: recorded at its rung and paused; promoted by the rung's
                         ///< q_k quantile rule (`cutoff`) once better < top (top 0: the rung
                         ///< has fewer than 2 values and promotes none yet)
        pasha_top,       ///< PASHA: paused at its current top rung, where trials stay until
                         ///< PASHA raises the top (better/of/top/cutoff as pasha_paused)
        pasha_promoted,  ///< PASHA: a free worker promoted it from rung `level`: the best
                         ///< not-yet-promoted trial of the highest rung below the top where it
                         ///< is as good as the rung's q_k quantile (`cutoff`)
    };
    Rule rule = Rule::quantile;
    int bracket = 0;
    double level = 0;        ///< the rung (max_t for max_t without a rung, e.g. FIFO)
    double value = 0;        ///< the trial's metric there
    std::size_t better = 0;  ///< values at the rung strictly better than `value`
    std::size_t of = 0;      ///< values recorded at the rung, `value` included (0: not ranked)
    std::size_t top = 0;     ///< the trial goes on iff better < top
    double cutoff = std::numeric_limits<double>::quiet_NaN();  ///< see the rule; NaN: none
    /// MO-ASHA with non-dominated sorting: the trial's front at the rung (1: non-dominated);
    /// 0: not ranked by fronts.
    std::uint32_t front = 0;
    /// Constraints: how far the report is from feasible (0: feasible, +inf: a bounded value is
    /// missing or not finite, or an objective is); an infeasible result ranks after every
    /// feasible one.
    double violation = 0;
    bool operator==(const DecisionReason&) const;
    /// A reason without a rank (milestone, max_t without a rung, run_ending).
    static DecisionReason unranked(Rule rule, int bracket, double level, double value) {
        DecisionReason why;
        why.rule = rule;
        why.bracket = bracket;
        why.level = level;
        why.value = value;
        return why;
    }
};
/// "quantile", "paused", "promoted", "milestone", "round_end", "max_t", "run_ending", "ranked",
/// "pasha_paused", "pasha_top", "pasha_promoted".
const char* to_string(DecisionReason::Rule rule);
std::optional<DecisionReason::Rule> parse_reason_rule(std::string_view text);

/// A scheduler's answer to a report: the decision, and why when a rung or max_t was reached
/// (nothing is recorded for a report between rungs, the most frequent kind).
/// PASHA raised the level its trials go up to (README "PASHA"): after a report, the order of the
/// trials at the top one of the two rungs it compares was not their order at the rung below,
/// beyond the noise `epsilon` (Bohdal et al. 2023's soft ranking).
struct TopRaise {
    double level = 0;       ///< where trials go up to from now on (max_t: no limit any more)
    double compared = 0;    ///< the upper of the two compared rungs; the other is the one below it
    TrialId trial = 0;      ///< the first trial, best first at `compared`, outside its group below
    std::size_t place = 0;  ///< its place at `compared` (0: the best)
    double epsilon = 0;     ///< the noise the groups were formed with
    bool operator==(const TopRaise&) const = default;
};

struct Verdict {
    // A constructor rather than an aggregate: most schedulers give the first two only.
    Verdict(Decision d = Decision::proceed, std::optional<DecisionReason> w = std::nullopt,
            std::optional<TopRaise> r = std::nullopt)
        : decision(d), why(std::move(w)), raised(r) {}
    Decision decision = Decision::proceed;
    std::optional<DecisionReason> why;
    std::optional<TopRaise> raised;  ///< PASHA raised its top after this report
};

/// What one report tells a scheduler: every objective as reported, in the config's order (NaN
/// where the report lacks one), and how far it is from feasible (README "Several objectives and
/// constraints"). A single-objective run without constraints has one value and violation 0.
struct Observation {
    std::vector<double> values;
    double violation = 0;
    double metric() const { return values.front(); }
};

/// A feasible full-fidelity result of a run of several objectives: a point of its Pareto front.
struct FrontPoint {
    TrialId trial = 0;
    double resource = 0;
    std::vector<double> values;  ///< every objective, as reported
};

/// Why a leg starts: a new trial, a paused trial promoted, a failed leg retried.
enum class LaunchKind { new_trial, promote, retry };
/// "new", "promote", "retry" (the journal's `kind`).
const char* to_string(LaunchKind kind);
std::optional<LaunchKind> parse_launch_kind(std::string_view text);

/// How a trial's leg ended, as the scheduler and the searcher need to know it.
enum class LegEnd {
    reached_milestone,  ///< exited after reporting its milestone (paused or completed)
    stopped,            ///< stopped by the tuner (scheduler decision or end of run)
    failed,             ///< crashed, or exited before its milestone
};

/// Trials by status, counted the one way the end of a run, `status` and the report count them:
/// `running` holds Pending and InProgress, `failed` holds Failed and Timeout.
struct StatusCounts {
    std::size_t started = 0, running = 0, completed = 0, stopped = 0, paused = 0, failed = 0;
    void add(TrialStatus status);
};

/// What a free worker should do: start a new trial or resume a paused one.
struct Suggestion {
    enum class Kind { start, resume };
    Kind kind = Kind::start;
    TrialId trial_id = 0;
    Config config;  ///< for start; resume uses the trial's own config
    double milestone =
        0;  ///< resource level this leg must reach (max_t: run to the end; 0: unbounded)
    int bracket = 0;
    std::optional<DecisionReason> why;  ///< a promotion: why this trial, from which rung
};

/// A usable report of one trial: the resource level, the metric and every reported key.
struct Report {
    double resource = 0;
    double metric = 0;
    json fields = json::object();
};

/// Smaller is better: the metric in the scheduler's own order. NaN and ±inf (a diverged trial)
/// rank worst in either mode, all equal: +inf. Every ranking (rungs, promotions, best, status,
/// report) goes through this.
inline double badness(double metric, bool maximize) {
    if (!std::isfinite(metric)) return std::numeric_limits<double>::infinity();
    return maximize ? -metric : metric;
}

/// The metric a finite badness stands for; NaN for the +inf that every non-finite metric maps to.
inline double metric_of_badness(double key, bool maximize) {
    if (!std::isfinite(key)) return std::numeric_limits<double>::quiet_NaN();
    return maximize ? -key : key;
}

/// The milestone test, the one place it is written: whether `resource` has reached `level`, a
/// rung level, a leg's milestone or max_t (relative tolerance 1e-9 for float resources). A level
/// of 0 (no milestone, no max_t) is never reached.
inline bool reached_level(double resource, double level) {
    return level > 0 && resource >= level * (1 - 1e-9);
}

/// Whether `metric` may be called a run's best: never a NaN or an infinity.
inline bool can_be_best(double metric) {
    return std::isfinite(metric);
}

}  // namespace asha

namespace asha {

/// Everything the tuner knows about one trial; the row of trials.csv and the status table.
struct TrialRecord {
    TrialId id = 0;
    Config config;
    int bracket = 0;
    TrialStatus status = TrialStatus::in_progress;
    std::size_t reports = 0;   ///< accepted reports ("iter")
    double last_resource = 0;  ///< highest accepted resource level
    double last_metric = 0;    ///< metric of the last accepted report (valid if reports > 0)
    std::vector<double> last_objectives;  ///< several objectives: the others' last values
    double worker_time = 0;               ///< seconds, all legs together
    int legs = 0;                         ///< legs started (promotions and retries add legs)
    int retries = 0;                      ///< legs relaunched after a failure or a timeout
    double milestone = 0;                 ///< where the current / last leg should end
    double leg_started = 0;               ///< tuner time the current leg started
    double leg_ended = 0;                 ///< tuner time the last leg's exit was seen
    std::string gpus;                     ///< CUDA_VISIBLE_DEVICES of the last leg
    std::optional<int> exit_code;         ///< of the last leg; signal as -N
    std::string error;                    ///< why it failed (with the tail of stderr)
};

}  // namespace asha
