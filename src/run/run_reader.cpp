#include "run/run_reader.hpp"

#include "run/run_lock.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"
#include "policy/observation.hpp"
#include "policy/pareto_front.hpp"
#include "policy/pasha.hpp"
#include "run/journal_records.hpp"

#include <signal.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>

namespace asha {

namespace fs = std::filesystem;

int CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return static_cast<int>(i);
    return -1;
}

void scan_csv(const std::string& text,
              const std::function<void(std::vector<std::string>&)>& on_row) {
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (quoted) {
            if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"')
                cell += text[++i];
            else if (ch == '"')
                quoted = false;
            else
                cell += ch;
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == ',') {
            row.push_back(std::move(cell));
            cell.clear();
        } else if (ch == '\n') {
            row.push_back(std::move(cell));
            cell.clear();
            on_row(row);
            row.clear();
        } else if (ch != '\r') {
            cell += ch;
        }
    }
    // A trailing row without newline is being written: dropped.
}

CsvTable parse_csv(const std::string& text) {
    CsvTable table;
    bool first = true;
    scan_csv(text, [&](std::vector<std::string>& row) {
        if (first)
            table.header = std::move(row);
        else
            table.rows.push_back(std::move(row));
        first = false;
    });
    return table;
}

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

double number(const std::string& text) {
    if (text.empty()) return std::nan("");
    char* end = nullptr;
    double x = std::strtod(text.c_str(), &end);
    return end == text.c_str() ? std::nan("") : x;
}

json cell_value(const std::string& text) {
    char* end = nullptr;
    if (!text.empty()) {
        long long i = std::strtoll(text.c_str(), &end, 10);
        if (end == text.c_str() + text.size()) return json(static_cast<std::int64_t>(i));
        double d = std::strtod(text.c_str(), &end);
        if (end == text.c_str() + text.size()) return json(d);
    }
    return json(text);
}

std::string cell(const std::vector<std::string>& row, int index) {
    return index >= 0 && static_cast<std::size_t>(index) < row.size()
               ? row[static_cast<std::size_t>(index)]
               : "";
}

}  // namespace

RunData read_run(const fs::path& dir) {
    RunData run;
    run.dir = dir;
    namespace files = run_files;
    std::string metadata_text = read_text(dir / files::metadata);
    if (metadata_text.empty())
        throw Error(ExitCode::bad_config,
                    dir.string() + ": not a run directory (no readable " + files::metadata + ")");
    json metadata = json::parse(metadata_text, nullptr, false);
    if (metadata.is_discarded() || !metadata.contains("config"))
        throw Error(ExitCode::bad_config,
                    (dir / files::metadata).string() + ": not valid run metadata");
    run.config = parse_experiment(metadata["config"], (dir / files::metadata).string());
    if (metadata.value("run_id", json()).is_string()) run.run_id = metadata["run_id"];
    if (metadata.value("start_time", json()).is_string()) run.start_time = metadata["start_time"];

    CsvTable trials = parse_csv(read_text(dir / files::trials));
    namespace t_col = files::trials_csv;
    int c_id = trials.column(t_col::trial_id), c_status = trials.column(t_col::status),
        c_bracket = trials.column(t_col::bracket), c_legs = trials.column(t_col::legs),
        c_iter = trials.column(t_col::iter), c_resource = trials.column(run.config.resource_attr),
        c_metric = trials.column(run.config.metric), c_worker = trials.column(t_col::worker_time),
        c_gpus = trials.column(t_col::gpus), c_exit = trials.column(t_col::exit_code),
        c_error = trials.column(t_col::error), c_started = trials.column(t_col::leg_started);
    for (const auto& row : trials.rows) {
        TrialRecord t;
        t.id = static_cast<TrialId>(number(cell(row, c_id)));
        t.status = parse_status(cell(row, c_status)).value_or(TrialStatus::in_progress);
        t.bracket = static_cast<int>(number(cell(row, c_bracket)));
        t.legs = static_cast<int>(number(cell(row, c_legs)));
        t.reports = static_cast<std::size_t>(number(cell(row, c_iter)));
        t.last_resource = number(cell(row, c_resource));
        t.last_metric = number(cell(row, c_metric));
        t.worker_time = number(cell(row, c_worker));
        t.gpus = cell(row, c_gpus);
        if (!cell(row, c_exit).empty()) t.exit_code = static_cast<int>(number(cell(row, c_exit)));
        t.error = cell(row, c_error);
        t.leg_started = c_started >= 0 ? number(cell(row, c_started)) : 0;
        t.config = Config::object();
        for (const auto& name : run.config.config_space.names())
            t.config[name] = cell_value(cell(row, trials.column(files::config_column(name))));
        run.trials.push_back(std::move(t));
    }

    // Streamed: a long run has hundreds of thousands of rows, too many to hold as strings.
    int r_id = -1, r_time = -1, r_resource = -1, r_metric = -1, r_decision = -1;
    const bool observed = needs_observations(run.config);
    std::vector<int> r_objectives, r_constrained;  // observed: columns of each
    bool header = true;
    scan_csv(read_text(dir / files::results), [&](std::vector<std::string>& row) {
        if (header) {
            namespace r_col = files::results_csv;
            CsvTable columns;
            columns.header = row;
            r_id = columns.column(r_col::trial_id);
            r_time = columns.column(r_col::tuner_time);
            r_resource = columns.column(run.config.resource_attr);
            r_metric = columns.column(run.config.metric);
            r_decision = columns.column(r_col::decision);
            for (const Objective& o : run.config.objectives)
                r_objectives.push_back(columns.column(o.name));
            for (const Constraint& c : run.config.constraints)
                r_constrained.push_back(columns.column(c.name));
            header = false;
            return;
        }
        ResultRow r{static_cast<TrialId>(number(cell(row, r_id))),
                    number(cell(row, r_time)),
                    number(cell(row, r_resource)),
                    number(cell(row, r_metric)),
                    cell(row, r_decision),
                    {}};
        if (observed) {
            for (int c : r_objectives) r.seen.values.push_back(number(cell(row, c)));
            json fields = json::object();  // as the report had them, for the constraints
            for (std::size_t k = 0; k < r_constrained.size(); ++k)
                if (!cell(row, r_constrained[k]).empty())
                    fields[run.config.constraints[k].name] = number(cell(row, r_constrained[k]));
            r.seen.violation = constraint_violation(fields, run.config.constraints);
        }
        run.results.push_back(std::move(r));
    });

    CsvTable legs = parse_csv(read_text(dir / files::legs));
    namespace l_col = files::legs_csv;
    int l_id = legs.column(l_col::trial_id), l_leg = legs.column(l_col::leg),
        l_start = legs.column(l_col::start), l_end = legs.column(l_col::end),
        l_status = legs.column(l_col::status);
    for (const auto& row : legs.rows)
        run.legs.push_back({static_cast<TrialId>(number(cell(row, l_id))),
                            static_cast<int>(number(cell(row, l_leg))), number(cell(row, l_start)),
                            number(cell(row, l_end)), cell(row, l_status), false});

    std::string summary = read_text(dir / files::summary);
    if (!summary.empty()) run.summary = json::parse(summary, nullptr, false);
    run.running = RunLock::held(dir);  // a resumed run still has the summary of its first part
    run.finished = !run.running && !summary.empty() && !run.summary.is_discarded();
    if (run.running) {
        // Legs still running: start from trials.csv, end at the last time anything was written.
        double last = 0;
        for (const auto& r : run.results) last = std::max(last, r.time);
        for (const auto& l : run.legs) last = std::max(last, l.end);
        for (const auto& t : run.trials)
            if (t.status == TrialStatus::in_progress && t.leg_started > 0)
                run.legs.push_back({t.id, t.legs - 1, t.leg_started, std::max(last, t.leg_started),
                                    to_string(TrialStatus::in_progress), true});
    }
    if (run.config.scheduler.type == SchedulerType::pasha)
        run.top_rung = read_top_rung(dir / files::journal, run.config);
    return run;
}

TopRungState read_top_rung(const fs::path& journal, const ExperimentConfig& config) {
    const ExperimentConfig& c = config;
    TopRungState top;
    top.level = pasha_start_level(c.scheduler.grace_period, c.scheduler.reduction_factor, c.max_t)
                    .value_or(c.max_t);
    // Only the report lines that carry a raise are parsed: a journal is mostly other lines.
    std::ifstream in(journal);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("\"raised\":{") == std::string::npos) continue;
        const json record = json::parse(line, nullptr, false);
        if (record.is_discarded() || !record.contains("raised")) continue;  // a torn last line
        try {
            const TopRaise raised = decode_raise(record["raised"]);
            top.level = raised.level;
            top.epsilon = raised.epsilon;
            top.since = record.value("time", 0.0);
            ++top.raises;
        } catch (const std::exception&) {
            continue;  // a line the tuner did not write: status shows what it can
        }
    }
    return top;
}

RunSummary summarize(const RunData& run) {
    RunSummary s;
    StatusCounts counts;
    for (const auto& t : run.trials) counts.add(t.status);
    s.set_counts(counts);
    double best_key = INFINITY, last_time = 0;
    const bool several = multi_objective(run.config);
    FrontCandidates candidates(run.config.max_t);
    for (const auto& r : run.results) {
        last_time = std::max(last_time, r.time);
        if (several) candidates.offer(r.trial, r.resource, r.seen);
        const double key = badness(r.metric, run.config.mode == Mode::max);
        const bool feasible = r.seen.violation == 0;  // 0 too when not observed
        if (can_be_best(r.metric) && feasible && (!s.best_trial || key < best_key)) {
            best_key = key;
            s.best_trial = r.trial;
            s.best_metric = r.metric;
            s.best_resource = r.resource;
        }
    }
    if (several) {
        s.multi_objective = true;
        s.front = pareto_front(candidates.points(), run.config.objectives);
    }
    namespace key = run_files::summary_json;
    s.wallclock =
        run.summary.is_object() ? run.summary.value(key::wallclock, last_time) : last_time;
    if (run.summary.is_object()) s.stop_reason = run.summary.value(key::stop_reason, "");
    return s;
}

}  // namespace asha
