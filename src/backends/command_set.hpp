#pragma once
/// The control commands in flight (scancel, squeue), in the manner of ninja's SubprocessSet:
/// started without waiting, their output read and their ends reaped through the engine's one
/// poll(), so that a slow scancel never holds up the loop. The engine owns the wait; this set
/// says what to poll and handles what became ready.

#include "backends/launcher.hpp"
#include "backends/process.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace asha {

class CommandSet {
  public:
    CommandSet() = default;
    ~CommandSet() { kill_all(); }
    CommandSet(const CommandSet&) = delete;
    CommandSet& operator=(const CommandSet&) = delete;

    /// Which of a command's descriptors polled ready.
    enum class Ready { stdout_data, stderr_data, ended };

    /// Starts `command`. One that cannot start is done at once, with status 127 (what a shell
    /// says of a missing command).
    void start(ControlCommand command);
    /// Calls `add(fd, index, what)` for every descriptor of every command in flight.
    void poll_fds(const std::function<void(int fd, std::size_t index, Ready what)>& add) const;
    /// Descriptor `what` of command `index` (as poll_fds() named it) polled ready: reads one
    /// chunk of its output, or notes that it ended.
    void on_ready(std::size_t index, Ready what);
    /// Reaps every command whose end was noted, reads the rest of its stdout and calls its
    /// `done` with its status (-N when killed by signal N) and stdout. Indices change after it.
    void finish_ended();
    /// Kills and reaps every command in flight, without calling their `done` (the engine's
    /// last line of defence: nothing it started outlives it).
    void kill_all();
    std::size_t size() const { return commands_.size(); }

  private:
    struct Command {
        Child child;
        std::string output;
        std::function<void(int, const std::string&)> done;
        bool ended = false;
    };
    std::vector<std::unique_ptr<Command>> commands_;
    std::vector<char> buffer_ = std::vector<char>(4096);
};

}  // namespace asha
