#pragma once
/// Turns SIGINT, SIGTERM and SIGHUP into bytes on a pipe that the event loop waits on. The
/// handler only writes the signal number; the loop decides what to do. A real run installs it
/// before it creates anything (run_cli), so a signal at any instant of start-up, replay, the
/// run or its shutdown is handled the same way: the loop's first wait sees it, the run ends as
/// interrupted (journaled, resumable), and the exit code is 128 + the signal.

namespace asha {

class SignalWatcher {
  public:
    SignalWatcher();
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// Readable when a signal arrived; each byte read is one signal number.
    int fd() const { return read_fd_; }
    /// The first signal received since construction, or 0.
    static int first_signal();

  private:
    int read_fd_ = -1;
};

}  // namespace asha
