#pragma once
/// The names of the config's enums, one table per enum, used in both directions by the config
/// parser, metadata.json, the command line's choices and the JSON summaries. A value's first
/// name is the one written; a later one is an alias that is only read ("hyperband").

#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "asha/json_check.hpp"

#include <string>
#include <utility>
#include <vector>

namespace asha {

template <typename Enum>
using NameTable = std::vector<std::pair<std::string, Enum>>;

inline const NameTable<Mode> kModeNames = {{"min", Mode::min}, {"max", Mode::max}};
inline const NameTable<MoPriority> kMoPriorityNames = {
    {"non_dominated", MoPriority::non_dominated},
    {"linear_scalarization", MoPriority::linear_scalarization}};
inline const NameTable<SchedulerType> kSchedulerNames = {{"asha", SchedulerType::asha},
                                                         {"fifo", SchedulerType::fifo},
                                                         {"sync_sh", SchedulerType::sync_sh},
                                                         {"pasha", SchedulerType::pasha},
                                                         {"hyperband", SchedulerType::sync_sh}};
inline const NameTable<AshaVariant> kVariantNames = {{"stopping", AshaVariant::stopping},
                                                     {"promotion", AshaVariant::promotion}};
inline const NameTable<SearcherSpec::Type> kSearcherNames = {{"random", SearcherSpec::Type::random},
                                                             {"bohb", SearcherSpec::Type::bohb},
                                                             {"tpe", SearcherSpec::Type::tpe}};
inline const NameTable<BackendSpec::Type> kBackendNames = {{"local", BackendSpec::Type::local},
                                                           {"slurm", BackendSpec::Type::slurm}};
inline const NameTable<BackendSpec::SlurmMode> kSlurmModeNames = {
    {"auto", BackendSpec::SlurmMode::automatic},
    {"jobs", BackendSpec::SlurmMode::jobs},
    {"steps", BackendSpec::SlurmMode::steps}};
inline const NameTable<ReportFormat> kReportFormatNames = {{"json", ReportFormat::tune_metric},
                                                           {"key_value", ReportFormat::key_value}};
inline const NameTable<JournalSync> kJournalSyncNames = {
    {"batch", JournalSync::batch}, {"always", JournalSync::always}, {"never", JournalSync::never}};

/// The name `value` is written with (its first in `names`).
template <typename Enum>
const std::string& name_of(const NameTable<Enum>& names, Enum value) {
    for (const auto& [name, v] : names)
        if (v == value) return name;
    return names.front().first;  // unreachable for a complete table
}

/// Every name in `names`, aliases included (a command line's choices).
template <typename Enum>
std::vector<std::string> all_names(const NameTable<Enum>& names) {
    std::vector<std::string> out;
    for (const auto& [name, v] : names) out.push_back(name);
    return out;
}

/// The value `value` (at `where`) names in `names`; anything else is a ConfigError that lists
/// the names and suggests the closest.
template <typename Enum>
Enum choose(const JsonPath& where, const json& value, const NameTable<Enum>& names) {
    const std::string text = where.string(value);
    for (const auto& [name, option] : names)
        if (name == text) return option;
    const std::vector<std::string> all = all_names(names);
    std::string list;
    for (const auto& n : all) list += (list.empty() ? "" : ", ") + n;
    const std::string hint = closest_match(text, all);
    where.fail("expected one of " + list + ", found \"" + text + "\"" +
               (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
}

}  // namespace asha
