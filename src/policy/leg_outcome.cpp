#include "policy/leg_outcome.hpp"

namespace asha {

LegOutcome classify_leg_end(const LegFacts& leg, const TrialExit& exit, const ReportNames& names) {
    LegOutcome out;
    const bool clean = exit.signal == 0 && exit.exit_code == 0;
    if (leg.stop == StopCause::scheduler) {
        out.how = LegEnd::stopped;
        out.status = TrialStatus::stopped;
    } else if (reached_level(leg.last_resource, leg.milestone)) {
        out.how = LegEnd::reached_milestone;
        out.status = reached_level(leg.last_resource, leg.max_t) || leg.max_t == 0
                         ? TrialStatus::completed
                         : TrialStatus::paused;
    } else if (leg.timed_out) {
        out.status = TrialStatus::timeout;
        out.error = std::string(leg.timeout_reason);
    } else if (leg.stop != StopCause::none || exit.stopped_by_tuner) {
        out.how = LegEnd::stopped;
        out.status = TrialStatus::stopped;
    } else if (clean && leg.reports > 0) {
        // Without a milestone the leg ended on its own terms; with one it fell short of it.
        out.how = leg.milestone > 0 ? LegEnd::failed : LegEnd::reached_milestone;
        out.status = TrialStatus::completed;
        out.ended_short = leg.milestone > 0;
    } else {
        out.status = TrialStatus::failed;
        out.error = exit.signal ? "killed by signal " + std::to_string(exit.signal)
                    : clean     ? "exited with code 0 without a report (no usable report of " +
                                  std::string(names.metric) + " and " +
                                  std::string(names.resource_attr) + " on stdout)"
                            : "exited with code " + std::to_string(exit.exit_code);
        if (!exit.stderr_tail.empty()) out.error += ": " + exit.stderr_tail;
    }
    return out;
}

}  // namespace asha
