#include "asha/experiment.hpp"
#include "policy/config_names.hpp"
#include "policy/placement_config.hpp"
#include "policy/stopping_rule.hpp"

#include "asha/errors.hpp"

#include <cmath>
#include <cstring>
#include <optional>
#include <sstream>

namespace asha {

namespace {

SchedulerSpec parse_scheduler(const json& spec, const JsonPath& where,
                              std::optional<double>& max_t) {
    where.object(spec);
    where.check_keys(spec, {"type", "variant", "grace_period", "reduction_factor", "brackets",
                            "max_t", "rounds_in_flight", "multiobjective_priority", "weights"});
    SchedulerSpec s;
    if (spec.contains("type")) s.type = choose(where / "type", spec["type"], kSchedulerNames);
    if (spec.contains("variant"))
        s.variant = choose(where / "variant", spec["variant"], kVariantNames);
    if (spec.contains("grace_period"))
        s.grace_period = positive_number(where / "grace_period", spec["grace_period"]);
    if (spec.contains("reduction_factor")) {
        s.reduction_factor = (where / "reduction_factor").number(spec["reduction_factor"]);
        if (s.reduction_factor < 2)
            (where / "reduction_factor").fail_expected("a number >= 2", spec["reduction_factor"]);
    }
    if (spec.contains("brackets"))
        s.brackets = static_cast<int>(positive_integer(where / "brackets", spec["brackets"]));
    if (spec.contains("rounds_in_flight"))
        s.rounds_in_flight = static_cast<int>(
            positive_integer(where / "rounds_in_flight", spec["rounds_in_flight"]));
    if (spec.contains("max_t")) max_t = positive_number(where / "max_t", spec["max_t"]);
    if (spec.contains("multiobjective_priority"))
        s.priority = choose(where / "multiobjective_priority", spec["multiobjective_priority"],
                            kMoPriorityNames);
    if (spec.contains("weights")) {
        const JsonPath at = where / "weights";
        const json& weights = at.array(spec["weights"]);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            const double w = at[i].number(weights[i]);
            if (!(w >= 0 && std::isfinite(w))) at[i].fail_expected("a number >= 0", weights[i]);
            s.weights.push_back(w);
        }
    }
    return s;
}

StopCriteria parse_stop(const json& spec, const JsonPath& where) {
    where.object(spec);
    where.check_keys(
        spec, {"max_wallclock_time", "max_num_trials_started", "max_num_trials_completed",
               "max_num_trials_finished", "max_cost", "min_metric_value", "max_metric_value"});
    StopCriteria s;
    auto get = [&](const char* key) -> const json* {
        return spec.contains(key) ? &spec[key] : nullptr;
    };
    if (auto* v = get("max_wallclock_time"))
        s.max_wallclock_time = positive_number(where / "max_wallclock_time", *v);
    if (auto* v = get("max_num_trials_started"))
        s.max_num_trials_started = positive_integer(where / "max_num_trials_started", *v);
    if (auto* v = get("max_num_trials_completed"))
        s.max_num_trials_completed = positive_integer(where / "max_num_trials_completed", *v);
    if (auto* v = get("max_num_trials_finished"))
        s.max_num_trials_finished = positive_integer(where / "max_num_trials_finished", *v);
    if (auto* v = get("max_cost")) s.max_cost = positive_number(where / "max_cost", *v);
    if (auto* v = get("min_metric_value"))
        s.min_metric_value = (where / "min_metric_value").number(*v);
    if (auto* v = get("max_metric_value"))
        s.max_metric_value = (where / "max_metric_value").number(*v);
    return s;
}

void parse_simulator(const json& spec, const JsonPath& where, ExperimentConfig& c) {
    where.object(spec);
    where.check_keys(spec, {"benchmark", "curves", "time_scale"});
    if (spec.contains("benchmark")) c.benchmark = (where / "benchmark").string(spec["benchmark"]);
    if (spec.contains("curves")) {
        const JsonPath at = where / "curves";
        const json& v = spec["curves"];
        if (v.is_string()) {
            c.curves.push_back(at.string(v));
        } else {
            at.array(v);
            for (std::size_t i = 0; i < v.size(); ++i) c.curves.push_back(at[i].string(v[i]));
        }
        for (const std::string& source : c.curves)
            if (source.empty()) at.fail("expected a path, found \"\"");
    }
    if (spec.contains("time_scale"))
        c.time_scale = positive_number(where / "time_scale", spec["time_scale"]);
}

/// `searcher` and `searcher_options`: each option belongs to one searcher and is checked as such.
void parse_searcher(const json& doc, const JsonPath& where, SearcherSpec& s) {
    if (doc.contains("searcher"))
        s.type = choose(where / "searcher", doc["searcher"], kSearcherNames);
    if (!doc.contains("searcher_options")) return;
    const JsonPath at = where / "searcher_options";
    const json& o = doc["searcher_options"];
    at.object(o);
    const std::vector<std::string> bohb = {"top_fraction",    "num_samples",
                                           "random_fraction", "bandwidth_factor",
                                           "min_bandwidth",   "min_points_in_model"};
    const std::vector<std::string> tpe = {"n_startup_trials", "n_ei_candidates", "prior_weight"};
    std::vector<std::string> allowed = {"avoid_pending", "max_points"};
    const auto& own = s.type == SearcherSpec::Type::bohb  ? bohb
                      : s.type == SearcherSpec::Type::tpe ? tpe
                                                          : std::vector<std::string>{};
    allowed.insert(allowed.end(), own.begin(), own.end());
    if (s.type == SearcherSpec::Type::random && !o.empty())
        at.fail(
            "the random searcher has no options (searcher_options is for \"bohb\" and "
            "\"tpe\")");
    for (auto it = o.begin(); it != o.end(); ++it) {
        const bool of_bohb = std::find(bohb.begin(), bohb.end(), it.key()) != bohb.end();
        const bool of_tpe = std::find(tpe.begin(), tpe.end(), it.key()) != tpe.end();
        if ((of_bohb && s.type != SearcherSpec::Type::bohb) ||
            (of_tpe && s.type != SearcherSpec::Type::tpe))
            (at / it.key())
                .fail(std::string("an option of the ") + (of_bohb ? "bohb" : "tpe") +
                      " searcher, and searcher is \"" + name_of(kSearcherNames, s.type) + "\"");
    }
    at.check_keys(o, allowed);
    auto fraction = [&](const char* key, double& out, bool open_top) {
        if (!o.contains(key)) return;
        out = (at / key).number(o[key]);
        if (!(out >= 0 && (open_top ? out < 1 : out <= 1)))
            (at / key).fail_expected(open_top ? "a number in [0, 1)" : "a number in [0, 1]",
                                     o[key]);
    };
    auto count = [&](const char* key, int& out) {
        if (o.contains(key)) out = static_cast<int>(positive_integer(at / key, o[key]));
    };
    fraction("top_fraction", s.top_fraction, true);
    if (o.contains("top_fraction") && s.top_fraction == 0)
        (at / "top_fraction").fail_expected("a number in (0, 1)", o["top_fraction"]);
    fraction("random_fraction", s.random_fraction, false);
    count("num_samples", s.num_samples);
    count("min_points_in_model", s.min_points_in_model);
    count("n_startup_trials", s.n_startup_trials);
    count("n_ei_candidates", s.n_ei_candidates);
    count("max_points", s.max_points);
    if (o.contains("bandwidth_factor"))
        s.bandwidth_factor = positive_number(at / "bandwidth_factor", o["bandwidth_factor"]);
    if (o.contains("min_bandwidth"))
        s.min_bandwidth = positive_number(at / "min_bandwidth", o["min_bandwidth"]);
    if (o.contains("prior_weight"))
        s.prior_weight = positive_number(at / "prior_weight", o["prior_weight"]);
    if (o.contains("avoid_pending"))
        s.avoid_pending = (at / "avoid_pending").boolean(o["avoid_pending"]);
    // BOHB without its pending boxes is Syne Tune's BOHB, and takes that reference's floor on
    // the bandwidth: with HpBandSter's 1e-3 and nothing to keep the workers apart, the good
    // density shrank onto one spot and every worker was sent there (docs/benchmarks.md).
    if (s.type == SearcherSpec::Type::bohb && !s.avoid_pending && !o.contains("min_bandwidth"))
        s.min_bandwidth = SearcherSpec::kMinBandwidthWithoutAvoidPending;
}

/// `"metric"`: one name or a list of distinct names; `"mode"`: one mode for all, or a list of
/// the same length. c.metric / c.mode are the first objective.
void read_objectives(const json& doc, const JsonPath& where, ExperimentConfig& c) {
    if (!doc.contains("metric"))
        where.fail(
            "missing \"metric\" (the reported key to optimise, e.g. \"validation_error\", or a "
            "list of keys)");
    const JsonPath at = where / "metric";
    const json& metric = doc["metric"];
    std::vector<std::pair<JsonPath, const json*>> names;
    if (metric.is_array()) {
        if (metric.empty()) at.fail_expected("a non-empty list of metric names", metric);
        for (std::size_t i = 0; i < metric.size(); ++i) names.emplace_back(at[i], &metric[i]);
    } else {
        names.emplace_back(at, &metric);
    }
    for (const auto& [path, value] : names) {
        Objective o;
        o.name = path.string(*value);
        if (o.name.empty()) path.fail_expected("a non-empty string", *value);
        for (const Objective& earlier : c.objectives)
            if (earlier.name == o.name) path.fail("\"" + o.name + "\" is listed twice");
        c.objectives.push_back(o);
    }
    if (doc.contains("mode")) {
        const JsonPath mode_at = where / "mode";
        const json& mode = doc["mode"];
        if (mode.is_array()) {
            if (mode.size() != c.objectives.size())
                mode_at.fail("has " + std::to_string(mode.size()) + " modes for " +
                             std::to_string(c.objectives.size()) +
                             " metrics (give one mode for all, or one per metric)");
            for (std::size_t i = 0; i < mode.size(); ++i)
                c.objectives[i].mode = choose(mode_at[i], mode[i], kModeNames);
        } else {
            const Mode all = choose(mode_at, mode, kModeNames);
            for (Objective& o : c.objectives) o.mode = all;
        }
    }
    c.metric = c.objectives.front().name;
    c.mode = c.objectives.front().mode;
}

/// `"constraints": {"memory_mb": {"max": 8000}, "accuracy": {"min": 0.5}}`.
void read_constraints(const json& value, const JsonPath& at, ExperimentConfig& c) {
    at.object(value);
    for (auto it = value.begin(); it != value.end(); ++it) {
        const JsonPath here = at / it.key();
        if (it.key().empty()) at.fail("a constraint needs the name of a reported value");
        if (it.key() == c.resource_attr)
            here.fail("\"" + it.key() +
                      "\" is the resource attribute: it grows as a trial trains, it cannot be "
                      "bounded (set max_t instead)");
        here.object(it.value());
        here.check_keys(it.value(), {"min", "max"});
        Constraint bound;
        bound.name = it.key();
        if (it.value().contains("min")) bound.min = (here / "min").number(it.value()["min"]);
        if (it.value().contains("max")) bound.max = (here / "max").number(it.value()["max"]);
        if (!bound.min && !bound.max)
            here.fail_expected("{\"min\": N} or {\"max\": N} or both", it.value());
        if (bound.min && bound.max && *bound.min > *bound.max)
            here.fail("min " + format_value(json(*bound.min)) + " is above max " +
                      format_value(json(*bound.max)) + ": no report could be feasible");
        c.constraints.push_back(bound);
    }
}

/// What a run of several objectives (or with constraints) may use: ASHA or FIFO, random search
/// or TPE (BOHB's KDE models one metric), no metric target; weights match the metrics.
void check_objectives_fit(const json& doc, const JsonPath& where, const ExperimentConfig& c) {
    const auto& weights = c.scheduler.weights;
    if (!weights.empty() && weights.size() != c.objectives.size())
        (where / "scheduler" / "weights")
            .fail("has " + std::to_string(weights.size()) + " weights for " +
                  std::to_string(c.objectives.size()) + " metrics (one weight per metric)");
    if (!weights.empty() && c.scheduler.priority != MoPriority::linear_scalarization)
        (where / "scheduler" / "weights")
            .fail("weights are for \"multiobjective_priority\": \"linear_scalarization\"");
    const bool several = c.objectives.size() > 1;
    const bool one_metric_only =
        c.scheduler.type == SchedulerType::sync_sh || c.scheduler.type == SchedulerType::pasha;
    if ((several || !c.constraints.empty()) && one_metric_only)
        (where / (several ? "metric" : "constraints"))
            .fail(std::string(several ? "several objectives" : "constraints") +
                  " need scheduler type \"asha\" or \"fifo\" (" +
                  name_of(kSchedulerNames, c.scheduler.type) + " ranks one metric)");
    if (!several) return;
    if (c.searcher.type == SearcherSpec::Type::bohb)
        (where / "searcher")
            .fail(
                "\"bohb\" models one metric; with several objectives use \"tpe\" (MO-TPE) or "
                "\"random\"");
    if (doc.contains("stop") && doc["stop"].is_object())
        for (const char* key : {"min_metric_value", "max_metric_value"})
            if (doc["stop"].contains(key))
                (where / "stop" / key)
                    .fail("a metric target needs a single objective (this run has " +
                          std::to_string(c.objectives.size()) + ")");
}

/// Works out max_t (README: "Where max_t comes from") and checks the rung structure.
void resolve_resources(ExperimentConfig& c, std::optional<double> scheduler_max_t, const json& doc,
                       const JsonPath& where) {
    std::optional<double> space_max_t;
    if (!c.max_resource_attr.empty()) {
        if (const Domain* d = c.config_space.find(c.max_resource_attr)) {
            JsonPath at = where / "config_space" / c.max_resource_attr;
            if (d->type != DomainType::constant || !d->value.is_number_integer() ||
                d->value.get<std::int64_t>() <= 0)
                at.fail_expected("a positive integer constant (max_resource_attr \"" +
                                     c.max_resource_attr + "\" gives the largest resource level)",
                                 doc["config_space"][c.max_resource_attr]);
            space_max_t = d->value.get<double>();
        }
    }
    if (space_max_t && scheduler_max_t && *space_max_t != *scheduler_max_t)
        (where / "scheduler" / "max_t")
            .fail("is " + format_value(json(*scheduler_max_t)) + " but config_space." +
                  c.max_resource_attr + " is " + format_value(json(*space_max_t)) +
                  "; give max_t in one place");
    c.max_t = space_max_t ? *space_max_t : scheduler_max_t.value_or(0);
    if (c.max_t == 0 && c.scheduler.type != SchedulerType::fifo)
        where.fail(
            "cannot tell max_t: set \"max_resource_attr\" to a constant of config_space (e.g. "
            "\"max_epochs\": 10) "
            "or give scheduler.max_t");
    if (c.max_t == 0 && c.searcher.type != SearcherSpec::Type::random)
        (where / "searcher")
            .fail(
                "a model-based searcher compares trials at the same resource levels, up to "
                "max_t: set \"max_resource_attr\" to a constant of config_space or give "
                "scheduler.max_t");
    if (c.scheduler.type == SchedulerType::fifo) return;
    JsonPath sched = where / "scheduler";
    if (c.scheduler.grace_period > c.max_t)
        (sched / "grace_period")
            .fail("expected a value <= max_t (" + format_value(json(c.max_t)) + "), found " +
                  format_value(json(c.scheduler.grace_period)));
    auto levels = rung_levels(c.scheduler.grace_period, c.scheduler.reduction_factor, c.max_t);
    if (c.scheduler.brackets > static_cast<int>(levels.size()) + 1)
        (sched / "brackets")
            .fail("expected at most " + std::to_string(levels.size() + 1) +
                  " brackets (rung levels " + std::to_string(levels.size()) + " + max_t), found " +
                  std::to_string(c.scheduler.brackets));
    if (c.scheduler.type == SchedulerType::pasha) {
        if (c.scheduler.brackets != 1)
            (sched / "brackets")
                .fail("pasha runs one bracket (its top rung grows within it), found " +
                      std::to_string(c.scheduler.brackets));
        if (levels.size() < 2)
            sched.fail("pasha needs at least 2 rung levels below max_t (" +
                       format_value(json(c.max_t)) + "), found " + std::to_string(levels.size()) +
                       ": lower grace_period or reduction_factor, or raise max_t");
    }
}

}  // namespace

void merge_json(json& target, const json& patch) {
    if (!patch.is_object() || !target.is_object()) {
        target = patch;
        return;
    }
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (target.contains(it.key()) && target[it.key()].is_object() && it.value().is_object())
            merge_json(target[it.key()], it.value());
        else
            target[it.key()] = it.value();
    }
}

namespace {

/// What parsing one key leaves for a later one.
struct Parsing {
    std::optional<double> scheduler_max_t;  ///< scheduler.max_t, checked against the space's
};

/// One top-level key of the config file and how it is read, or (key nullptr) a step that works
/// something out from the keys read before it. The table below is the one list of the keys
/// (unknown ones are errors with a "did you mean"), in the order they are parsed: a reader may
/// use what an earlier one read (points_to_evaluate needs the config space). `always`: read
/// even when the key is absent (required keys, defaults worked out from others).
struct Field {
    const char* key;
    bool always;
    void (*read)(const json& doc, const JsonPath& where, ExperimentConfig& c, Parsing& p);
};

/// A number >= 0.
double at_least_zero(const JsonPath& at, const json& value) {
    const double x = at.number(value);
    if (!(x >= 0)) at.fail_expected("a number >= 0", value);
    return x;
}

void read_command(const json& cmd, const JsonPath& at, ExperimentConfig& c) {
    // No shell is involved, so "python3 train.py" as one string would be a program of that
    // name: say so rather than fail later with "command not found".
    if (cmd.is_string()) {
        std::string text = cmd.get<std::string>();
        if (text.empty() || text.find(' ') != std::string::npos)
            at.fail_expected(
                "an array of strings, one per argument (no shell is involved), e.g. "
                "[\"python3\", \"train.py\"]",
                cmd);
        c.command.push_back(text);
        return;
    }
    at.array(cmd);
    if (cmd.empty()) at.fail_expected("a non-empty array of strings", cmd);
    for (std::size_t i = 0; i < cmd.size(); ++i) c.command.push_back(at[i].string(cmd[i]));
}

void read_env(const json& value, const JsonPath& at, ExperimentConfig& c) {
    const json& env = at.object(value);
    for (auto it = env.begin(); it != env.end(); ++it) {
        if (it.value().is_number())
            c.env.emplace_back(it.key(), format_value(it.value()));
        else
            c.env.emplace_back(it.key(), (at / it.key()).string(it.value()));
    }
}

/// `doc[key]`, or null when `doc` has no such key.
const json& value_of(const json& doc, const char* key) {
    static const json null;
    const auto it = doc.find(key);
    return it == doc.end() ? null : *it;
}

// A field's reader gets the whole document and the path of its root, and names the key's value
// `value` (null when absent) and its path `at`.
#define ASHA_FIELD(key, always, body)                                                    \
    Field {                                                                              \
        key, always,                                                                     \
            []([[maybe_unused]] const json& doc, [[maybe_unused]] const JsonPath& where, \
               [[maybe_unused]] ExperimentConfig& c, [[maybe_unused]] Parsing& p) {      \
                [[maybe_unused]] const json& value = value_of(doc, key);                 \
                [[maybe_unused]] const JsonPath at = where / key;                        \
                body;                                                                    \
            }                                                                            \
    }

// A step: no key of its own, always run.
#define ASHA_STEP(body)                                                     \
    Field {                                                                 \
        nullptr, true,                                                      \
            [](const json& doc, const JsonPath& where, ExperimentConfig& c, \
               [[maybe_unused]] Parsing& p) { body; }                       \
    }

// Longer than 60 lines on purpose: it is one table, a row per key of the config in the order
// they are read, and splitting it would split the list of keys the parser accepts.
const std::vector<Field>& fields() {
    static const std::vector<Field> table = {
        ASHA_FIELD("name", false,
                   {
                       c.name = at.string(value);
                       if (c.name.empty() || c.name.find('/') != std::string::npos)
                           at.fail_expected("a non-empty name without '/'", value);
                   }),
        ASHA_FIELD("command", false, read_command(value, at, c)),
        ASHA_FIELD("config_space", true,
                   {
                       if (!doc.contains("config_space"))
                           where.fail("missing \"config_space\" (the hyperparameters to tune)");
                       c.config_space = ConfigSpace::parse(value, at);
                   }),
        ASHA_FIELD("metric", true, read_objectives(doc, where, c)),
        ASHA_FIELD("mode", false, {}),  // read with metric
        ASHA_FIELD("resource_attr", true,
                   {
                       if (doc.contains("resource_attr")) c.resource_attr = at.string(value);
                       const bool objective = std::any_of(
                           c.objectives.begin(), c.objectives.end(),
                           [&](const Objective& o) { return o.name == c.resource_attr; });
                       if (c.resource_attr.empty() || objective)
                           at.fail_expected("a non-empty name different from every metric",
                                            json(c.resource_attr));
                   }),
        ASHA_FIELD("max_resource_attr", false, c.max_resource_attr = at.string(value)),
        ASHA_FIELD("scheduler", false, c.scheduler = parse_scheduler(value, at, p.scheduler_max_t)),
        ASHA_FIELD("searcher", true, parse_searcher(doc, where, c.searcher)),
        ASHA_FIELD("searcher_options", false, {}),  // read with searcher
        ASHA_FIELD("constraints", false, read_constraints(value, at, c)),
        ASHA_STEP(check_objectives_fit(doc, where, c)),  // what several objectives allow
        ASHA_STEP(resolve_resources(c, p.scheduler_max_t, doc, where)),  // max_t, rungs
        ASHA_FIELD("points_to_evaluate", false,
                   {
                       const json& points = at.array(value);
                       for (std::size_t i = 0; i < points.size(); ++i)
                           c.points_to_evaluate.push_back(
                               c.config_space.complete(points[i], at[i]));
                   }),
        ASHA_FIELD("stop", false, c.stop = parse_stop(value, at)),
        ASHA_FIELD("workers", false, c.workers = static_cast<int>(positive_integer(at, value))),
        ASHA_FIELD("seed", false,
                   {
                       const std::int64_t seed = at.integer(value);
                       if (seed < 0) at.fail_expected("an integer >= 0", value);
                       c.seed = static_cast<std::uint64_t>(seed);
                   }),
        ASHA_FIELD("gpus", true, parse_gpus(doc, where, c.gpus)),
        ASHA_FIELD("gpus_per_trial", false, {}),  // read with gpus
        ASHA_FIELD("trials_per_gpu", false, {}),  // read with gpus
        ASHA_FIELD("backend", false, c.backend = parse_backend(value, at)),
        ASHA_FIELD("stop_grace_period", false, c.stop_grace_period = at_least_zero(at, value)),
        ASHA_FIELD("orphan_timeout", false, c.orphan_timeout = at_least_zero(at, value)),
        ASHA_FIELD("max_failures", false, c.max_failures = positive_integer(at, value)),
        ASHA_FIELD("max_retries", false,
                   {
                       const std::int64_t retries = at.integer(value);
                       if (retries < 0 || retries > 1000)
                           at.fail_expected("an integer from 0 to 1000", value);
                       c.max_retries = static_cast<int>(retries);
                   }),
        ASHA_FIELD("abort_on_identical_failures", false,
                   {
                       c.abort_on_identical_failures = at.integer(value);
                       if (c.abort_on_identical_failures < 0)
                           at.fail_expected("an integer >= 0", value);
                   }),
        ASHA_FIELD("trial_timeout", false, c.trial_timeout = positive_number(at, value)),
        ASHA_FIELD("report_timeout", false, c.report_timeout = positive_number(at, value)),
        ASHA_FIELD("print_update_interval", false,
                   c.print_update_interval = positive_number(at, value)),
        ASHA_FIELD("report_update_interval", false,
                   {
                       c.report_update_interval = at.number(value);
                       if (!(c.report_update_interval >= 0))
                           at.fail_expected(
                               "a number of seconds >= 0 (0: write report.html only at the end)",
                               value);
                   }),
        ASHA_FIELD("report_format", false, c.report_format = choose(at, value, kReportFormatNames)),
        ASHA_FIELD("journal_fsync", false, c.journal_fsync = choose(at, value, kJournalSyncNames)),
        ASHA_FIELD("working_dir", false, c.working_dir = at.string(value)),
        ASHA_FIELD("env", false, read_env(value, at, c)),
        ASHA_FIELD("simulator", false, parse_simulator(value, at, c)),
    };
    return table;
}

#undef ASHA_FIELD
#undef ASHA_STEP

}  // namespace

ExperimentConfig parse_experiment(const json& doc, const std::string& file) {
    JsonPath where(file);
    where.object(doc);
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const Field& f : fields())
            if (f.key) out.emplace_back(f.key);
        return out;
    }();
    where.check_keys(doc, keys);
    ExperimentConfig c;
    c.file = file;
    Parsing parsing;
    for (const Field& f : fields())
        if (f.always || doc.contains(f.key)) f.read(doc, where, c, parsing);  // f.key: set
    c.document = doc;
    return c;
}

}  // namespace asha
