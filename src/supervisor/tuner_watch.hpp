#pragma once
/// What a leg's supervisor and the keeper (keeper.hpp) both need besides their legs: knowing
/// whether a tuner is alive for the run, and a few small helpers of their poll loops.
///
/// The tuner is whoever holds the write lock on the run's tuner.pid (run/run_lock.hpp); F_GETLK
/// names it and its pidfd says when it dies. While none is attached, inotify on the run
/// directory says when one may have taken the lock (a resume writes its pid into tuner.pid);
/// while one is, nothing in the run directory wakes the watcher (the tuner writes there all the
/// time).

#include "sys/fd.hpp"

#include <chrono>
#include <string>

namespace asha {

/// The run's lock file, whose holder is the tuner (asha/run_files.hpp's tuner_pid; a test keeps
/// the two equal, since this layer includes nothing above it).
inline constexpr const char* kRunLockFile = "tuner.pid";

using SupervisorClock = std::chrono::steady_clock;

/// `seconds` as the clock's duration.
SupervisorClock::duration to_duration(double seconds);
/// The shortest text that reads back as `x`.
std::string seconds_text(double x);

class TunerWatch {
  public:
    /// False (and `problem` says why) when its inotify descriptor cannot be made.
    bool open(const std::string& run_dir, std::string& problem);
    /// Looks for the tuner; true when one is attached now.
    bool attach();
    bool attached() const { return tuner_.valid(); }
    /// The descriptors to poll: inotify's, and the tuner's pidfd (-1 while none).
    int inotify_fd() const { return inotify_.get(); }
    int tuner_fd() const { return tuner_.get(); }
    /// inotify said something: true when a tuner is attached now.
    bool on_inotify();
    /// The tuner's pidfd said it died: true when another one is attached now.
    bool on_tuner_exit();

  private:
    void watch_run_dir();

    std::string run_dir_;
    Fd inotify_, tuner_;
    int watch_ = -1;  // on the run directory, only while no tuner is attached
};

}  // namespace asha
