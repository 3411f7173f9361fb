#pragma once
/// Turns SIGINT, SIGTERM and SIGHUP into bytes on a pipe that the event loop waits on. The
/// handler only writes the signal number; the loop decides what to do.

namespace asha {

class SignalWatcher {
  public:
    SignalWatcher();
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// Readable when a signal arrived; each byte read is one signal number.
    int fd() const { return read_fd_; }

  private:
    int read_fd_ = -1;
};

}  // namespace asha
