#pragma once
/// The supervisor of one local leg: the small program `asha-supervise` (apps/asha_supervise.cpp;
/// also `asha-tune __supervise`, a hidden mode, where no asha-supervise lies beside asha-tune),
/// which the local launcher starts in a session of its own, so that it and the trial outlive a
/// tuner that dies (README "Reliability"). The same program with --keeper is the run's keeper
/// (keeper.hpp), which does all this for every leg of a tuner in one process; a supervisor per
/// leg is what a leg gets where no keeper answers. It
///   - waits for the tuner's go (a byte on its stdin, sent once the tuner has journaled the
///     leg's handle): a supervisor whose tuner died before that never starts its trial, so a
///     resume that relaunches the leg never races a twin;
///   - starts the trial in a process group of its own, with stdout and stderr going straight to
///     trials/<id>/stdout.log and stderr.log (appended), so that nothing the trial prints is lost
///     when no tuner is reading; the tuner follows those files;
///   - is the subreaper of everything the trial starts, and kills all of it when the trial ends;
///   - stops the trial when asked: SIGTERM to the supervisor sends SIGTERM to the trial's group
///     and SIGKILL after the grace period; SIGUSR1 sends SIGKILL at once;
///   - records how the leg ended in trials/<id>/leg-<N>.jsonl (sys/leg_records.hpp), which a
///     tuner that did not start it reads when the supervisor's pidfd says it is gone;
///   - watches the tuner: the tuner holds a POSIX lock on tuner.pid, and F_GETLK names it. When
///     it dies (its pidfd) and no tuner takes the lock again (inotify on the run directory)
///     within the orphan timeout, the supervisor stops the trial: nothing trains unattended.
/// It links only the lowest layer (sys/): every leg pays its start-up, so it has no logger, no
/// JSON library, no iostreams, and is linked statically where the toolchain allows
/// (docs/benchmarks.md, "The supervisor's cost").

#include "supervisor/tuner_watch.hpp"

#include <string>
#include <vector>

namespace asha {

/// The hidden mode of asha-tune that runs a supervisor (argv[1]).
inline constexpr const char* kSuperviseMode = "__supervise";

/// One leg to supervise.
struct SupervisorSpec {
    std::string run_dir;    ///< absolute
    std::string trial_dir;  ///< absolute
    int leg = 0;
    double grace_period = 5;      ///< SIGTERM to SIGKILL, seconds
    double orphan_timeout = 120;  ///< seconds without a tuner before the trial is stopped
    std::string cwd;              ///< "" = the supervisor's
    std::vector<std::string> argv;
};

/// The command line that starts a supervisor of `spec` with `program`: the path of
/// asha-supervise, or of asha-tune itself (then its hidden mode is named first). The version is
/// passed along, and a supervisor of another version refuses to start (a stale asha-supervise
/// beside a newer asha-tune).
std::vector<std::string> supervisor_command(const std::string& program, const SupervisorSpec& spec);

/// The command line that starts the run's keeper (keeper.hpp) with `program`, as above.
std::vector<std::string> keeper_command(const std::string& program, const std::string& run_dir,
                                        double grace_period, double orphan_timeout);

/// The supervisor's main (of asha-supervise, or of asha-tune's hidden mode: argv[1] is then
/// kSuperviseMode), or with --keeper the keeper's (keeper.hpp). Returns the process's exit status:
/// 0 once the leg's end is recorded (or when no go came), 2 for a malformed command line or another
/// version's.
int supervise_main(int argc, char** argv);

}  // namespace asha
