#pragma once
/// The backend of a run that runs nothing: the Tuner's while a journal is replayed
/// (Tuner::restore), and the one a dead run's files are rewritten with (refresh_run). Its clock
/// is moved from outside; it starts and stops nothing, but keeps the last leg it was asked to
/// start, for the replay to check against the journal's `start` record.
#include "asha/backend.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace asha {

class NullBackend final : public Backend {
  public:
    /// `legs_wait_in_queue`: as the run's real backend says (a replayed leg is pending until
    /// its `running` record exactly when it was the first time).
    explicit NullBackend(bool legs_wait_in_queue) : legs_wait_in_queue_(legs_wait_in_queue) {}

    void advance_to(double t) { now_ = std::max(now_, t); }
    /// The leg start() was last asked for, once; nullopt when none since the last call.
    std::optional<TrialLaunch> take_started() { return std::exchange(started_, std::nullopt); }

    double now() const override { return now_; }
    LegStarted start(const TrialLaunch& launch) override {
        started_ = launch;
        return {};
    }
    void stop(TrialId /*trial*/, bool /*immediately*/) override {}
    std::optional<BackendEvent> next_event(double /*deadline*/) override { return std::nullopt; }
    bool legs_wait_in_queue() const override { return legs_wait_in_queue_; }

  private:
    bool legs_wait_in_queue_;
    double now_ = 0;
    std::optional<TrialLaunch> started_;
};

}  // namespace asha
