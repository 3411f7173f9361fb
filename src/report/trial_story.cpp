#include "report/trial_story.hpp"

#include <fmt/format.h>

#include <cmath>
#include <type_traits>
#include <variant>

namespace asha {

namespace {

/// A number as a person reads it: 6 significant digits.
std::string num(double x) {
    if (std::isnan(x)) return "NaN";
    return fmt::format("{:.6g}", x);
}

/// Whether a journal line is one of `trial`'s records, without decoding it: every per-trial
/// record has "trial" right after "time", so the exact key and value are enough.
bool mentions(std::string_view line, const std::string& key) {
    const auto at = line.find(key);
    if (at == std::string_view::npos) return false;
    const char next = at + key.size() < line.size() ? line[at + key.size()] : '\0';
    return next == ',' || next == '}';
}

json reason_json(const DecisionReason& why) {
    return json::parse(encode_reason(why));
}

}  // namespace

std::optional<TrialStory> trial_story(const JournalContents& journal, TrialId trial) {
    TrialStory story;
    story.trial = trial;
    story.has_reasons = journal.header.journal_version >= 2;
    const std::string key = "\"trial\":" + std::to_string(trial);
    bool started = false;
    for (std::size_t i = 0; i < journal.size(); ++i) {
        if (!mentions(journal.line(i), key)) continue;
        const JournalRecord record = journal.record(i);
        std::visit(
            [&](const auto& r) {
                using R = std::decay_t<decltype(r)>;
                if constexpr (std::is_same_v<R, StartRecord>) {
                    if (r.trial != trial) return;
                    if (!started) {
                        started = true;
                        story.config = r.config.value_or(json::object());
                        story.bracket = r.bracket;
                    }
                    story.legs.push_back(LegStory{r, std::nullopt, std::nullopt, std::nullopt});
                } else if constexpr (std::is_same_v<R, StartedRecord> ||
                                     std::is_same_v<R, RunningRecord>) {
                    if (r.trial == trial && !story.legs.empty())
                        story.legs.back().running_since = r.time;
                } else if constexpr (std::is_same_v<R, TimeoutRecord>) {
                    if (r.trial == trial && !story.legs.empty()) story.legs.back().timeout = r;
                } else if constexpr (std::is_same_v<R, ExitRecord>) {
                    if (r.trial == trial && !story.legs.empty()) story.legs.back().exit = r;
                } else if constexpr (std::is_same_v<R, ReportRecord>) {
                    if (r.trial != trial) return;
                    ++story.reports;
                    story.last_report = r;
                    if (r.why || r.raised ||
                        (!story.has_reasons && r.decision != Decision::proceed))
                        story.decisions.push_back(r);
                }
            },
            record);
    }
    if (!started) return std::nullopt;
    return story;
}

std::string explain_raise(const TopRaise& raised, const ExperimentConfig& config) {
    return fmt::format(
        "PASHA raised its top rung: trials now go up to {} {}, because at {} {} trial {} ranks "
        "at place {}, outside its group one rung below (values within epsilon {})",
        config.resource_attr, num(raised.level), config.resource_attr, num(raised.compared),
        raised.trial, raised.place + 1, num(raised.epsilon));
}

std::string explain(const DecisionReason& why, const ExperimentConfig& config) {
    using Rule = DecisionReason::Rule;
    const std::string at = config.resource_attr + " " + num(why.level);
    const std::string value = config.metric + " " + num(why.value);
    // Several objectives or constraints: the rank is a place in the rung's priority order.
    const bool ordered = why.rule == Rule::ranked || why.front > 0 || why.violation != 0;
    std::string rank =
        ordered ? fmt::format("{} of the {} results there ranked before it", why.better, why.of)
                : fmt::format("{} of the {} values there better", why.better, why.of);
    if (why.front > 0) rank += fmt::format(" (it is on front {})", why.front);
    if (why.violation != 0)
        rank += std::isinf(why.violation)
                    ? " (infeasible: a constrained value or an objective is missing or not finite)"
                    : " (infeasible by " + num(why.violation) + ")";
    const std::string top_ends =
        std::isnan(why.cutoff) ? "" : " (the top ends at " + num(why.cutoff) + ")";
    switch (why.rule) {
        case Rule::quantile:
            return fmt::format(
                "{}: {}, {}; it goes on while fewer than {} are (the rung's quantile is {})", at,
                value, rank, why.top, num(why.cutoff));
        case Rule::ranked:
            return fmt::format("{}: {}, {}; it goes on while fewer than {} are", at, value, rank,
                               why.top);
        case Rule::paused:
            if (why.top == 0)
                return fmt::format("{}: {}, {}; paused: with {} values the rung promotes none yet",
                                   at, value, rank, why.of);
            return fmt::format(
                "{}: {}, {}; paused, and promoted when a worker is free while fewer than {} are{}",
                at, value, rank, why.top, top_ends);
        case Rule::promoted:
            return fmt::format("promoted from {}: {}, {}, within the top {}{}", at, value, rank,
                               why.top, top_ends);
        case Rule::pasha_paused:
        case Rule::pasha_top: {
            const std::string waits =
                why.rule == Rule::pasha_top
                    ? "; paused at PASHA's top rung: trials go no further until PASHA raises it"
                    : "; paused";
            if (why.top == 0)
                return fmt::format("{}: {}, {}{} (with {} value{} the rung promotes none yet)", at,
                                   value, rank, waits, why.of, why.of == 1 ? "" : "s");
            return fmt::format(
                "{}: {}, {}{}; promoted when a worker is free while fewer than {} are (the "
                "rung's quantile is {})",
                at, value, rank, waits, why.top, num(why.cutoff));
        }
        case Rule::pasha_promoted:
            return fmt::format(
                "promoted from {}: {}, {}, fewer than {} (as good as the rung's quantile, {})", at,
                value, rank, why.top, num(why.cutoff));
        case Rule::milestone:
            return fmt::format(
                "{}: {}; paused until every trial of its round has reached this rung", at, value);
        case Rule::round_end:
            return fmt::format("promoted from {} when its round ended: {}, {}, within the top {}{}",
                               at, value, rank, why.top, top_ends);
        case Rule::max_t:
            if (why.of > 0)
                return fmt::format(
                    "reached max_t: {}; the trial completes (at its last rung, {} "
                    "{}: {})",
                    value, config.resource_attr, num(why.level), rank);
            return fmt::format("reached max_t ({}): {}; the trial completes", at, value);
        case Rule::run_ending:
            return fmt::format(
                "{}: {}; the run was ending, so the tuner stopped it without asking the scheduler",
                at, value);
    }
    return "";
}

namespace {

std::string leg_end(const LegStory& leg) {
    if (!leg.exit) return "running";
    const ExitRecord& e = *leg.exit;
    std::string how = e.signal ? "signal " + std::to_string(e.signal)
                               : "exit code " + std::to_string(e.exit_code);
    if (e.stopped_by_tuner) how += ", stopped by the tuner";
    if (leg.timeout) how += ", " + leg.timeout->reason;
    return fmt::format("ended at {}s ({})", num(e.time), how);
}

}  // namespace

std::string render_story(const TrialStory& s, const ExperimentConfig& config,
                         const std::string& status) {
    std::string out = fmt::format("trial {}: {}\nconfig: {}\n", s.trial, status, s.config.dump());
    if (s.bracket > 0 || config.scheduler.brackets > 1)
        out += fmt::format("bracket: {}\n", s.bracket);
    out += fmt::format("reports: {}", s.reports);
    if (s.last_report)
        out += fmt::format(", the last at {} {}: {} {}", config.resource_attr,
                           num(s.last_report->resource), config.metric, num(s.last_report->metric));
    out += "\n\nlegs:\n";
    for (const LegStory& leg : s.legs) {
        const StartRecord& r = leg.start;
        out +=
            fmt::format("  leg {} ({}), started at {}s, to {} {}: {}\n", r.leg, to_string(r.kind),
                        num(r.time), config.resource_attr,
                        r.milestone > 0 ? num(r.milestone) : std::string("the end"), leg_end(leg));
        if (r.why) out += "      " + explain(*r.why, config) + "\n";
    }
    out += "\ndecisions:\n";
    if (!s.has_reasons)
        out +=
            "  (this run's journal is of version 1, written before decisions had reasons: "
            "its PAUSE and STOP decisions only)\n";
    if (s.decisions.empty()) out += "  none yet (no rung reached)\n";
    for (const ReportRecord& r : s.decisions) {
        out += fmt::format("  at {}s, {} {}: {}", num(r.time), config.resource_attr,
                           num(r.resource), to_string(r.decision));
        if (r.why) out += " - " + explain(*r.why, config);
        if (r.raised) out += "\n      " + explain_raise(*r.raised, config);
        out += "\n";
    }
    return out;
}

json story_json(const TrialStory& s, const ExperimentConfig& config, const std::string& status) {
    json legs = json::array();
    for (const LegStory& leg : s.legs) {
        json l = {{"leg", leg.start.leg},
                  {"kind", to_string(leg.start.kind)},
                  {"start", journal_number(leg.start.time)},
                  {"milestone", journal_number(leg.start.milestone)}};
        if (leg.running_since) l["running_since"] = journal_number(*leg.running_since);
        if (leg.start.why) {
            l["why"] = reason_json(*leg.start.why);
            l["explanation"] = explain(*leg.start.why, config);
        }
        if (leg.timeout) l["timeout"] = leg.timeout->reason;
        if (leg.exit)
            l["end"] = {{"time", journal_number(leg.exit->time)},
                        {"exit_code", leg.exit->exit_code},
                        {"signal", leg.exit->signal},
                        {"stopped_by_tuner", leg.exit->stopped_by_tuner},
                        {"stderr_tail", leg.exit->stderr_tail}};
        legs.push_back(std::move(l));
    }
    json decisions = json::array();
    for (const ReportRecord& r : s.decisions) {
        json d = {{"time", journal_number(r.time)},
                  {"resource", journal_number(r.resource)},
                  {"metric", journal_number(r.metric)},
                  {"decision", to_string(r.decision)}};
        if (r.why) {
            d["why"] = reason_json(*r.why);
            d["explanation"] = explain(*r.why, config);
        }
        if (r.raised) {
            d["raised"] = json::parse(encode_raise(*r.raised));
            d["raised_explanation"] = explain_raise(*r.raised, config);
        }
        decisions.push_back(std::move(d));
    }
    return {{"trial", s.trial},
            {"status", status},
            {"config", s.config},
            {"bracket", s.bracket},
            {"reports", s.reports},
            {"legs", std::move(legs)},
            {"decisions", std::move(decisions)},
            {"has_reasons", s.has_reasons}};
}

std::string trial_status(const RunData& run, TrialId trial) {
    for (const TrialRecord& t : run.trials)
        if (t.id == trial) return to_string(t.status);
    return to_string(TrialStatus::in_progress);
}

}  // namespace asha
