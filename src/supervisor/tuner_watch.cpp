#include "supervisor/tuner_watch.hpp"

#include "sys/record_lock.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace asha {

SupervisorClock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<SupervisorClock::duration>(
        std::chrono::duration<double>(seconds));
}

std::string seconds_text(double x) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, x).ptr;
    return std::string(buf, end);
}

bool TunerWatch::open(const std::string& run_dir, std::string& problem) {
    run_dir_ = run_dir;
    inotify_ = Fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!inotify_.valid()) problem = std::string("inotify_init1: ") + std::strerror(errno);
    return inotify_.valid();
}

/// Before looking for a tuner: a lock taken after the look still wakes us.
void TunerWatch::watch_run_dir() {
    if (watch_ >= 0) return;
    watch_ =
        ::inotify_add_watch(inotify_.get(), run_dir_.c_str(), IN_CREATE | IN_MODIFY | IN_MOVED_TO);
}

bool TunerWatch::attach() {
    if (tuner_.valid()) return true;
    watch_run_dir();
    const Fd fd(::open((run_dir_ + "/" + kRunLockFile).c_str(), O_RDONLY | O_CLOEXEC));
    const pid_t holder = fd.valid() ? record_lock_holder(fd.get(), F_RDLCK) : 0;
    if (holder <= 0) return false;
    tuner_ = open_pidfd(holder);
    if (!tuner_.valid()) return false;
    if (watch_ >= 0) ::inotify_rm_watch(inotify_.get(), watch_);
    watch_ = -1;
    return true;
}

bool TunerWatch::on_inotify() {
    alignas(inotify_event) char buf[4096];
    bool lock_file = false;
    for (ssize_t n; (n = ::read(inotify_.get(), buf, sizeof buf)) > 0;)
        for (ssize_t i = 0; i < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buf + i);
            i += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            lock_file |= event->len > 0 && std::strcmp(event->name, kRunLockFile) == 0;
        }
    if (lock_file) attach();
    return attached();
}

bool TunerWatch::on_tuner_exit() {
    tuner_.reset();
    return attach();
}

}  // namespace asha
