#pragma once
/// How a leg's end counts: the trial's status, what the scheduler hears, and the error shown,
/// from what the Tuner knew of the leg and how its process exited. Pure (tested as a table in
/// tests/leg_outcome_test.cpp); Tuner::on_exit journals, counts, retries and notifies.

#include "asha/backend.hpp"
#include "asha/trial.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asha {

/// Why the Tuner wants a leg ended, weakest first: a stronger cause replaces a weaker one, never
/// the reverse (a leg the scheduler stopped stays Stopped when the run ends too). A timeout is
/// kept beside it (LegFacts::timed_out): it ranks between the two in classify_leg_end.
enum class StopCause : std::uint8_t {
    none,        ///< the leg may run to its milestone
    run_ending,  ///< the run is ending (a stop criterion, an interrupt, failures)
    scheduler,   ///< the scheduler decided STOP
};

/// What the Tuner knew of the leg when it ended (views into the Tuner's state: classify_leg_end
/// is called with them at once, for every leg of a run, so nothing is copied).
struct LegFacts {
    StopCause stop = StopCause::none;
    bool timed_out = false;  ///< trial_timeout or report_timeout
    std::string_view timeout_reason;
    double last_resource = 0;  ///< the trial's highest accepted resource level
    double milestone = 0;      ///< the leg's milestone (0 = unbounded)
    double max_t = 0;          ///< the config's max_t (0 = none)
    std::size_t reports = 0;   ///< the trial's accepted reports, all legs
};

/// What the run's config says about reports, for the error of a leg that had none.
struct ReportNames {
    std::string_view metric;
    std::string_view resource_attr;
};

struct LegOutcome {
    TrialStatus status = TrialStatus::failed;
    LegEnd how = LegEnd::failed;  ///< what the scheduler hears
    std::string error;            ///< Failed or Timeout: why
    /// Exited cleanly after reports but before its milestone: counted as completed, with a
    /// warning.
    bool ended_short = false;
};

/// In order: a scheduler STOP counts whatever the race with the signal (a fast script may
/// reach its milestone before SIGTERM lands); then a reached milestone (Paused, or Completed at
/// max_t); then a timeout; then any other stop by the tuner; a clean exit after reports ends
/// the trial on its own terms (Completed); anything else Failed.
LegOutcome classify_leg_end(const LegFacts& leg, const TrialExit& exit, const ReportNames& names);

}  // namespace asha
