#include "serve/change_watcher.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace asha {

namespace {
// In a directory that may hold runs: a run (or a directory that will hold one) came or went.
constexpr std::uint32_t kTreeEvents = IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
                                      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// In a run directory: its files grew or were replaced (trials.csv is renamed into place), or
// the run itself went.
constexpr std::uint32_t kRunEvents =
    IN_MODIFY | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
}  // namespace

ChangeWatcher::ChangeWatcher(RunCatalog& catalog)
    : catalog_(catalog),
      inotify_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!inotify_.valid()) throw std::system_error(errno, std::generic_category(), "inotify_init1");
    if (!wake_.valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
    rescan();
    thread_ = std::thread([this] { run(); });
}

ChangeWatcher::~ChangeWatcher() {
    stop();
}

void ChangeWatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool ChangeWatcher::stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

std::uint64_t ChangeWatcher::epoch() const {
    std::lock_guard lock(mutex_);
    return epoch_;
}

std::uint64_t ChangeWatcher::wait(std::uint64_t seen,
                                  std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return stopping_ || epoch_ != seen; });
    return epoch_;
}

void ChangeWatcher::wait_unless_stopped(std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return stopping_; });
}

bool ChangeWatcher::watch_catalog() {
    bool became_run = false;
    for (const auto& [dir, run] : catalog_.watch_dirs()) {
        const int wd =
            ::inotify_add_watch(inotify_.get(), dir.c_str(), run ? kRunEvents : kTreeEvents);
        if (wd < 0) continue;  // a directory gone meanwhile is simply not watched
        watches_[wd] = run;
        // As the catalog saw it: a journal created after its scan and before this watch was
        // seen by neither, so look once more. (Asking the directory itself here instead would
        // take it for a run the catalog never listed, and miss it for good.)
        if (!run && is_run_dir(dir)) became_run = true;
    }
    return became_run;
}

void ChangeWatcher::rescan() {
    do catalog_.rescan();
    while (watch_catalog());
}

void ChangeWatcher::run() {
    alignas(inotify_event) char buffer[16384];
    pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    while (true) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents != 0) break;
        bool look_again = false;
        while (true) {
            const ssize_t n = ::read(inotify_.get(), buffer, sizeof buffer);
            if (n <= 0) break;
            for (ssize_t at = 0; at < n;) {
                const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
                at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
                const auto it = watches_.find(event->wd);
                if (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW)) {
                    look_again = true;
                    if (it != watches_.end() && (event->mask & IN_IGNORED)) watches_.erase(it);
                } else if (it != watches_.end() && !it->second) {
                    look_again = true;  // something came or went where runs may be
                }
            }
        }
        if (look_again) rescan();
        {
            std::lock_guard lock(mutex_);
            ++epoch_;
        }
        changed_.notify_all();
    }
}

}  // namespace asha
