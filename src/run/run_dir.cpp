#include "run/run_dir.hpp"

#include "policy/config_names.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"
#include "sys/atomic_file.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>

namespace asha {

namespace fs = std::filesystem;
namespace files = run_files;
namespace columns = run_files::results_csv;

namespace {

std::string utc_timestamp(const char* format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string hostname() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

json resolved_config(const ExperimentConfig& c) {
    json doc = c.document;
    doc["name"] = c.name;
    if (multi_objective(c)) {  // as lists, as written; defaults filled in
        doc["metric"] = json::array();
        doc["mode"] = json::array();
        for (const Objective& o : c.objectives) {
            doc["metric"].push_back(o.name);
            doc["mode"].push_back(name_of(kModeNames, o.mode));
        }
        doc["scheduler"]["multiobjective_priority"] =
            name_of(kMoPriorityNames, c.scheduler.priority);
    } else {
        doc["metric"] = c.metric;
        doc["mode"] = name_of(kModeNames, c.mode);
    }
    doc["resource_attr"] = c.resource_attr;
    doc["workers"] = c.workers;
    doc["seed"] = c.seed;
    json& s = doc["scheduler"];
    s["type"] = name_of(kSchedulerNames, c.scheduler.type);
    if (c.scheduler.type == SchedulerType::asha)
        s["variant"] = name_of(kVariantNames, c.scheduler.variant);
    s["grace_period"] = c.scheduler.grace_period;
    s["reduction_factor"] = c.scheduler.reduction_factor;
    s["brackets"] = c.scheduler.brackets;
    if (c.max_t > 0) s["max_t"] = c.max_t;
    json points = json::array();
    for (const auto& p : c.points_to_evaluate) points.push_back(p);
    doc["points_to_evaluate"] = points;
    return doc;
}

std::string metric_text(double x) {
    return format_value(json(x));
}

}  // namespace

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

void write_file_atomic(const fs::path& path, const std::string& content) {
    if (std::string error = write_atomically(path.string(), content); !error.empty())
        throw Error(ExitCode::runtime, error);
}

fs::path RunDir::default_path(const ExperimentConfig& config) {
    fs::path base = fs::path("runs") / (config.name + "-" + utc_timestamp("%Y-%m-%d-%H-%M-%S"));
    fs::path candidate = base;
    for (int i = 2; fs::exists(candidate); ++i) candidate = base.string() + "-" + std::to_string(i);
    return candidate;
}

RunDir::RunDir(fs::path path, const ExperimentConfig& config, RunDirOptions options)
    : path_(std::move(path)), config_(config), options_(std::move(options)) {
    std::error_code ec;
    if (options_.resume) {
        lock_ = std::make_unique<RunLock>(path_);
        fs::remove(path_ / files::summary, ec);  // written again when the resumed run ends
        open_csv_files(".rebuild");
        return;
    }
    if (fs::exists(path_, ec))
        throw Error(ExitCode::cannot_start,
                    "run directory " + path_.string() +
                        " already exists; asha-tune never overwrites a run (choose another "
                        "--run-dir, or continue it with: asha-tune resume " +
                        path_.string() + ")");
    fs::create_directories(path_, ec);
    if (ec)
        throw Error(ExitCode::cannot_start,
                    "cannot create run directory " + path_.string() + ": " + ec.message());
    lock_ = std::make_unique<RunLock>(path_);
    json metadata = {{"name", config.name},
                     {"run_id", options_.run_id},
                     {"tuner", "asha-tune"},
                     {"tuner_version", ASHA_VERSION},
                     {"host", hostname()},
                     {"start_time", utc_timestamp("%Y-%m-%dT%H:%M:%SZ")},
                     {"command_line", options_.command_line},
                     {"config_file", config.file},
                     {"seed", config.seed},
                     {"config", resolved_config(config)}};
    try {
        write_file_atomic(path_ / files::metadata, metadata.dump(2) + "\n");
    } catch (const Error& e) {
        throw Error(ExitCode::cannot_start, e.what());
    }
    open_csv_files("");
}

void RunDir::open_csv_files(const char* suffix) {
    // "e": close-on-exec, so that trials never inherit the run's files.
    results_ = std::fopen((path_ / (files::results + std::string(suffix))).c_str(), "we");
    legs_ = std::fopen((path_ / (files::legs + std::string(suffix))).c_str(), "we");
    if (!results_ || !legs_)
        throw Error(ExitCode::cannot_start, "cannot create the CSV files in " + path_.string() +
                                                ": " + std::strerror(errno));
    std::string header;
    for (const char* column : files::legs_csv::columns)
        header += (header.empty() ? "" : ",") + std::string(column);
    check_write(std::fputs((header + "\n").c_str(), legs_) >= 0, files::legs);
}

void RunDir::replay_done() {
    check_write(std::fflush(results_) == 0, files::results);
    check_write(std::fflush(legs_) == 0, files::legs);
    for (const char* name : {files::results, files::legs}) {
        std::error_code ec;
        fs::rename(path_ / (std::string(name) + ".rebuild"), path_ / name, ec);
        if (ec)
            throw Error(ExitCode::runtime, "cannot replace " + (path_ / name).string() +
                                               " with its rebuilt version: " + ec.message());
    }
}

RunDir::~RunDir() {
    if (results_) std::fclose(results_);
    if (legs_) std::fclose(legs_);
}

void RunDir::check_write(bool ok, const char* what) const {
    if (!ok)
        throw Error(ExitCode::runtime, fmt::format("cannot write {}: {}", (path_ / what).string(),
                                                   std::strerror(errno)));
}

void RunDir::trial_started(const TrialRecord& trial) {
    if (!options_.trial_dirs) return;
    const fs::path dir = trial_dir(trial.id);
    // mkdir, not create_directories (a stat of each part of the path first): a new trial's
    // directory is made between one trial's exit and the next start in its slot, where every
    // system call counts (docs/benchmarks.md, "The supervisor's cost"). trials/ was made with
    // the run directory; where it is not there (a library user's RunDir), the whole path is.
    std::error_code ec;
    for (const fs::path& made : {dir, dir / files::trial_checkpoints})
        if (::mkdir(made.c_str(), 0755) != 0 && errno != EEXIST &&
            !(errno == ENOENT && fs::create_directories(made, ec)))
            throw Error(ExitCode::runtime, "cannot create " + made.string() + ": " +
                                               (ec ? ec.message() : std::strerror(errno)));
    if (trial.legs <= 1) write_file_atomic(dir / files::trial_config, trial.config.dump(2) + "\n");
}

void RunDir::write_header(const Report& first) {
    // The objectives and the constrained values first, whether the first report has them or not.
    const auto add = [&](const std::string& key) {
        if (key != config_.resource_attr && key != config_.metric && key != columns::worker_time &&
            std::find(extra_columns_.begin(), extra_columns_.end(), key) == extra_columns_.end())
            extra_columns_.push_back(key);
    };
    for (const Objective& o : config_.objectives) add(o.name);
    for (const Constraint& c : config_.constraints) add(c.name);
    for (auto it = first.fields.begin(); it != first.fields.end(); ++it) add(it.key());
    std::string header =
        fmt::format("{},{},{},{},{}", columns::trial_id, columns::tuner_time, columns::worker_time,
                    csv_field(config_.resource_attr), csv_field(config_.metric));
    for (const auto& key : extra_columns_) header += "," + csv_field(key);
    header += fmt::format(",{},{}", columns::decision, columns::status);
    for (const auto& name : config_.config_space.names())
        header += "," + csv_field(files::config_column(name));
    header += "\n";
    check_write(std::fputs(header.c_str(), results_) >= 0, files::results);
    header_written_ = true;
}

void RunDir::result(const TrialRecord& trial, const Report& report, Decision decision,
                    double tuner_time) {
    if (!header_written_) write_header(report);
    for (auto it = report.fields.begin(); it != report.fields.end(); ++it) {
        const std::string& key = it.key();
        bool known =
            key == config_.resource_attr || key == config_.metric || key == columns::worker_time ||
            std::find(extra_columns_.begin(), extra_columns_.end(), key) != extra_columns_.end();
        if (!known && warned_keys_.insert(key).second)
            spdlog::warn(
                "(trial {}) reported key \"{}\" that the first report did not have: not in "
                "results.csv",
                trial.id, key);
    }
    double worker_time = trial.worker_time + (tuner_time - trial.leg_started);
    if (report.fields.contains(columns::worker_time) &&
        report.fields[columns::worker_time].is_number())
        worker_time = report.fields[columns::worker_time].get<double>();
    const TrialStatus status = decision == Decision::stop    ? TrialStatus::stopped
                               : decision == Decision::pause ? TrialStatus::paused
                               : reached_level(report.resource, config_.max_t)
                                   ? TrialStatus::completed
                                   : TrialStatus::in_progress;
    std::string row =
        fmt::format("{},{},{},{},{}", trial.id, metric_text(tuner_time), metric_text(worker_time),
                    metric_text(report.resource), metric_text(report.metric));
    for (const auto& key : extra_columns_)
        row += "," + (report.fields.contains(key) ? csv_field(format_value(report.fields[key]))
                                                  : std::string());
    row += fmt::format(",{},{}", to_string(decision), to_string(status));
    for (const auto& [name, value] : trial.config.items())
        row += "," + csv_field(format_value(value));
    row += "\n";
    check_write(std::fputs(row.c_str(), results_) >= 0, files::results);
}

void RunDir::flush() {
    if (!options_.flush_when_idle) return;
    check_write(std::fflush(results_) == 0, files::results);
    check_write(std::fflush(legs_) == 0, files::legs);
}

void RunDir::tick(const std::vector<TrialRecord>& all) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_snapshot_ >= std::chrono::seconds(1)) {
        last_snapshot_ = now;
        write_snapshot(all, nullptr);
    }
    // The first event writes a page at once, so that the report can be opened as the run starts.
    if (options_.write_page && options_.page_interval > 0 &&
        (!last_page_ ||
         now - *last_page_ >= std::chrono::duration<double>(options_.page_interval))) {
        last_page_ = now;
        flush();
        options_.write_page(false);
    }
}

void RunDir::trial_ended(const TrialRecord& t, const std::vector<TrialRecord>& all) {
    std::string row =
        fmt::format("{},{},{},{},{},{},{}\n", t.id, t.legs - 1, metric_text(t.leg_started),
                    metric_text(t.leg_ended), to_string(t.status),
                    t.exit_code ? std::to_string(*t.exit_code) : "", csv_field(t.gpus));
    check_write(std::fputs(row.c_str(), legs_) >= 0, files::legs);
    tick(all);
}

void RunDir::write_snapshot(const std::vector<TrialRecord>& trials, const RunSummary* summary) {
    std::string out;
    for (const char* column : files::trials_csv::before_resource) out += column + std::string(",");
    out += csv_field(config_.resource_attr) + "," + csv_field(config_.metric);
    for (std::size_t k = 1; k < config_.objectives.size(); ++k)
        out += "," + csv_field(config_.objectives[k].name);
    for (const char* column : files::trials_csv::after_metric) out += "," + std::string(column);
    for (const auto& name : config_.config_space.names())
        out += "," + csv_field(files::config_column(name));
    out += "\n";
    const TrialRecord* best = nullptr;
    for (const auto& t : trials) {
        out += fmt::format("{},{},{},{},{},{},{}", t.id, to_string(t.status), t.bracket, t.legs,
                           t.reports, t.reports ? metric_text(t.last_resource) : "",
                           t.reports ? metric_text(t.last_metric) : "");
        for (std::size_t k = 0; k + 1 < config_.objectives.size(); ++k)  // the other objectives
            out +=
                "," + (t.reports && k < t.last_objectives.size() ? metric_text(t.last_objectives[k])
                                                                 : std::string());
        out += fmt::format(",{},{},{},{},{},{}", metric_text(t.worker_time),
                           metric_text(t.leg_started), t.retries, csv_field(t.gpus),
                           t.exit_code ? std::to_string(*t.exit_code) : "", csv_field(t.error));
        for (const auto& [name, value] : t.config.items())
            out += "," + csv_field(format_value(value));
        out += "\n";
        if (summary && summary->best_trial && *summary->best_trial == t.id) best = &t;
    }
    write_file_atomic(path_ / files::trials, out);
    if (best && !multi_objective(config_)) {  // several objectives: pareto.json instead
        namespace key = files::best_json;
        json doc = {{key::trial_id, best->id},
                    {key::metric, config_.metric},
                    {key::mode, name_of(kModeNames, config_.mode)},
                    {key::value, std::isfinite(summary->best_metric)
                                     ? json(summary->best_metric)
                                     : json(metric_text(summary->best_metric))},
                    {config_.resource_attr, summary->best_resource},
                    {key::status, to_string(best->status)},
                    {key::config, best->config},
                    {key::trial_dir, trial_dir(best->id).string()}};
        write_file_atomic(path_ / files::best, doc.dump(2) + "\n");
    }
}

json objectives_json(const ExperimentConfig& c) {
    json objectives = json::array();
    for (const Objective& o : c.objectives)
        objectives.push_back({{"name", o.name}, {"mode", name_of(kModeNames, o.mode)}});
    return objectives;
}

json front_points_json(const std::vector<FrontPoint>& front, const ExperimentConfig& c,
                       const std::vector<TrialRecord>& trials) {
    namespace key = files::pareto_json;
    json points = json::array();
    for (const FrontPoint& p : front) {
        json values = json::object();
        for (std::size_t k = 0; k < p.values.size(); ++k)
            values[c.objectives[k].name] = p.values[k];
        const auto id = static_cast<std::size_t>(p.trial);
        points.push_back({{key::trial_id, p.trial},
                          {c.resource_attr, p.resource},
                          {key::values, values},
                          {key::config, id < trials.size() ? trials[id].config : json()}});
    }
    return points;
}

json RunDir::pareto_json(const std::vector<FrontPoint>& front,
                         const std::vector<TrialRecord>& trials) const {
    namespace key = files::pareto_json;
    json points = front_points_json(front, config_, trials);
    for (json& p : points) p[key::trial_dir] = trial_dir(p[key::trial_id].get<TrialId>()).string();
    return {{key::objectives, objectives_json(config_)}, {key::front, points}};
}

void RunDir::finished(const RunSummary& summary, const std::vector<TrialRecord>& trials,
                      const std::vector<RungSummary>& rungs) {
    check_write(std::fflush(results_) == 0, files::results);
    check_write(std::fflush(legs_) == 0, files::legs);
    write_snapshot(trials, &summary);
    namespace key = files::summary_json;
    json rung_rows = json::array();
    for (const auto& r : rungs)
        rung_rows.push_back({{key::rung::bracket, r.bracket},
                             {key::rung::level, r.level},
                             {key::rung::recorded, r.recorded},
                             {key::rung::promoted, r.promoted},
                             {key::rung::cutoff, std::isfinite(r.cutoff) ? json(r.cutoff) : json()},
                             {key::rung::best, std::isfinite(r.best) ? json(r.best) : json()}});
    json doc = {{key::stop_reason, summary.stop_reason},
                {key::wallclock, summary.wallclock},
                {key::busy_worker_seconds, summary.busy_time},
                {key::workers, summary.workers},
                {key::utilisation, summary.utilisation()},
                {key::started, summary.started},
                {key::completed, summary.completed},
                {key::stopped, summary.stopped},
                {key::paused, summary.paused},
                {key::failed, summary.failed},
                {key::rungs, rung_rows}};
    if (summary.multi_objective) {
        json front = pareto_json(summary.front, trials);
        write_file_atomic(path_ / files::pareto, front.dump(2) + "\n");
        doc[key::front] = std::move(front[files::pareto_json::front]);
    }
    write_file_atomic(path_ / files::summary, doc.dump(2) + "\n");
    // Read back while this process still holds the run's lock: the callee says "finished".
    if (options_.write_page) options_.write_page(true);
    lock_->remove_file();
}

}  // namespace asha
