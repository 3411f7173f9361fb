#pragma once
/// File descriptors and pidfds: a move-only owner, and the few calls on them that every layer
/// above uses. The lowest layer (docs/architecture.md): libc only, every call checked here.

#include <sys/types.h>

#include <utility>

namespace asha {

/// Owns one file descriptor; closes it on destruction.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.release();
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset();

  private:
    int fd_ = -1;
};

/// A pipe (read end, write end), both close-on-exec. Throws std::system_error.
std::pair<Fd, Fd> make_pipe();

/// A pidfd of `pid` (readable once it exits), or an invalid Fd when it is gone.
Fd open_pidfd(pid_t pid);

/// Sends `sig` to the process of `pidfd` (never to a reused pid). False when it is gone.
bool signal_pidfd(const Fd& pidfd, int sig);

/// Sets or clears O_NONBLOCK.
void set_nonblocking(int fd, bool on);

/// write(2) of all of `size` bytes, retrying on EINTR and short writes; false on an error
/// (errno says which).
bool write_all(int fd, const void* data, std::size_t size);

}  // namespace asha
