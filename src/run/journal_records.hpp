#pragma once
/// The records of journal.jsonl, one struct per kind, and the one codec that writes and reads
/// them (docs/journal.md is the spec; this file is its only implementation). The tuner builds
/// these structs, the writer encodes them, the replay decodes them: no other code spells a key.
///
/// Encoding keeps the byte format of journal version 1: every record starts with "event", the
/// keys in the order of docs/journal.md; doubles are the shortest text that reads back to the same
/// double, with NaN and ±inf as the strings "NaN", "Infinity", "-Infinity".

#include "asha/experiment.hpp"
#include "asha/trial.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace asha {

/// Line 1: how the run was started. `config` is the resolved document, from which
/// parse_experiment() rebuilds the experiment.
struct JournalHeader {
    int journal_version = 1;
    std::string tuner_version;
    std::string backend;  ///< "local" or "simulate"
    std::string config_file;
    std::string cwd;  ///< where the tuner ran: relative paths in `command` mean this
    std::string command_line;
    json config;
    /// The run's identity (run/run_id.hpp), given when the run is created; "" in the journals
    /// of asha-tune before it had one.
    std::string run_id;
};

/// Before a leg is started.
struct StartRecord {
    double time = 0;
    TrialId trial = 0;
    int leg = 0;
    LaunchKind kind = LaunchKind::new_trial;
    int bracket = 0;
    double milestone = 0;               ///< 0: unbounded
    std::optional<Config> config;       ///< new trials only
    std::optional<DecisionReason> why;  ///< promotions (journal version 2)
};

/// After a leg was spawned (real runs): how to find its processes after a crash.
struct StartedRecord {
    double time = 0;  ///< the leg's start
    TrialId trial = 0;
    std::string handle;  ///< the backend's (LegStarted::handle)
    std::string gpus;
    /// Where the leg's output begins in stdout.log, when the backend follows that file.
    std::uint64_t offset = 0;
};

/// A queued leg (Slurm) started on a node.
struct RunningRecord {
    double time = 0;
    TrialId trial = 0;
    /// The leg's handle once it runs, when that says more than the `started` record's (a Slurm
    /// leg's job or step id, which stops and a resume address it by); "" when unchanged.
    std::string handle;
};

/// An accepted report and the scheduler's decision, before the decision is applied.
struct ReportRecord {
    double time = 0;
    TrialId trial = 0;
    double resource = 0;
    double metric = 0;
    Decision decision = Decision::proceed;
    /// Every reported key; nullopt when they are only the resource and the metric (left out of
    /// the line, see report_fields()).
    std::optional<json> fields;
    /// Where the report's line ends in stdout.log, when the backend follows that file: a resume
    /// reads on from there (0: not known).
    std::uint64_t offset = 0;
    /// Why, when the report reached a rung or max_t, or the run was ending (journal version 2).
    std::optional<DecisionReason> why;
    /// PASHA raised its top after this report (journal version 4).
    std::optional<TopRaise> raised;
};

/// Before a leg is stopped for trial_timeout / report_timeout.
struct TimeoutRecord {
    double time = 0;
    TrialId trial = 0;
    std::string reason;
};

/// A leg's process ended, before anything is done about it.
struct ExitRecord {
    double time = 0;
    TrialId trial = 0;
    int exit_code = 0;
    int signal = 0;
    bool stopped_by_tuner = false;
    std::string stderr_tail;
};

struct InterruptRecord {
    double time = 0;
    int signal = 0;
};

/// A stop criterion, a failure limit or an interrupt ends the run.
struct EndRecord {
    double time = 0;
    std::string reason;
    int exit_code = 0;
};

/// A resumed tuner starts.
struct ResumeRecord {
    double time = 0;
    long pid = 0;
};

/// A heartbeat: bounds the time a crash can take off the run's clock.
struct ClockRecord {
    double time = 0;
};

/// The run loop is over.
struct FinishedRecord {
    double time = 0;
    std::string reason;
    int exit_code = 0;
};

using JournalRecord =
    std::variant<StartRecord, StartedRecord, RunningRecord, ReportRecord, TimeoutRecord, ExitRecord,
                 InterruptRecord, EndRecord, ResumeRecord, ClockRecord, FinishedRecord>;

/// The time of any record.
double record_time(const JournalRecord& record);

/// `record` as one line of compact JSON, without the newline.
std::string encode_record(const JournalRecord& record);
std::string encode_header(const JournalHeader& header);

/// The record on one line. Throws json::exception or std::invalid_argument (a wrong type, a
/// missing key, an unknown event), which the reader turns into an error naming the line.
JournalRecord decode_record(std::string_view line);
JournalHeader decode_header(const json& line);

/// A report record's fields: the recorded ones, or the resource and the metric alone.
json report_fields(const ReportRecord& record, const std::string& resource_attr,
                   const std::string& metric);

/// A decision's reason as the journal's `why` object, and back (throws std::invalid_argument or
/// json::exception for a malformed one).
std::string encode_reason(const DecisionReason& why);
DecisionReason decode_reason(const json& why);
/// PASHA's raise as the journal's `raised` object, and back.
std::string encode_raise(const TopRaise& raised);
TopRaise decode_raise(const json& raised);

/// A double as JSON that survives the round trip: a number, or "NaN", "Infinity", "-Infinity".
json journal_number(double x);
/// The inverse of journal_number(); throws std::invalid_argument for anything else.
double journal_double(const json& value);

}  // namespace asha
