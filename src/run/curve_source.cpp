#include "run/curve_source.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"
#include "run/run_dir.hpp"
#include "run/run_reader.hpp"

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace asha {

namespace fs = std::filesystem;

namespace {

/// Feeds `text`'s rows to the builder, the header first; blank lines are skipped.
void add_rows(CurveTableBuilder& builder, const std::string& source, std::string text) {
    if (!text.empty() && text.back() != '\n') text += '\n';  // a table's last row counts
    std::size_t line = 0;
    bool header = true;
    scan_csv(text, [&](std::vector<std::string>& cells) {
        ++line;
        if (cells.size() == 1 && cells[0].empty()) return;
        if (header) {
            builder.begin(source, cells);
            header = false;
        } else {
            builder.add(cells, line);
        }
    });
    if (header) throw ConfigError(source + ": empty: expected a header line of column names");
}

/// A finished run directory: its results.csv, and which of its trials failed.
void add_run(CurveTableBuilder& builder, const fs::path& dir) {
    if (!fs::exists(dir / run_files::summary))
        throw ConfigError(dir.string() +
                          ": not a finished run (no summary.json): replay a run once it has "
                          "ended (or `asha-tune resume` it first)");
    const fs::path results = dir / run_files::results;
    add_rows(builder, results.string(), read_maybe_gzipped(results.string()));
    const CsvTable trials = parse_csv(read_maybe_gzipped((dir / run_files::trials).string()));
    const int id = trials.column(run_files::trials_csv::trial_id),
              status = trials.column(run_files::trials_csv::status);
    if (id < 0 || status < 0)
        throw ConfigError((dir / run_files::trials).string() + ": no trial_id or status column");
    for (const auto& row : trials.rows)
        if (row.size() > static_cast<std::size_t>(std::max(id, status)))
            builder.trial_status(row[static_cast<std::size_t>(id)],
                                 row[static_cast<std::size_t>(status)]);
}

}  // namespace

std::string curves_table_csv(const RecordedCurves& curves, const ConfigSpace& space,
                             const std::string& resource_attr) {
    std::string out;
    for (const auto& [name, domain] : space.params())
        out += csv_field(run_files::config_column(name)) + ",";
    out += csv_field(resource_attr);
    for (const std::string& name : curves.value_names) out += "," + csv_field(name);
    out += fmt::format(",{},status\n", run_files::results_csv::worker_time);
    const std::size_t width = curves.value_names.size();
    for (const RecordedCurve& curve : curves.curves) {
        std::string prefix;
        for (const auto& [name, domain] : space.params())
            prefix += csv_field(format_value(curve.config.value(name, json()))) + ",";
        for (std::size_t k = 0; k < curve.levels.size(); ++k) {
            out += prefix;
            out += fmt::format("{}", curve.levels[k]);
            for (std::size_t v = 0; v < width; ++v) {
                const double x = curve.values[k * width + v];
                out += std::isnan(x) ? ",nan" : fmt::format(",{}", x);
            }
            out += fmt::format(",{},{}\n", curve.elapsed[k], curve.failed ? "Failed" : "Completed");
        }
    }
    return out;
}

void write_maybe_gzipped(const std::string& path, const std::string& text) {
    if (!path.ends_with(".gz")) {
        write_file_atomic(path, text);
        return;
    }
    const std::string tmp = path + ".tmp";
    gzFile file = gzopen(tmp.c_str(), "wb9");
    if (!file) throw Error(ExitCode::cannot_start, tmp + ": cannot write: " + std::strerror(errno));
    const bool written =
        text.empty() || gzwrite(file, text.data(), static_cast<unsigned>(text.size())) > 0;
    if (gzclose(file) != Z_OK || !written) {
        fs::remove(tmp);
        throw Error(ExitCode::cannot_start, tmp + ": cannot write");
    }
    fs::rename(tmp, path);
}

std::string read_maybe_gzipped(const std::string& path) {
    gzFile file = gzopen(path.c_str(), "rb");  // reads plain files as they are
    if (!file) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
    std::string text;
    char buffer[1 << 16];
    for (;;) {
        const int n = gzread(file, buffer, sizeof buffer);
        if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
        if (n < static_cast<int>(sizeof buffer)) {
            int code = Z_OK;
            const char* message = gzerror(file, &code);
            if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
                std::string what = code == Z_ERRNO ? std::strerror(errno) : message;
                gzclose(file);
                throw ConfigError(path + ": cannot read: " + what);
            }
            break;
        }
    }
    gzclose(file);
    return text;
}

std::shared_ptr<const RecordedCurves> load_recorded_curves(const ExperimentConfig& c) {
    if (c.curves.empty()) return nullptr;
    std::vector<std::string> required;
    for (const Objective& o : c.objectives) required.push_back(o.name);
    for (const Constraint& bound : c.constraints)
        if (std::find(required.begin(), required.end(), bound.name) == required.end())
            required.push_back(bound.name);
    std::error_code ec;
    const bool runs = fs::is_directory(c.curves.front(), ec);
    CurveTableBuilder builder(c.config_space, c.resource_attr, required, runs);
    for (const std::string& source : c.curves) {
        if (!fs::exists(source, ec))
            throw ConfigError(c.file + ": $.simulator.curves: " + source + " does not exist");
        if (fs::is_directory(source, ec) != runs)
            throw ConfigError(c.file + ": $.simulator.curves: " + source + " is " +
                              (runs ? "a file" : "a directory") + " and " + c.curves.front() +
                              " is not: give tables or run directories, not both");
        if (runs)
            add_run(builder, source);
        else
            add_rows(builder, source, read_maybe_gzipped(source));
    }
    auto curves = std::make_shared<RecordedCurves>(builder.finish());
    curves->source =
        c.curves.size() == 1 ? c.curves.front() : std::to_string(c.curves.size()) + " sources";
    if (builder.duplicates())
        spdlog::info(
            "{}: {} configuration(s) were recorded by more than one trial: each keeps "
            "its longest curve",
            curves->source, builder.duplicates());
    return curves;
}

}  // namespace asha
