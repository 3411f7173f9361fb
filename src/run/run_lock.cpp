#include "run/run_lock.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"
#include "sys/record_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

namespace asha {

namespace fs = std::filesystem;

namespace {

/// The lock files (device, inode) this process holds. A POSIX record lock belongs to the
/// process, and closing *any* descriptor of the file in that process drops it, so held() must
/// not open a file this process has locked; and two locks of one process never conflict, so a
/// second RunLock on the same run in the same process is refused here.
/// (A fork() child inherits this memory but not the locks: entries are keyed by pid too.)
using LockedFile = std::tuple<pid_t, dev_t, ino_t>;
/// Guarded by mutex_of_locked_here(), held from the look to the lock or the close: `serve`
/// alongside a run asks held() from its own threads, and a held() that opened and closed the
/// file between a RunLock's look and its lock would drop that lock.
std::set<LockedFile>& locked_here() {
    static std::set<LockedFile> files;
    return files;
}
std::mutex& mutex_of_locked_here() {
    static std::mutex mutex;
    return mutex;
}
bool locked_by_us(const LockedFile& id) {
    return locked_here().count(id) != 0;
}
LockedFile ours(dev_t dev, ino_t ino) {
    return {::getpid(), dev, ino};
}

LockedFile identity(int fd) {
    struct stat st {};
    ::fstat(fd, &st);
    return ours(st.st_dev, st.st_ino);
}

}  // namespace

RunLock::RunLock(const fs::path& dir) : path_(dir / run_files::tuner_pid) {
    // O_CLOEXEC, and a POSIX record lock rather than flock(2): a record lock is not inherited by
    // children, so a trial being spawned (between its clone and its exec it has a copy of every
    // descriptor) never holds the run's lock, not even for the instant after the tuner died.
    auto in_use = [&](pid_t holder) {
        return Error(ExitCode::cannot_start,
                     "run directory " + dir.string() + " is in use by another asha-tune" +
                         (holder > 0 ? " (pid " + std::to_string(holder) + ")" : "") +
                         "; only one tuner may work on a run at a time");
    };
    // Ours already (a second run of the same directory in one process): opening the file
    // again and closing it would drop the lock, so look before opening.
    std::lock_guard guard(mutex_of_locked_here());
    struct stat st {};
    if (::stat(path_.c_str(), &st) == 0 && locked_by_us(ours(st.st_dev, st.st_ino)))
        throw in_use(::getpid());
    fd_ = Fd(::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd_.valid())
        throw Error(ExitCode::cannot_start,
                    "cannot open " + path_.string() + ": " + std::strerror(errno));
    const auto id = identity(fd_.get());
    if (!try_write_lock(fd_.get())) {
        const int err = errno;
        const pid_t holder = record_lock_holder(fd_.get(), F_WRLCK);
        fd_.reset();
        if (err == EAGAIN || err == EACCES) throw in_use(holder);
        throw Error(ExitCode::cannot_start,
                    "cannot lock " + path_.string() + ": " + std::strerror(err));
    }
    locked_here().insert(id);
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_.get(), 0) != 0 ||
        ::pwrite(fd_.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw Error(ExitCode::cannot_start,
                    "cannot write " + path_.string() + ": " + std::strerror(errno));
}

RunLock::~RunLock() {
    if (!fd_.valid()) return;
    {
        std::lock_guard lock(mutex_of_locked_here());
        locked_here().erase(identity(fd_.get()));
    }
}

void RunLock::remove_file() {
    std::error_code ec;
    fs::remove(path_, ec);
}

bool RunLock::held(const fs::path& dir) {
    std::lock_guard guard(mutex_of_locked_here());
    struct stat st {};
    if (::stat((dir / run_files::tuner_pid).c_str(), &st) != 0) return false;
    if (locked_by_us(ours(st.st_dev, st.st_ino))) return true;  // ours: do not open it
    int fd = ::open((dir / run_files::tuner_pid).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool held = record_lock_holder(fd, F_RDLCK) != 0;
    ::close(fd);
    return held;
}

}  // namespace asha
