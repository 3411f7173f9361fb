#pragma once
/// Reads a run directory back (for `asha-tune status` and `asha-tune report`), from another
/// process while the run goes on or after it ended. Only files: no IPC with the tuner.

#include "asha/experiment.hpp"
#include "asha/run_writer.hpp"
#include "asha/trial.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace asha {

/// A CSV file as rows of named cells.
struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    /// Column index of `name`, or -1.
    int column(const std::string& name) const;
};

/// Parses CSV text (RFC 4180 quoting); a last line without its newline (a row being written) is
/// dropped.
CsvTable parse_csv(const std::string& text);

/// Calls `on_row` for every complete row of `text` (the header first), one row at a time.
void scan_csv(const std::string& text,
              const std::function<void(std::vector<std::string>&)>& on_row);

struct ResultRow {
    TrialId trial = 0;
    double time = 0;  ///< st_tuner_time
    double resource = 0;
    double metric = 0;
    std::string decision;
    /// Several objectives or constraints: every objective and the violation (else empty).
    Observation seen;
};

struct LegRow {
    TrialId trial = 0;
    int leg = 0;
    double start = 0, end = 0;
    std::string status;
    bool running = false;  ///< a leg still running when the files were read (end = read time)
};

/// PASHA's top rung as the journal tells it (README "PASHA").
struct TopRungState {
    double level = 0;        ///< where trials go up to now (max_t: no limit any more)
    std::size_t raises = 0;  ///< how often PASHA raised it
    double since = 0;        ///< tuner time of the last raise (0: never raised)
    double epsilon = 0;      ///< the noise of the last raise
};

struct RunData {
    std::filesystem::path dir;
    ExperimentConfig config;
    std::vector<TrialRecord> trials;       ///< from trials.csv
    std::vector<ResultRow> results;        ///< from results.csv
    std::vector<LegRow> legs;              ///< from legs.csv, plus running legs
    bool finished = false;                 ///< summary.json exists
    bool running = false;                  ///< the tuner's pid file names a live process
    json summary;                          ///< summary.json, or null
    std::string run_id;                    ///< metadata.json's; "" for runs of versions before it
    std::string start_time;                ///< metadata.json's (UTC, ISO 8601)
    std::optional<TopRungState> top_rung;  ///< scheduler type pasha only
};

/// PASHA's top rung of the run whose journal is `journal` (its start level, then every raise).
TopRungState read_top_rung(const std::filesystem::path& journal, const ExperimentConfig& config);

/// Reads the run directory; throws Error(bad_config) naming what is missing or unreadable.
RunData read_run(const std::filesystem::path& dir);

/// The summary of a run read back: counts by status from trials.csv, the best finite result of
/// results.csv, the wall-clock time of summary.json (or of the last result while it runs).
RunSummary summarize(const RunData& run);

}  // namespace asha
