#include "backends/output_follower.hpp"

#include "asha/errors.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace asha {

OutputFollower::OutputFollower() : inotify_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    if (!inotify_.valid()) throw std::system_error(errno, std::generic_category(), "inotify_init1");
}

void OutputFollower::follow(OutputSource& source, const std::filesystem::path& path,
                            std::uint64_t offset, Fd opened) {
    source.fd = opened.valid() ? std::move(opened) : Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!source.fd.valid())
        throw Error(ExitCode::runtime,
                    "cannot open " + path.string() + ": " + std::strerror(errno));
    source.follow_file = true;
    source.offset = offset;
    source.unread = true;  // whatever is already there
    source.watch = ::inotify_add_watch(inotify_.get(), path.c_str(), IN_MODIFY);
    if (source.watch < 0)
        throw Error(ExitCode::runtime,
                    "cannot watch " + path.string() + ": " + std::strerror(errno) +
                        " (fs.inotify.max_user_watches is too low for this many trials?)");
    watches_[source.watch] = &source;
}

void OutputFollower::forget(OutputSource& source) {
    if (source.watch < 0) return;
    ::inotify_rm_watch(inotify_.get(), source.watch);
    watches_.erase(source.watch);
    source.watch = -1;
}

void OutputFollower::on_ready() {
    alignas(inotify_event) char buf[4096];
    for (;;) {
        const ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
        if (n <= 0) return;
        for (ssize_t i = 0; i < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buf + i);
            i += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & IN_Q_OVERFLOW) {  // events were lost: look at every file
                for (auto& [wd, source] : watches_) source->unread = true;
                continue;
            }
            if (auto it = watches_.find(event->wd); it != watches_.end()) it->second->unread = true;
        }
    }
}

ssize_t read_chunk(OutputSource& source, std::vector<char>& buffer, bool& ended) {
    ended = false;
    for (;;) {
        const ssize_t n = source.follow_file
                              ? ::pread(source.fd.get(), buffer.data(), buffer.size(),
                                        static_cast<off_t>(source.offset))
                              : ::read(source.fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (source.follow_file) {
            if (n <= 0) {
                source.unread = false;  // caught up; inotify says when it grows
                return n < 0 ? -1 : 0;
            }
            source.offset += static_cast<std::uint64_t>(n);
            source.unread = static_cast<std::size_t>(n) == buffer.size();
            return n;
        }
        if (n < 0 && errno == EAGAIN) return 0;
        ended = n <= 0;  // the pipe's writer is gone (or it failed)
        return n;
    }
}

std::uint64_t log_size(const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

std::uint64_t log_size(const Fd& fd) {
    struct stat st {};
    return ::fstat(fd.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void end_unfinished_line(const Fd& fd, const std::filesystem::path& path) {
    const std::uint64_t size = log_size(fd);
    char last = '\n';
    if (size > 0 && ::pread(fd.get(), &last, 1, static_cast<off_t>(size - 1)) == 1 &&
        last != '\n' && ::write(fd.get(), "\n", 1) != 1)
        throw Error(ExitCode::runtime,
                    "cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace asha
