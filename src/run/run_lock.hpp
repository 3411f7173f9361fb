#pragma once
/// One tuner per run directory: `tuner.pid` (the owner's pid) held with a POSIX record lock
/// (fcntl F_SETLK) for the tuner's whole life. The kernel drops the lock when its holder dies
/// however it dies, and no child ever inherits it (flock(2) locks are shared with a trial that
/// is being spawned, for the instant between its clone and its exec, and could outlive a killed
/// tuner by that instant), so a lock left by a killed tuner is never stale: the next tuner
/// simply takes it over.

#include "sys/fd.hpp"

#include <filesystem>

namespace asha {

class RunLock {
  public:
    /// Takes the lock on `dir` (which must exist) and writes our pid into tuner.pid. Throws
    /// Error(cannot_start) naming the holder's pid when another tuner has it.
    explicit RunLock(const std::filesystem::path& dir);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    /// Removes tuner.pid (end of run); the lock itself lasts until destruction.
    void remove_file();

    /// Whether a live tuner holds `dir`'s lock (asha-tune status). Never blocks.
    static bool held(const std::filesystem::path& dir);

  private:
    std::filesystem::path path_;
    Fd fd_;
};

}  // namespace asha
