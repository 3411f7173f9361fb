#pragma once
/// The tuner's side of a run's keeper (supervisor/keeper.hpp): the keeper this tuner started
/// for its legs, or the one a dead tuner started, whose legs a resume takes over. Every call
/// is a message without an answer (supervisor/keeper_protocol.hpp): a leg's end is a pipe
/// whose write end the keeper closes once the end is recorded (kLetGo first), which the engine
/// polls as it polls a pidfd.

#include "asha/trial.hpp"
#include "sys/fd.hpp"

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace asha {

class KeeperLink {
  public:
    /// Starts a keeper for the run with `program` (asha-supervise, or asha-tune's hidden mode)
    /// and waits for its hello; nullptr, and `problem` says why, when it does not answer.
    static std::unique_ptr<KeeperLink> start(const std::vector<std::string>& command,
                                             std::string& problem);
    /// Connects to keeper `pid` started at `ticks`; nullptr when it is gone.
    static std::unique_ptr<KeeperLink> connect(pid_t pid, unsigned long long ticks);
    /// Closes the connection; a keeper this tuner started then ends once its legs have (it is
    /// reaped if it does so within a moment).
    ~KeeperLink();
    KeeperLink(const KeeperLink&) = delete;
    KeeperLink& operator=(const KeeperLink&) = delete;

    pid_t pid() const { return pid_; }
    unsigned long long ticks() const { return ticks_; }

    /// A leg handed over: the read end of its end pipe and the write end of its go pipe.
    struct Started {
        Fd end, go;
    };
    /// Hands a leg to the keeper without waiting for it (keeper_protocol.hpp). nullopt when
    /// it cannot be sent: errno EMSGSIZE for a command line and environment too large for one
    /// message (that leg needs a supervisor of its own), anything else when the keeper is gone.
    std::optional<Started> start_leg(TrialId trial, int leg, const std::string& trial_dir,
                                     const std::string& cwd, const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env, int out, int err);
    /// The read end of a new end pipe of a leg it keeps (closed at once by the keeper when the
    /// leg has ended); nullopt when the keeper is gone.
    std::optional<Fd> adopt(TrialId trial, int leg);
    /// Asks it to stop the leg (SIGTERM and the grace period, or SIGKILL now); false when the
    /// keeper is gone.
    bool stop(TrialId trial, int leg, bool kill);
    /// Whether the keeper let the leg of end pipe `end` (ended: readable) go on purpose. False:
    /// it died with the leg, or never took it (the leg may never have run).
    static bool let_go(int end);
    /// SIGKILLs the keeper itself (it did not end its legs when asked).
    void kill();

  private:
    KeeperLink(pid_t pid, unsigned long long ticks, Fd socket, bool child)
        : pid_(pid), ticks_(ticks), socket_(std::move(socket)), child_(child) {}

    pid_t pid_;
    unsigned long long ticks_;
    Fd socket_;
    Fd pidfd_;    // of the keeper
    bool child_;  // ours to reap
};

}  // namespace asha
