#pragma once
/// The supervisor of one local leg: `asha-tune __supervise ...`, a hidden mode of asha-tune's own
/// binary that the local launcher starts in a session of its own, so that it and the trial
/// outlive a tuner that dies (README "Reliability"). It
///   - waits for the tuner's go (a byte on its stdin, sent once the tuner has journaled the
///     leg's handle): a supervisor whose tuner died before that never starts its trial, so a
///     resume that relaunches the leg never races a twin;
///   - starts the trial in a process group of its own, with stdout and stderr going straight to
///     trials/<id>/stdout.log and stderr.log (appended), so that nothing the trial prints is lost
///     when no tuner is reading; the tuner follows those files;
///   - is the subreaper of everything the trial starts, and kills all of it when the trial ends;
///   - stops the trial when asked: SIGTERM to the supervisor sends SIGTERM to the trial's group
///     and SIGKILL after the grace period; SIGUSR1 sends SIGKILL at once;
///   - records how the leg ended in trials/<id>/leg-<N>.exit (written atomically, then it exits),
///     which a tuner that did not start it reads when the supervisor's pidfd says it is gone;
///   - watches the tuner: the tuner holds a POSIX lock on tuner.pid, and F_GETLK names it. When
///     it dies (its pidfd) and no tuner takes the lock again (inotify on the run directory)
///     within the orphan timeout, the supervisor stops the trial: nothing trains unattended.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace asha {

inline constexpr const char* kSuperviseMode = "__supervise";

/// One leg to supervise.
struct SupervisorSpec {
    std::filesystem::path run_dir;
    std::filesystem::path trial_dir;
    int leg = 0;
    double grace_period = 5;      ///< SIGTERM to SIGKILL, seconds
    double orphan_timeout = 120;  ///< seconds without a tuner before the trial is stopped
    std::string cwd;              ///< "" = the supervisor's
    std::vector<std::string> argv;
};

/// The command line that starts a supervisor of `spec` from the executable `self`.
std::vector<std::string> supervisor_command(const std::string& self, const SupervisorSpec& spec);

/// The hidden mode's main: argv[1] is kSuperviseMode. Returns the process's exit status (0 once
/// the leg's end is recorded; 2 for a malformed command line).
int supervise_main(int argc, char** argv);

/// How a leg ended, as its supervisor recorded it.
struct SupervisedExit {
    int exit_code = 0;  ///< valid when signal == 0
    int signal = 0;
    bool stopped = false;   ///< it was asked to stop (by a tuner, or for want of one)
    bool orphaned = false;  ///< stopped because no tuner was attached for orphan_timeout
};

/// trials/<id>/leg-<N>.run: written by the supervisor once it has started the trial (its pid
/// and start time); a resume takes over only a leg whose supervisor it names.
std::filesystem::path leg_run_path(const std::filesystem::path& trial_dir, int leg);
/// The supervisor that leg-<N>.run names: (pid, start time), or nullopt.
std::optional<std::pair<pid_t, unsigned long long>> read_leg_run(
    const std::filesystem::path& trial_dir, int leg);

std::filesystem::path leg_end_path(const std::filesystem::path& trial_dir, int leg);
/// The recorded end of leg `leg`, or nullopt while it runs (or if its supervisor died first).
std::optional<SupervisedExit> read_leg_end(const std::filesystem::path& trial_dir, int leg);

}  // namespace asha
