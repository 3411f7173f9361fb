#pragma once
/// One trial's story, from the run's journal (its source of truth): its config, each leg (why it
/// started, when it ended and how) and each decision the scheduler took on it, with the reason
/// the scheduler gave. `asha-tune why RUN_DIR TRIAL` prints it; the reasons are the scheduler's
/// own, read back, never recomputed here.

#include "asha/experiment.hpp"
#include "asha/trial.hpp"
#include "run/journal.hpp"
#include "run/journal_records.hpp"
#include "run/run_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace asha {

struct LegStory {
    StartRecord start;                    ///< why and when it started (`why`: a promotion)
    std::optional<double> running_since;  ///< when it ran (spawned; a queued leg: left its queue)
    std::optional<TimeoutRecord> timeout;
    std::optional<ExitRecord> exit;  ///< none while it runs
};

struct TrialStory {
    TrialId trial = 0;
    Config config;
    int bracket = 0;
    std::vector<LegStory> legs;
    /// The reports that reached a rung or max_t, or came while the run was ending (those with a
    /// reason), and, in journals of version 1 (without reasons), every PAUSE and STOP.
    std::vector<ReportRecord> decisions;
    std::size_t reports = 0;  ///< accepted reports, all legs
    std::optional<ReportRecord> last_report;
    bool has_reasons = true;  ///< false: a journal of version 1
};

/// The story of `trial`; nullopt when the journal never started it.
std::optional<TrialStory> trial_story(const JournalContents& journal, TrialId trial);

/// One sentence saying why, e.g. "rung 3: loss 0.41, 2 of 7 values there better; it continues
/// while at most 2 are (the rung's 0.33 quantile is 0.38)".
std::string explain(const DecisionReason& why, const ExperimentConfig& config);
/// PASHA's raise of its top rung in words.
std::string explain_raise(const TopRaise& raised, const ExperimentConfig& config);

/// The story as text for a person, and as JSON (`why --json`); `status` is the trial's status
/// as the run's files say.
std::string render_story(const TrialStory& story, const ExperimentConfig& config,
                         const std::string& status);
json story_json(const TrialStory& story, const ExperimentConfig& config, const std::string& status);

/// The status of `trial` as the run's files say; a leg the files have not caught up with yet
/// runs.
std::string trial_status(const RunData& run, TrialId trial);

}  // namespace asha
