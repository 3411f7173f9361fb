#pragma once
/// The backend of a run that runs nothing: the Tuner's while a journal is replayed
/// (Tuner::restore), and the one a dead run's files are rewritten with (refresh_run). Its clock
/// is moved from outside; it starts and stops nothing, but shows each leg it is asked to start
/// to `on_start` (the replay checks it against the journal's `start` record).
#include "asha/backend.hpp"

#include <algorithm>
#include <functional>
#include <optional>

namespace asha {

class NullBackend final : public Backend {
  public:
    /// `legs_wait_in_queue`: as the run's real backend says (a replayed leg is pending until
    /// its `running` record exactly when it was the first time).
    explicit NullBackend(bool legs_wait_in_queue) : legs_wait_in_queue_(legs_wait_in_queue) {}

    void advance_to(double t) { now_ = std::max(now_, t); }
    /// Called with every leg start() is asked for; may throw to refuse it.
    std::function<void(const TrialLaunch&)> on_start;

    double now() const override { return now_; }
    LegStarted start(const TrialLaunch& launch) override {
        if (on_start) on_start(launch);
        return {};
    }
    void stop(TrialId /*trial*/, bool /*immediately*/) override {}
    std::optional<BackendEvent> next_event(double /*deadline*/) override { return std::nullopt; }
    bool legs_wait_in_queue() const override { return legs_wait_in_queue_; }

  private:
    bool legs_wait_in_queue_;
    double now_ = 0;
};

}  // namespace asha
