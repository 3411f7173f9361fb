#include "asha/run_lock.hpp"

#include "asha/errors.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace asha {

namespace fs = std::filesystem;

RunLock::RunLock(const fs::path& dir) : path_(dir / "tuner.pid") {
    // O_CLOEXEC: a trial that inherited it would keep the lock after the tuner died.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(ExitCode::cannot_start,
                    "cannot open " + path_.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char buf[32] = {};
        ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
        std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' '))
            holder.pop_back();
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw Error(ExitCode::cannot_start,
                        "run directory " + dir.string() + " is in use by another asha-tune" +
                            (holder.empty() ? "" : " (pid " + holder + ")") +
                            "; only one tuner may work on a run at a time");
        throw Error(ExitCode::cannot_start,
                    "cannot lock " + path_.string() + ": " + std::strerror(err));
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw Error(ExitCode::cannot_start,
                    "cannot write " + path_.string() + ": " + std::strerror(errno));
}

RunLock::~RunLock() {
    if (fd_ >= 0) ::close(fd_);
}

void RunLock::remove_file() {
    std::error_code ec;
    fs::remove(path_, ec);
}

bool RunLock::held(const fs::path& dir) {
    int fd = ::open((dir / "tuner.pid").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

}  // namespace asha
