#include "policy/recorded_curves.hpp"

#include "asha/errors.hpp"
#include "asha/run_files.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace asha {

namespace {

namespace results = run_files::results_csv;
const std::string kConfigPrefix = run_files::config_column("");
constexpr std::string_view kElapsed = results::worker_time;
constexpr std::string_view kStep = "st_step_time";
constexpr std::string_view kStatus = "status";
constexpr std::string_view kTrial = results::trial_id;
/// results.csv's own columns, which are not reported values.
constexpr std::string_view kIgnored[] = {results::tuner_time, results::decision, results::status};

std::optional<double> parse_double(std::string_view text) {
    double v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return v;
}

}  // namespace

int RecordedCurves::value_index(std::string_view name) const {
    for (std::size_t i = 0; i < value_names.size(); ++i)
        if (value_names[i] == name) return static_cast<int>(i);
    return -1;
}

std::optional<std::size_t> RecordedCurves::find(const Config& config) const {
    auto it = by_config_.find(config.dump());
    if (it == by_config_.end()) return std::nullopt;
    return it->second;
}

void RecordedCurves::index() {
    by_config_.clear();
    by_config_.reserve(curves.size());
    for (std::size_t i = 0; i < curves.size(); ++i) by_config_.emplace(curves[i].config.dump(), i);
}

CurveTableBuilder::CurveTableBuilder(const ConfigSpace& space, std::string resource_attr,
                                     const std::vector<std::string>& required, bool by_trial)
    : space_(space),
      resource_attr_(std::move(resource_attr)),
      required_(required),
      by_trial_(by_trial) {}

void CurveTableBuilder::fail(std::size_t line, const std::string& message) const {
    throw ConfigError(source_ + (line ? ":" + std::to_string(line) : std::string()) + ": " +
                      message);
}

void CurveTableBuilder::begin(std::string source, const std::vector<std::string>& header) {
    source_ = std::move(source);
    header_ = header;
    ++sources_;
    const auto& params = space_.params();
    columns_.assign(header.size(), Column{});
    hp_cols_.assign(params.size(), -1);
    resource_col_ = elapsed_col_ = step_col_ = status_col_ = trial_col_ = -1;
    std::vector<std::string> values;
    for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string& name = header[c];
        const int col = static_cast<int>(c);
        if (std::count(header.begin(), header.end(), name) > 1)
            fail(1, "column \"" + name + "\" appears twice");
        if (name.starts_with(kConfigPrefix)) {
            const std::string hp = name.substr(kConfigPrefix.size());
            std::size_t p = 0;
            while (p < params.size() && params[p].first != hp) ++p;
            if (p == params.size())
                fail(1, "column \"" + name + "\": \"" + hp +
                            "\" is not a hyperparameter of the config's config_space");
            columns_[c].hp = static_cast<int>(p);
            hp_cols_[p] = col;
        } else if (name == resource_attr_) {
            resource_col_ = col;
        } else if (name == kElapsed) {
            elapsed_col_ = col;
        } else if (name == kStep) {
            step_col_ = col;
        } else if (name == kStatus) {
            status_col_ = col;
        } else if (name == kTrial) {
            trial_col_ = col;
        } else if (std::find(std::begin(kIgnored), std::end(kIgnored), name) ==
                   std::end(kIgnored)) {
            columns_[c].value = static_cast<int>(values.size());
            values.push_back(name);
        }
    }
    for (std::size_t p = 0; p < params.size(); ++p)
        if (hp_cols_[p] < 0 && params[p].second.type != DomainType::constant)
            fail(1, "no column \"config_" + params[p].first + "\" for the hyperparameter \"" +
                        params[p].first + "\" of the config's config_space");
    if (resource_col_ < 0)
        fail(1, "no column \"" + resource_attr_ + "\" (the config's resource_attr)");
    if ((elapsed_col_ < 0) == (step_col_ < 0))
        fail(1, elapsed_col_ < 0
                    ? "no time column: add \"st_worker_time\" (seconds since the configuration's "
                      "training began) or \"st_step_time\" (seconds the step took)"
                    : "both \"st_worker_time\" and \"st_step_time\": give one of them");
    if (by_trial_ && trial_col_ < 0) fail(1, "no column \"trial_id\"");
    for (const std::string& name : required_)
        if (std::find(values.begin(), values.end(), name) == values.end())
            fail(1, "no column \"" + name + "\", which the config optimises or constrains");
    if (sources_ == 1)
        value_names_ = values;
    else if (values != value_names_)
        fail(1, "its reported values differ from those of the sources before it");
}

double CurveTableBuilder::number(std::string_view cell, std::size_t line,
                                 const std::string& column) const {
    auto v = parse_double(cell);
    if (!v)
        fail(line,
             "column \"" + column + "\": expected a number, found \"" + std::string(cell) + "\"");
    return *v;
}

json CurveTableBuilder::hp_value(std::size_t param, std::string_view cell, std::size_t line,
                                 const std::string& column) const {
    const Domain& domain = space_.params()[param].second;
    json value;
    switch (domain.type) {
        case DomainType::uniform:
        case DomainType::loguniform:
            value = number(cell, line, column);
            break;
        case DomainType::randint:
        case DomainType::lograndint: {
            const double v = number(cell, line, column);
            if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15)
                value = static_cast<std::int64_t>(v);
            else
                value = v;
            break;
        }
        case DomainType::finrange:
        case DomainType::logfinrange: {
            const double v = number(cell, line, column);
            value = v;
            for (std::int64_t i = 0; i < domain.size; ++i) {  // the grid's own value
                const json g = domain.grid_value(i);
                const double gv = g.get<double>();
                if (std::fabs(gv - v) <= 1e-9 * std::max(1.0, std::fabs(gv))) value = g;
            }
            break;
        }
        case DomainType::choice:
        case DomainType::constant: {
            const std::vector<json> options =
                domain.type == DomainType::choice ? domain.choices : std::vector{domain.value};
            const auto v = parse_double(cell);
            for (const json& option : options)
                if (format_value(option) == cell ||
                    (v && option.is_number() && option.get<double>() == *v))
                    value = option;
            if (value.is_null()) value = std::string(cell);
            break;
        }
    }
    if (!domain.contains(value))
        fail(line, "column \"" + column + "\": " + std::string(cell) +
                       " is outside the config's domain of \"" + space_.params()[param].first +
                       "\"");
    return value;
}

void CurveTableBuilder::add(const std::vector<std::string>& cells, std::size_t line) {
    if (cells.size() != header_.size())
        fail(line, "expected " + std::to_string(header_.size()) + " cells, found " +
                       std::to_string(cells.size()));
    std::string key;
    if (by_trial_) {
        key = std::to_string(sources_) + "/" + cells[static_cast<std::size_t>(trial_col_)];
    } else {
        for (int col : hp_cols_)
            if (col >= 0) (key += cells[static_cast<std::size_t>(col)]) += '\x1f';
    }
    auto [it, fresh] = open_.try_emplace(key, curves_.size());
    if (fresh) {
        RecordedCurve curve;
        curve.config = json::object();
        const auto& params = space_.params();
        for (std::size_t p = 0; p < params.size(); ++p) {
            const int col = hp_cols_[p];
            curve.config[params[p].first] =
                col < 0 ? params[p].second.value
                        : hp_value(p, cells[static_cast<std::size_t>(col)], line,
                                   header_[static_cast<std::size_t>(col)]);
        }
        curves_.push_back(std::move(curve));
    }
    RecordedCurve& curve = curves_[it->second];
    const std::string& resource_name = header_[static_cast<std::size_t>(resource_col_)];
    const double level =
        number(cells[static_cast<std::size_t>(resource_col_)], line, resource_name);
    if (!(level > 0) || !std::isfinite(level))
        fail(line, "column \"" + resource_name + "\": expected a positive level, found " +
                       cells[static_cast<std::size_t>(resource_col_)]);
    if (!curve.levels.empty() && level <= curve.levels.back())
        fail(line, "column \"" + resource_name + "\": " +
                       (level == curve.levels.back() ? "a second row at level "
                                                     : "the levels of a configuration must "
                                                       "increase, but ") +
                       cells[static_cast<std::size_t>(resource_col_)] +
                       (level == curve.levels.back()
                            ? " for the same " + std::string(by_trial_ ? "trial" : "configuration")
                            : " follows " + format_value(curve.levels.back())));
    const int time_col = elapsed_col_ >= 0 ? elapsed_col_ : step_col_;
    const std::string& time_name = header_[static_cast<std::size_t>(time_col)];
    const double t = number(cells[static_cast<std::size_t>(time_col)], line, time_name);
    if (!(t >= 0) || !std::isfinite(t))
        fail(line, "column \"" + time_name + "\": expected seconds ≥ 0, found " +
                       cells[static_cast<std::size_t>(time_col)]);
    const double before = curve.elapsed.empty() ? 0 : curve.elapsed.back();
    if (elapsed_col_ >= 0 && t < before)
        fail(line, "column \"" + time_name + "\": " + cells[static_cast<std::size_t>(time_col)] +
                       " is before the configuration's previous row (" + format_value(before) +
                       "): the time since training began cannot go back");
    curve.levels.push_back(level);
    curve.elapsed.push_back(elapsed_col_ >= 0 ? t : before + t);
    const std::size_t first = curve.values.size();
    curve.values.resize(first + value_names_.size());
    for (std::size_t c = 0; c < cells.size(); ++c)
        if (columns_[c].value >= 0)
            curve.values[first + static_cast<std::size_t>(columns_[c].value)] =
                number(cells[c], line, header_[c]);
    if (status_col_ >= 0) {
        const std::string& status = cells[static_cast<std::size_t>(status_col_)];
        curve.failed = status == "Failed" || status == "Timeout";
    }
}

void CurveTableBuilder::trial_status(std::string_view trial_id, std::string_view status) {
    auto it = open_.find(std::to_string(sources_) + "/" + std::string(trial_id));
    if (it != open_.end()) curves_[it->second].failed = status == "Failed" || status == "Timeout";
}

RecordedCurves CurveTableBuilder::finish() {
    RecordedCurves out;
    out.value_names = value_names_;
    out.source = source_;
    if (by_trial_) {
        // A configuration tried by two trials (a rerun, a second run): the longer curve stays.
        std::unordered_map<std::string, std::size_t> kept;
        for (RecordedCurve& curve : curves_) {
            auto [it, fresh] = kept.try_emplace(curve.config.dump(), out.curves.size());
            if (fresh) {
                out.curves.push_back(std::move(curve));
                continue;
            }
            ++duplicates_;
            if (curve.levels.size() > out.curves[it->second].levels.size())
                out.curves[it->second] = std::move(curve);
        }
    } else {
        out.curves = std::move(curves_);
        std::unordered_map<std::string, std::size_t> seen;  // "0.1" and "0.10" are one value
        for (std::size_t i = 0; i < out.curves.size(); ++i)
            if (!seen.try_emplace(out.curves[i].config.dump(), i).second)
                fail(0, "the configuration " + out.curves[i].config.dump() +
                            " has two curves (its values are written two ways)");
    }
    curves_.clear();
    open_.clear();
    if (out.curves.empty()) fail(0, "no recorded curves (no data rows)");
    out.index();
    return out;
}

}  // namespace asha
