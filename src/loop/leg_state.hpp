#pragma once
/// What the Tuner knows of a trial's current leg beyond its TrialRecord: whether it still waits
/// in a queue, whether it reached its milestone, why the tuner wants it ended, whether a stop was
/// sent. The parts overlap (a leg can time out, then be stopped by the scheduler, then by the end
/// of the run, and be at its milestone through all of it), so they are kept apart, changed only
/// by the transitions below, and read through the questions the Tuner asks. How a leg's end then
/// counts is classify_leg_end's (policy/leg_outcome.hpp), from facts().

#include "asha/backend.hpp"
#include "asha/trial.hpp"
#include "policy/leg_outcome.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

namespace asha {

class LegState {
  public:
    LegState() = default;
    /// A new leg; where the trial's stdout.log was read up to carries over from the leg before
    /// (a relaunch after a crash reads on from there: what the lost leg printed is not lost).
    LegState(LaunchKind kind, std::uint64_t output_offset)
        : kind_(kind), output_offset_(output_offset) {}

    // --- transitions ---
    /// Started into a queue (Slurm): not busy and not timed until it runs.
    void wait_in_queue() { queued_ = true; }
    /// Left the queue (it runs, or it ended there); false when it was not queued.
    bool leave_queue() { return std::exchange(queued_, false); }
    /// An accepted report at tuner time `t`, whose line ends at `offset` (0: not known).
    void accept_report(double t, std::uint64_t offset) {
        last_report_ = t;
        if (offset) output_offset_ = offset;
    }
    /// The scheduler paused the leg or it reached max_t: it should end by itself. Returns
    /// whether it had been told so before (it reports past its milestone: stop it).
    bool reach_milestone() { return std::exchange(at_milestone_, true); }
    /// The tuner wants the leg ended; a stronger cause replaces a weaker one, never the reverse.
    void request_stop(StopCause cause) { stop_ = std::max(stop_, cause); }
    void time_out(std::string reason) {
        timed_out_ = true;
        timeout_reason_ = std::move(reason);
    }
    void mark_stop_sent() { stop_sent_ = true; }
    /// Started again, or taken over, by a resume: it may print again what it printed before.
    void mark_resumed() { resumed_ = true; }
    void set_output_offset(std::uint64_t offset) { output_offset_ = offset; }

    // --- questions ---
    bool queued() const { return queued_; }
    /// Its reports go to the scheduler (once the tuner wants it ended, they are journaled as
    /// STOP without asking).
    bool asks_scheduler() const { return stop_ == StopCause::none; }
    /// trial_timeout and report_timeout apply: it runs, and nothing is ending it yet.
    bool timed() const { return !queued_ && stop_ == StopCause::none && !timed_out_; }
    StopCause stop_cause() const { return stop_; }
    bool stop_sent() const { return stop_sent_; }
    bool resumed() const { return resumed_; }
    LaunchKind kind() const { return kind_; }
    double last_report() const { return last_report_; }
    std::uint64_t output_offset() const { return output_offset_; }

    /// What classify_leg_end needs (views into this state: use them at once).
    LegFacts facts(const TrialRecord& trial, double max_t) const {
        LegFacts f;
        f.stop = stop_;
        f.timed_out = timed_out_;
        f.timeout_reason = timeout_reason_;
        f.last_resource = trial.last_resource;
        f.milestone = trial.milestone;
        f.max_t = max_t;
        f.reports = trial.reports;
        return f;
    }

  private:
    LaunchKind kind_ = LaunchKind::new_trial;  // why this leg started
    bool queued_ = false;
    bool at_milestone_ = false;
    bool stop_sent_ = false;  // backend->stop() was called for this leg
    bool resumed_ = false;
    bool timed_out_ = false;  // by trial_timeout or report_timeout
    StopCause stop_ = StopCause::none;
    std::string timeout_reason_;
    double last_report_ = 0;  // tuner time of the last accepted report
    // Where stdout.log has been read up to: past the last accepted report, or where the leg's
    // output began; a resume that takes the leg over reads on from here.
    std::uint64_t output_offset_ = 0;
};

}  // namespace asha
