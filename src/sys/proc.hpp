#pragma once
/// What /proc says about processes, and reaping: the pieces of process management that both
/// the tuner's side (backends/process) and a leg's supervisor (supervisor/) use.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace asha {

/// The contents of /proc/PID/`name`, or nullopt once the process is gone. Read with read(2): a
/// process that exits while it is read makes read() fail with ESRCH, which std::ifstream turns
/// into an exception (fatal in a destructor, where the end of a run reads /proc).
std::optional<std::string> read_proc_file(pid_t pid, const char* name);

/// Fields of /proc/PID/stat.
struct ProcStat {
    pid_t pgrp = -1;
    pid_t session = -1;
    unsigned long long start_ticks = 0;  ///< field 22: clock ticks since boot
};

/// /proc/PID/stat, or nullopt when the process is gone or a zombie (already dead).
std::optional<ProcStat> proc_stat(pid_t pid);

/// The start time of process `pid`, or 0 when it is gone or a zombie. With the pid it names one
/// process for good: pids are reused, (pid, start time) pairs are not.
unsigned long long process_start_ticks(pid_t pid);

/// The pids listed in `text` ("12 345 6789\n"), as /proc/PID/task/TID/children has them.
std::vector<pid_t> parse_pid_list(const std::string& text);

/// Orphaned descendants of our children are re-parented to us rather than to init, so that we
/// can wait for them (PR_SET_CHILD_SUBREAPER).
void become_subreaper();

/// SIGKILLs process group `pgid` and reaps those of its members that are our children. With
/// become_subreaper() that is every member whose parent has died, so when it returns nothing of
/// the group is left running (setsid'd escapees are not in the group).
void kill_and_reap_group(pid_t pgid);

/// SIGKILLs every child of this process, and every descendant that the deaths re-parent to it
/// (a subreaper's), and reaps them all: when it returns, this process has no children.
void kill_and_reap_descendants();

}  // namespace asha
