#include "backends/keeper_link.hpp"

#include "supervisor/keeper_protocol.hpp"
#include "sys/proc.hpp"
#include "sys/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

namespace asha {

namespace {

/// How long a keeper has to say hello, and to end once its tuner lets go.
constexpr int kHelloMs = 10000, kEndMs = 2000;

std::optional<long long> number(const std::string& text) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::unique_ptr<KeeperLink> KeeperLink::start(const std::vector<std::string>& command,
                                              std::string& problem) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        problem = std::string("socketpair: ") + std::strerror(errno);
        return nullptr;
    }
    Fd ours(pair[0]), theirs(pair[1]);
    const Fd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    // In a session of its own (it outlives us and no terminal's signals reach it), in /
    // (it holds no directory busy), its output nowhere: what it says about a leg goes to
    // the leg's stderr.log, and a descriptor of ours that it kept would hold up whoever
    // reads our output to its end.
    SpawnRequest request;
    request.argv = command;
    request.cwd = "/";
    request.stdin_fd = theirs.get();
    request.stdout_fd = request.stderr_fd = null.get();
    request.blocked_signals = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCHLD};
    pid_t pid = -1;
    try {
        pid = spawn_process(request);
    } catch (const std::system_error& e) {
        problem = e.what();
        return nullptr;
    }
    theirs.reset();
    std::unique_ptr<KeeperLink> link(new KeeperLink(pid, 0, std::move(ours), true));
    link->pidfd_ = open_pidfd(pid);
    pollfd p{link->socket_.get(), POLLIN, 0};
    bool closed = false;
    std::optional<KeeperMessage> hello;
    while (::poll(&p, 1, kHelloMs) < 0 && errno == EINTR) {
    }
    if (p.revents) hello = receive_keeper_message(link->socket_.get(), closed);
    if (!hello || hello->fields.size() != 3 || hello->fields[0] != "hello" ||
        number(hello->fields[1]) != pid || !number(hello->fields[2])) {
        problem = "it did not answer (exit status: see `" + command[0] + "`)";
        link->kill();
        return nullptr;
    }
    link->ticks_ = static_cast<unsigned long long>(*number(hello->fields[2]));
    return link;
}

std::unique_ptr<KeeperLink> KeeperLink::connect(pid_t pid, unsigned long long ticks) {
    Fd socket = connect_to_keeper(pid, ticks);
    if (!socket.valid()) return nullptr;
    std::unique_ptr<KeeperLink> link(new KeeperLink(pid, ticks, std::move(socket), false));
    link->pidfd_ = open_pidfd(pid);
    return link;
}

KeeperLink::~KeeperLink() {
    socket_.reset();
    if (!child_) return;
    // It ends at once when it has no leg left (the end of a run): reap it. Otherwise (legs
    // left running on purpose) it is reaped by whoever inherits it.
    pollfd p{pidfd_.get(), POLLIN, 0};
    if (pidfd_.valid() && ::poll(&p, 1, kEndMs) == 1) ::waitpid(pid_, nullptr, WNOHANG);
}

std::optional<KeeperLink::Started> KeeperLink::start_leg(
    TrialId trial, int leg, const std::string& trial_dir, const std::string& cwd,
    const std::vector<std::string>& argv, const std::vector<std::string>& env, int out, int err) {
    std::vector<std::string> fields = {
        "start", std::to_string(trial),      std::to_string(leg), trial_dir,
        cwd,     std::to_string(argv.size())};
    fields.insert(fields.end(), argv.begin(), argv.end());
    fields.insert(fields.end(), env.begin(), env.end());
    auto [go_read, go_write] = make_pipe();
    auto [end_read, end_write] = make_pipe();
    if (!send_keeper_message(socket_.get(), fields, {go_read.get(), out, err, end_write.get()}))
        return std::nullopt;
    // Not answered (keeper_protocol.hpp): whether the keeper took it shows at its end.
    return Started{std::move(end_read), std::move(go_write)};
}

bool KeeperLink::let_go(int end) {
    char byte = 0;
    ssize_t got = 0;
    while ((got = ::read(end, &byte, 1)) < 0 && errno == EINTR) {
    }
    return got == 1 && byte == kLetGo;
}

std::optional<Fd> KeeperLink::adopt(TrialId trial, int leg) {
    auto [end_read, end_write] = make_pipe();
    if (!send_keeper_message(socket_.get(), {"adopt", std::to_string(trial), std::to_string(leg)},
                             {end_write.get()}))
        return std::nullopt;
    return std::move(end_read);
}

bool KeeperLink::stop(TrialId trial, int leg, bool kill) {
    return send_keeper_message(socket_.get(), {"stop", std::to_string(trial), std::to_string(leg),
                                               kill ? "kill" : "term"});
}

void KeeperLink::kill() {
    signal_pidfd(pidfd_, SIGKILL);
    if (child_) ::waitpid(pid_, nullptr, 0);
    child_ = false;
}

}  // namespace asha
