#include "backends/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace asha {

namespace {
int g_write_fd = -1;
volatile sig_atomic_t g_first_signal = 0;
struct sigaction g_previous[3];
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};

void on_signal(int sig) {
    const int saved_errno = errno;  // the interrupted code may be about to read errno
    if (g_first_signal == 0) g_first_signal = sig;
    unsigned char byte = static_cast<unsigned char>(sig);
    ssize_t ignored = ::write(g_write_fd, &byte, 1);
    (void)ignored;
    errno = saved_errno;
}
}  // namespace

int SignalWatcher::first_signal() {
    return g_first_signal;
}

SignalWatcher::SignalWatcher() {
    g_first_signal = 0;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    read_fd_ = fds[0];
    g_write_fd = fds[1];
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &sa, &g_previous[i]);
    ::signal(SIGPIPE, SIG_IGN);  // a log pipe closing must be an error value, not a death
}

SignalWatcher::~SignalWatcher() {
    for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
    ::close(g_write_fd);
    ::close(read_fd_);
    g_write_fd = -1;
}

}  // namespace asha
