#include "supervisor/keeper_protocol.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace asha {

bool send_keeper_message(int socket, const std::vector<std::string>& fields,
                         const std::vector<int>& fds) {
    std::string text;
    for (const std::string& field : fields) {
        text += field;
        text.push_back('\0');
    }
    if (text.size() > kMaxKeeperMessage || fds.size() > kMaxKeeperFds) {
        errno = EMSGSIZE;
        return false;
    }
    iovec iov{text.data(), text.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxKeeperFds)] = {};
    if (!fds.empty()) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        const ssize_t n = ::sendmsg(socket, &msg, MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(text.size())) return true;
        if (n < 0 && errno == EINTR) continue;
        return false;
    }
}

std::optional<KeeperMessage> receive_keeper_message(int socket, bool& closed) {
    closed = false;
    // One buffer for every message (a keeper receives one per leg and more): not allocated
    // and cleared each time.
    static thread_local std::string buf(kMaxKeeperMessage, '\0');
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxKeeperFds)] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = 0;
    while ((n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
    if (n <= 0) {  // the peer closed it (a SEQPACKET message is never empty), or it broke
        closed = true;
        return std::nullopt;
    }
    KeeperMessage out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (std::size_t i = 0; i < count; ++i) {
                int fd = -1;
                std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                out.fds.emplace_back(fd);
            }
        }
    if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || buf[static_cast<size_t>(n) - 1] != '\0')
        return std::nullopt;  // its descriptors close with `out`
    for (std::size_t start = 0; start < static_cast<std::size_t>(n);) {
        const std::size_t end = buf.find('\0', start);
        out.fields.emplace_back(buf, start, end - start);
        start = end + 1;
    }
    return out;
}

std::string keeper_socket_name(pid_t pid, unsigned long long ticks) {
    return "asha-tune-keeper-" + std::to_string(pid) + "-" + std::to_string(ticks);
}

namespace {

/// The abstract address of keeper `pid` and its length.
socklen_t keeper_address(pid_t pid, unsigned long long ticks, sockaddr_un& address) {
    address = {};
    address.sun_family = AF_UNIX;
    const std::string name = keeper_socket_name(pid, ticks);
    std::memcpy(address.sun_path + 1, name.data(), name.size());  // sun_path[0] = '\0'
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

}  // namespace

Fd listen_as_keeper(pid_t pid, unsigned long long ticks) {
    Fd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un address{};
    const socklen_t length = keeper_address(pid, ticks, address);
    if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd.get(), 8) != 0)
        return Fd();
    return fd;
}

Fd connect_to_keeper(pid_t pid, unsigned long long ticks) {
    Fd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    const socklen_t length = keeper_address(pid, ticks, address);
    if (!fd.valid() || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0)
        return Fd();
    return fd;
}

bool peer_is_same_user(int socket) {
    ucred cred{};
    socklen_t size = sizeof cred;
    return ::getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0 &&
           cred.uid == ::geteuid();
}

}  // namespace asha
