#pragma once
/// Recorded learning curves, for `asha-tune simulate --curves`: one curve per recorded
/// configuration, its reported values and the time each step took, as a table or a finished run
/// recorded them. A simulation replays them: the configurations are the search space, each
/// trial reports the recorded values at the recorded resource levels and the virtual clock moves
/// by the recorded times. Pure code: the rows come in as text (run/curve_source reads the files).

#include "asha/config_space.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace asha {

struct RecordedCurve {
    Config config;               ///< a full configuration of the config space (constants too)
    std::vector<double> levels;  ///< resource levels, strictly increasing
    /// Seconds since the configuration's training began, at each level (non-decreasing).
    std::vector<double> elapsed;
    /// levels.size() rows of RecordedCurves::value_names.size() values, row-major.
    std::vector<double> values;
    bool failed = false;  ///< the recording failed after its last level
};

struct RecordedCurves {
    std::string source;                    ///< what it was read from, for messages
    std::vector<std::string> value_names;  ///< every reported value, in the source's order
    std::vector<RecordedCurve> curves;

    /// The index of value `name` in value_names, or -1.
    int value_index(std::string_view name) const;
    /// The curve of `config` (equal as JSON), or nullopt.
    std::optional<std::size_t> find(const Config& config) const;
    /// Builds the index find() uses; called by CurveTableBuilder::finish.
    void index();

  private:
    std::unordered_map<std::string, std::size_t> by_config_;
};

/// Turns rows of text into RecordedCurves, checking each as it comes. The columns:
///   - `config_<name>` for every hyperparameter of `space` that is not a constant (a constant's
///     column may be there and must hold the constant); no other `config_` column;
///   - `resource_attr` (e.g. `epoch`): the level, positive and increasing along a curve;
///   - `st_worker_time` (seconds since the configuration's training began, as results.csv has
///     it) or `st_step_time` (the seconds this step took): exactly one of them;
///   - optionally `status`: `Failed` or `Timeout` on a curve's rows means the recording failed
///     after its last level (anything else: it ended cleanly);
///   - every other column is a reported value: numbers (`nan`, `inf` allowed); `required`
///     (the config's metrics and constrained values) must be among them;
///   - ignored: `trial_id`, `st_tuner_time`, `st_decision`, `st_status` (results.csv's own).
/// Rows are grouped into curves by `trial_id` when `by_trial` (a run directory's results.csv,
/// where a configuration tried twice keeps its longer curve), else by configuration (a table:
/// a configuration's rows must come in increasing resource order, each level once).
/// Every error is a ConfigError "SOURCE:LINE: ..." naming the column.
class CurveTableBuilder {
  public:
    CurveTableBuilder(const ConfigSpace& space, std::string resource_attr,
                      const std::vector<std::string>& required, bool by_trial);

    /// The header of a source (a file, or one run's results.csv); every source of one builder
    /// must have the same reported values.
    void begin(std::string source, const std::vector<std::string>& header);
    /// One data row of the current source; `line` numbers it in messages.
    void add(const std::vector<std::string>& cells, std::size_t line);
    /// A run's trial ended as `status` (trials.csv's): Failed and Timeout mark its curve failed.
    void trial_status(std::string_view trial_id, std::string_view status);
    /// The curves (ConfigError if there are none); configurations recorded twice across trials
    /// are counted in duplicates().
    RecordedCurves finish();
    std::size_t duplicates() const { return duplicates_; }

  private:
    struct Column {
        int hp = -1;     // index in params_, for config_<name>
        int value = -1;  // index in value_names
    };
    [[noreturn]] void fail(std::size_t line, const std::string& message) const;
    json hp_value(std::size_t param, std::string_view cell, std::size_t line,
                  const std::string& column) const;
    double number(std::string_view cell, std::size_t line, const std::string& column) const;

    const ConfigSpace& space_;
    std::string resource_attr_;
    std::vector<std::string> required_;
    bool by_trial_;

    std::string source_;
    std::vector<std::string> header_;
    std::vector<Column> columns_;
    int resource_col_ = -1, elapsed_col_ = -1, step_col_ = -1, status_col_ = -1, trial_col_ = -1;
    std::vector<int> hp_cols_;  // per param: its column or -1
    std::vector<std::string> value_names_;
    std::vector<RecordedCurve> curves_;
    std::unordered_map<std::string, std::size_t> open_;  // group key -> curve
    std::size_t duplicates_ = 0;
    std::size_t sources_ = 0;
};

}  // namespace asha
