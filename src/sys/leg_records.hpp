#pragma once
/// The records a leg's supervisor leaves in its trial's directory, and their one codec (the
/// supervisor writes them, the local launcher reads them; docs/journal.md lists them):
///   leg-<N>.run   once the trial runs: {"leg":N,"supervisor":PID,"ticks":T,"trial":PID}
///   leg-<N>.exit  when it ended: {"leg":N,"exit_code":C,"signal":S,"stopped":B,"orphaned":B}
/// Each is written by one write(2) into a file of its own that did not exist (the launcher
/// removes an earlier try's before the leg starts), without a temporary file and a rename:
/// every leg pays for each file it creates. A reader that catches one half-written (only a
/// resume can: the tuner reads a leg's records once its supervisor has exited) decodes nothing,
/// which means "not there yet", the same as a moment earlier: the resume then treats the leg as
/// one whose supervisor never started it, or takes it over and reads the `.exit` once the
/// supervisor is gone. They are not fsynced: they matter only while the machine runs (a crash
/// of the machine ends every trial anyway, and the journal, which is synced, decides then).

#include <sys/types.h>

#include <optional>
#include <string>

namespace asha {

/// The supervisor at work on leg N: a resume takes over only a leg whose supervisor it names.
struct LegRun {
    int leg = 0;
    pid_t supervisor = 0;
    unsigned long long ticks = 0;  ///< the supervisor's start time (sys/proc.hpp)
    pid_t trial = 0;
};

/// How a leg ended, as its supervisor recorded it.
struct SupervisedExit {
    int leg = 0;
    int exit_code = 0;  ///< valid when signal == 0
    int signal = 0;
    bool stopped = false;   ///< it was asked to stop (by a tuner, or for want of one)
    bool orphaned = false;  ///< stopped because no tuner was attached for orphan_timeout
};

std::string leg_run_path(const std::string& trial_dir, int leg);
std::string leg_end_path(const std::string& trial_dir, int leg);

std::string encode_leg_run(const LegRun& run);
std::string encode_leg_end(const SupervisedExit& end);
/// nullopt for text that is not such a record.
std::optional<LegRun> decode_leg_run(const std::string& text);
std::optional<SupervisedExit> decode_leg_end(const std::string& text);

/// Writes a record (encode_leg_run / encode_leg_end) to `path`; "" or what failed.
std::string write_leg_record(const std::string& path, const std::string& text);

/// The record of leg `leg` in `trial_dir`, or nullopt while there is none.
std::optional<LegRun> read_leg_run(const std::string& trial_dir, int leg);
std::optional<SupervisedExit> read_leg_end(const std::string& trial_dir, int leg);

}  // namespace asha
