#pragma once
/// The records a leg's supervisor leaves in its trial's directory, and their one codec (the
/// supervisor writes them, the local launcher reads them; README "The run directory" lists
/// them), in one file per leg, trials/<id>/leg-<N>.jsonl, one JSON object per line:
///   once the trial runs: {"leg":N,"supervisor":PID,"ticks":T,"trial":PID}
///   when it ended:       {"leg":N,"exit_code":C,"signal":S,"stopped":B,"orphaned":B}
/// (a trial that could not start leaves the second alone). The supervisor creates the file
/// when it has started the trial (the launcher removes an earlier try's before the leg starts)
/// and keeps it open; each record is one write(2), without a temporary file and a rename. One
/// file, not one per record: creating a file is the dearest thing a supervisor does after its
/// own start (docs/benchmarks.md, "The supervisor's cost"), and the end record, written once
/// the trial has exited, lies between a trial's exit and the next start in its slot. A reader
/// that catches a record half-written (only a resume can: the tuner reads a leg's end once its
/// supervisor has exited) decodes nothing, which means "not there yet", the same as a moment
/// earlier: the resume then treats the leg as one whose supervisor never started it, or takes it
/// over and reads its end once the supervisor is gone. They are not fsynced: they matter only
/// while the machine runs (a crash of the machine ends every trial anyway, and the journal,
/// which is synced, decides then). Builds before this one wrote each record to a file of its
/// own (leg-<N>.run, leg-<N>.exit): those are still read, so that a resume takes over their
/// legs too.

#include "sys/fd.hpp"

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

/// trials/<id>/leg-<N>.jsonl
std::string leg_records_path(const std::string& trial_dir, int leg);

std::string encode_leg_run(const LegRun& run);
std::string encode_leg_end(const SupervisedExit& end);
/// nullopt for text that is not such a record (one line, or the whole text of one).
std::optional<LegRun> decode_leg_run(const std::string& text);
std::optional<SupervisedExit> decode_leg_end(const std::string& text);

/// Appends a record (encode_leg_run / encode_leg_end) to `path` in one write(2), through `file`:
/// opened (created, emptied) at the first record, kept open for the next. "" or what failed.
std::string append_leg_record(Fd& file, const std::string& path, const std::string& text);

/// Removes leg `leg`'s records from `trial_dir` (an earlier try's), in either form.
void remove_leg_records(const std::string& trial_dir, int leg);

/// The record of leg `leg` in `trial_dir`, or nullopt while there is none.
std::optional<LegRun> read_leg_run(const std::string& trial_dir, int leg);
std::optional<SupervisedExit> read_leg_end(const std::string& trial_dir, int leg);

}  // namespace asha
