#include "backends/command_set.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace asha {

void CommandSet::start(ControlCommand command) {
    SpawnSpec spec;
    spec.argv = command.argv;
    spec.env = current_environment();
    auto running = std::make_unique<Command>();
    try {
        running->child = spawn_child(spec);
    } catch (const std::system_error&) {
        if (command.done) command.done(127, "");
        return;
    }
    running->done = std::move(command.done);
    commands_.push_back(std::move(running));
}

void CommandSet::poll_fds(
    const std::function<void(int fd, std::size_t index, Ready what)>& add) const {
    for (std::size_t i = 0; i < commands_.size(); ++i) {
        const Child& c = commands_[i]->child;
        if (c.stdout_fd.valid()) add(c.stdout_fd.get(), i, Ready::stdout_data);
        if (c.stderr_fd.valid()) add(c.stderr_fd.get(), i, Ready::stderr_data);
        add(c.pidfd.get(), i, Ready::ended);
    }
}

void CommandSet::on_ready(std::size_t index, Ready what) {
    Command& command = *commands_.at(index);
    if (what == Ready::ended) {
        command.ended = true;
        return;
    }
    // stderr is read only so that a chatty command never blocks on a full pipe.
    Fd& fd = what == Ready::stdout_data ? command.child.stdout_fd : command.child.stderr_fd;
    const ssize_t got = ::read(fd.get(), buffer_.data(), buffer_.size());
    if (got > 0 && what == Ready::stdout_data)
        command.output.append(buffer_.data(), static_cast<std::size_t>(got));
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) fd.reset();
}

void CommandSet::finish_ended() {
    std::vector<std::unique_ptr<Command>> ended, in_flight;
    for (auto& command : commands_)
        (command->ended ? ended : in_flight).push_back(std::move(command));
    commands_ = std::move(in_flight);
    // Their `done` runs after the set is consistent again: it may be anything the launcher does.
    for (auto& command : ended) {
        int status = 0;
        while (::waitpid(command->child.pid, &status, 0) < 0 && errno == EINTR) {
        }
        for (ssize_t n;
             command->child.stdout_fd.valid() &&
             (n = ::read(command->child.stdout_fd.get(), buffer_.data(), buffer_.size())) > 0;)
            command->output.append(buffer_.data(), static_cast<std::size_t>(n));
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        if (command->done) command->done(code, command->output);
    }
}

void CommandSet::kill_all() {
    for (auto& command : commands_) {
        ::kill(command->child.pid, SIGKILL);
        int status = 0;
        while (::waitpid(command->child.pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    commands_.clear();
}

}  // namespace asha
