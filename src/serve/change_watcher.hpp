#pragma once
/// When anything in the served directories changes: one inotify descriptor on the served
/// directories, the directories below them where a run may appear, and every run directory,
/// read by a thread of its own. Each batch of changes advances an epoch that the streams to the
/// pages wait on (a condition variable): nothing polls a file on a timer. A new or deleted run
/// makes the catalog look again.

#include "serve/run_catalog.hpp"
#include "sys/fd.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace asha {

class ChangeWatcher {
  public:
    /// Starts watching; throws std::system_error when inotify is not available.
    explicit ChangeWatcher(RunCatalog& catalog);
    ~ChangeWatcher();
    ChangeWatcher(const ChangeWatcher&) = delete;
    ChangeWatcher& operator=(const ChangeWatcher&) = delete;

    /// Advances on every change seen.
    std::uint64_t epoch() const;
    /// Waits until the epoch is not `seen`, until `deadline`, or until stop(); returns the epoch.
    std::uint64_t wait(std::uint64_t seen, std::chrono::steady_clock::time_point deadline) const;
    /// Waits until `deadline` or until stop(), whatever changes meanwhile.
    void wait_unless_stopped(std::chrono::steady_clock::time_point deadline) const;
    /// Ends the thread and wakes every waiter; stopping() is true from then on.
    void stop();
    bool stopping() const;

  private:
    void run();
    /// Adds a watch for each directory the catalog names; true when a directory watched as one
    /// that may hold runs has become a run meanwhile (look again).
    bool watch_catalog();
    void rescan();  // the catalog's, until every directory is watched as what it is

    RunCatalog& catalog_;
    Fd inotify_, wake_;
    std::map<int, bool> watches_;  // watch -> whether it is a run directory
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::uint64_t epoch_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace asha
