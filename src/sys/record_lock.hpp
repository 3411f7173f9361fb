#pragma once
/// POSIX record locks (fcntl), which belong to a process and die with it, and which no child
/// inherits: the run's tuner.pid lock (run/run_lock.hpp) and the supervisors' look at it.

#include <sys/types.h>

namespace asha {

/// The pid of another process whose lock would conflict with a lock of `type` (F_RDLCK,
/// F_WRLCK) on the whole of `fd`'s file, or 0 when none would (or the query failed).
pid_t record_lock_holder(int fd, short type);

/// Takes a write lock on the whole of `fd`'s file without waiting. False with errno (EAGAIN or
/// EACCES: another process holds it).
bool try_write_lock(int fd);

}  // namespace asha
