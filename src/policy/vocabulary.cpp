// The names of the vocabulary (trial.hpp): the one table per enum that every file, table and
// journal uses in both directions.
#include "asha/trial.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace asha {

namespace {

template <typename Enum, std::size_t N>
using Names = std::array<std::pair<Enum, const char*>, N>;

constexpr Names<TrialStatus, 7> kStatusNames{{{TrialStatus::pending, "Pending"},
                                              {TrialStatus::in_progress, "InProgress"},
                                              {TrialStatus::paused, "Paused"},
                                              {TrialStatus::stopped, "Stopped"},
                                              {TrialStatus::completed, "Completed"},
                                              {TrialStatus::failed, "Failed"},
                                              {TrialStatus::timeout, "Timeout"}}};
constexpr Names<Decision, 3> kDecisionNames{
    {{Decision::proceed, "CONTINUE"}, {Decision::pause, "PAUSE"}, {Decision::stop, "STOP"}}};
constexpr Names<LaunchKind, 3> kLaunchKindNames{{{LaunchKind::new_trial, "new"},
                                                 {LaunchKind::promote, "promote"},
                                                 {LaunchKind::retry, "retry"}}};
using Rule = DecisionReason::Rule;
constexpr Names<Rule, 11> kRuleNames{{{Rule::quantile, "quantile"},
                                      {Rule::paused, "paused"},
                                      {Rule::promoted, "promoted"},
                                      {Rule::milestone, "milestone"},
                                      {Rule::round_end, "round_end"},
                                      {Rule::max_t, "max_t"},
                                      {Rule::run_ending, "run_ending"},
                                      {Rule::ranked, "ranked"},
                                      {Rule::pasha_paused, "pasha_paused"},
                                      {Rule::pasha_top, "pasha_top"},
                                      {Rule::pasha_promoted, "pasha_promoted"}}};

template <typename Enum, std::size_t N>
const char* name_of(const Names<Enum, N>& names, Enum value) {
    for (const auto& [e, name] : names)
        if (e == value) return name;
    return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const Names<Enum, N>& names, std::string_view text) {
    for (const auto& [e, name] : names)
        if (text == name) return e;
    return std::nullopt;
}

}  // namespace

const char* to_string(TrialStatus status) {
    return name_of(kStatusNames, status);
}
std::optional<TrialStatus> parse_status(std::string_view text) {
    return value_of(kStatusNames, text);
}
const char* to_string(Decision decision) {
    return name_of(kDecisionNames, decision);
}
std::optional<Decision> parse_decision(std::string_view text) {
    return value_of(kDecisionNames, text);
}
const char* to_string(LaunchKind kind) {
    return name_of(kLaunchKindNames, kind);
}
std::optional<LaunchKind> parse_launch_kind(std::string_view text) {
    return value_of(kLaunchKindNames, text);
}

const char* to_string(DecisionReason::Rule rule) {
    return name_of(kRuleNames, rule);
}
std::optional<DecisionReason::Rule> parse_reason_rule(std::string_view text) {
    return value_of(kRuleNames, text);
}

bool DecisionReason::operator==(const DecisionReason& o) const {
    // NaN cutoffs (no cutoff) are equal to each other: a replay compares reasons with this.
    const bool same_cutoff = cutoff == o.cutoff || (std::isnan(cutoff) && std::isnan(o.cutoff));
    return rule == o.rule && bracket == o.bracket && level == o.level &&
           (value == o.value || (std::isnan(value) && std::isnan(o.value))) && better == o.better &&
           of == o.of && top == o.top && same_cutoff && front == o.front &&
           (violation == o.violation || (std::isnan(violation) && std::isnan(o.violation)));
}

void StatusCounts::add(TrialStatus status) {
    ++started;
    switch (status) {
        case TrialStatus::pending:
        case TrialStatus::in_progress:
            ++running;
            return;
        case TrialStatus::completed:
            ++completed;
            return;
        case TrialStatus::stopped:
            ++stopped;
            return;
        case TrialStatus::paused:
            ++paused;
            return;
        case TrialStatus::failed:
        case TrialStatus::timeout:
            ++failed;
            return;
    }
}

}  // namespace asha
