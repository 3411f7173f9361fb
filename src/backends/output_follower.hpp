#pragma once
/// The trials' log files that the engine follows (supervised local legs write their own
/// stdout.log and stderr.log): one inotify descriptor for all of them, in the engine's poll
/// set, that marks a file as having unread bytes when it grew, so that nothing is re-read on a
/// timer. Reading is the engine's (read_chunk), one chunk per file per turn.

#include "backends/process.hpp"
#include "backends/trial_process.hpp"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

namespace asha {

class OutputFollower {
  public:
    /// Throws std::system_error when inotify is not available.
    OutputFollower();

    /// Follows `path` through `source` from `offset`: what is there is unread, and whatever is
    /// appended later becomes unread. Opens it for reading unless `opened` is given. Throws
    /// Error(runtime) when it cannot be opened or watched.
    void follow(OutputSource& source, const std::filesystem::path& path, std::uint64_t offset,
                Fd opened = Fd());
    /// Stops following `source` (its leg is gone).
    void forget(OutputSource& source);
    /// The descriptor to poll; -1 while nothing is followed.
    int poll_fd() const { return watches_.empty() ? -1 : inotify_.get(); }
    /// poll_fd() was readable: marks each file that grew as unread (every file, if the kernel
    /// dropped events).
    void on_ready();

  private:
    Fd inotify_;
    std::map<int, OutputSource*> watches_;  // inotify watch -> what it follows
};

/// Reads one chunk of `source` into `buffer`: from `offset` of a followed file (advancing it,
/// and clearing `unread` once it has caught up), or from a pipe. Returns the bytes read, 0 when
/// there is nothing for now (a file caught up, a pipe without data) or at a pipe's end, which
/// `ended` then says; -1 with errno on an error other than EINTR or EAGAIN.
ssize_t read_chunk(OutputSource& source, std::vector<char>& buffer, bool& ended);

/// The size of a log file (0 when it cannot be read).
std::uint64_t log_size(const std::filesystem::path& path);
std::uint64_t log_size(const Fd& fd);

/// Appends a newline to the log `fd` (opened O_RDWR | O_APPEND) unless it is empty or ends with
/// one: the next writer's first line must not be glued to a line a killed process left
/// unfinished. Throws Error(runtime) naming `path` when it cannot.
void end_unfinished_line(const Fd& fd, const std::filesystem::path& path);

}  // namespace asha
