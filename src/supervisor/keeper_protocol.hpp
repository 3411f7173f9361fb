#pragma once
/// How the local launcher talks to the run's keeper (keeper.hpp): messages on a
/// SOCK_SEQPACKET socket, one packet each, whose fields are NUL-separated text, with
/// descriptors passed along (SCM_RIGHTS). The tuner that starts a keeper talks to it on a
/// socket pair; a resumed tuner connects to the keeper's listening socket in the abstract
/// namespace, named by the keeper's pid and start time (the journal's handle names both).
///
/// Tuner to keeper (a leg's end pipe, whose write end the keeper closes once the leg's end is
/// recorded, is what the tuner waits on):
///   start TRIAL LEG TRIAL_DIR CWD ARGC ARGV... ENV...   fds: go (read end), stdout log,
///                                                             stderr log, end (write end)
///   stop  TRIAL LEG term|kill
///   adopt TRIAL LEG                                       fds: end (write end)
/// Keeper to tuner:
///   hello PID TICKS         once, to the tuner that started it, when it is ready
/// Nothing else is answered: the tuner never waits for its keeper, which on a machine as busy
/// as 64 trials on 2 cores waited its turn for the CPU up to 0.7 s per start (an answer to each
/// start held the tuner, and every report it had to journal, for that long). What an answer
/// would say comes with the leg's end instead: before it closes an end pipe, the keeper writes
/// kLetGo into it. An end pipe that closes without it belonged to a keeper that died (killed
/// from outside; the legs sent to it as it died included) or that did not take the start (a
/// leg it already has): the tuner gives its later legs supervisors of their own.
/// A resume connects to the keeper a dead tuner started, which may be of the version before an
/// upgrade: `adopt` and `stop` keep their meaning from one version to the next (a new message
/// kind is fine: an older keeper ignores what it does not know).

#include "sys/fd.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace asha {

/// The largest message sent: a start with a larger environment or command line is given to a
/// supervisor of its own instead (the default socket buffer holds at least this much).
inline constexpr std::size_t kMaxKeeperMessage = 128 * 1024;
/// Written into a leg's end pipes as the keeper lets the leg go: its end is recorded (or could
/// not be: the leg's stderr.log says why), or it never started (its go did not come).
inline constexpr char kLetGo = 'e';
/// At most this many descriptors travel with one message.
inline constexpr std::size_t kMaxKeeperFds = 4;

struct KeeperMessage {
    std::vector<std::string> fields;
    std::vector<Fd> fds;
};

/// Sends one message; false when it cannot (errno says why: EPIPE once the keeper is gone,
/// EMSGSIZE for one too large). Blocks only while the keeper is behind by a socket buffer.
bool send_keeper_message(int socket, const std::vector<std::string>& fields,
                         const std::vector<int>& fds = {});
/// Receives one message (its descriptors close-on-exec). nullopt at the end of the
/// connection, or for a message that is not one (truncated, no fields).
std::optional<KeeperMessage> receive_keeper_message(int socket, bool& closed);

/// The abstract socket name of keeper `pid` started at `ticks` (without the leading NUL).
std::string keeper_socket_name(pid_t pid, unsigned long long ticks);
/// A listening socket of that name (close-on-exec, non-blocking); invalid on an error.
Fd listen_as_keeper(pid_t pid, unsigned long long ticks);
/// A connection to keeper `pid`'s socket; invalid when there is none.
Fd connect_to_keeper(pid_t pid, unsigned long long ticks);
/// Whether the peer of a connected socket runs as our user (SO_PEERCRED): a keeper starts
/// commands, so it answers no one else.
bool peer_is_same_user(int socket);

}  // namespace asha
