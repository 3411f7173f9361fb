#pragma once
/// The run's keeper: one process (`asha-supervise --keeper`) that supervises every local leg
/// a tuner starts, so that a leg costs the trial's own fork and exec and nothing more
/// (issue 25; docs/benchmarks.md, "The keeper"). It keeps every guarantee of a supervisor per
/// leg (supervisor.hpp), for all its legs at once:
///   - it is started by the local launcher in a session of its own and outlives a tuner that
///     dies; a resumed tuner connects to it (keeper_protocol.hpp) and takes its legs over;
///   - a leg starts only once its go comes (a byte on the go pipe the launcher passed along,
///     written once the leg is journaled); the end of that pipe first means the tuner died and
///     the leg never starts;
///   - each trial runs in a process group of its own, its stdout and stderr the trial's logs;
///     the keeper is the subreaper of everything the trials start, and when a trial ends kills
///     its group and what left the group but carries the trial's ASHA_TRIAL_DIR;
///   - `stop` sends SIGTERM to the trial's group and SIGKILL after the grace period; `kill`
///     sends SIGKILL at once; SIGTERM (SIGUSR1) to the keeper does that to every leg;
///   - it records each leg in trials/<id>/leg-<N>.jsonl (sys/leg_records.hpp), naming itself
///     as the leg's supervisor, and then closes the leg's end pipes;
///   - it watches the tuner (tuner_watch.hpp) once for all legs, and stops every leg when none
///     has held the run's lock for orphan_timeout;
///   - it ends once it has no leg and no connection, killing whatever is left of its children.

#include <string>

namespace asha {

struct KeeperSpec {
    std::string run_dir;          ///< absolute
    double grace_period = 5;      ///< SIGTERM to SIGKILL, seconds
    double orphan_timeout = 120;  ///< seconds without a tuner before every leg is stopped
};

/// The keeper's main: `control` is its connection to the tuner that started it (its stdin).
/// Returns the process's exit status.
int keeper_main(const KeeperSpec& spec, int control);

}  // namespace asha
