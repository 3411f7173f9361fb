#include "run/journal_records.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace asha {

namespace {

constexpr auto kReplace = json::error_handler_t::replace;  // invalid UTF-8 in a trial's output

/// A double as JSON text: the shortest text that reads back to the same double.
std::string number_text(double x) {
    if (std::isnan(x)) return "\"NaN\"";
    if (std::isinf(x)) return x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return fmt::format("{}", x);  // shortest round trip, valid JSON for finite values
}

std::string compact(const json& value) {
    return value.dump(-1, ' ', false, kReplace);
}

// The three most frequent records are formatted by hand (a 100,000-trial simulation writes
// some 700,000 records); the others are built as JSON objects (asha::json keeps the order of
// insertion), "event" first in every one of them.

std::string encode(const StartRecord& r) {
    std::string line = fmt::format(
        R"({{"event":"start","time":{},"trial":{},"leg":{},"kind":"{}","bracket":{},"milestone":{})",
        number_text(r.time), r.trial, r.leg, to_string(r.kind), r.bracket,
        number_text(r.milestone));
    if (r.config) line += ",\"config\":" + compact(*r.config);
    if (r.why) line += ",\"why\":" + encode_reason(*r.why);
    return line + '}';
}

std::string encode(const ReportRecord& r) {
    std::string line = fmt::format(
        R"({{"event":"report","time":{},"trial":{},"resource":{},"metric":{},"decision":"{}")",
        number_text(r.time), r.trial, number_text(r.resource), number_text(r.metric),
        to_string(r.decision));
    if (r.fields) line += ",\"fields\":" + compact(*r.fields);
    if (r.offset) line += ",\"offset\":" + std::to_string(r.offset);
    if (r.why) line += ",\"why\":" + encode_reason(*r.why);
    if (r.raised) line += ",\"raised\":" + encode_raise(*r.raised);
    return line + '}';
}

std::string encode(const ExitRecord& r) {
    return fmt::format(
        R"({{"event":"exit","time":{},"trial":{},"exit_code":{},"signal":{},"stopped_by_tuner":{},"stderr_tail":{}}})",
        number_text(r.time), r.trial, r.exit_code, r.signal, r.stopped_by_tuner,
        compact(json(r.stderr_tail)));
}

std::string encode(const StartedRecord& r) {
    json line = {{"event", "started"},
                 {"time", r.time},
                 {"trial", r.trial},
                 {"handle", r.handle},
                 {"gpus", r.gpus}};
    if (r.offset) line["offset"] = r.offset;
    return compact(line);
}
std::string encode(const RunningRecord& r) {
    json line = {{"event", "running"}, {"time", r.time}, {"trial", r.trial}};
    if (!r.handle.empty()) line["handle"] = r.handle;
    return compact(line);
}
std::string encode(const TimeoutRecord& r) {
    return compact(
        {{"event", "timeout"}, {"time", r.time}, {"trial", r.trial}, {"reason", r.reason}});
}
std::string encode(const InterruptRecord& r) {
    return compact({{"event", "interrupt"}, {"time", r.time}, {"signal", r.signal}});
}
std::string encode(const EndRecord& r) {
    return compact(
        {{"event", "end"}, {"time", r.time}, {"reason", r.reason}, {"exit_code", r.exit_code}});
}
std::string encode(const ResumeRecord& r) {
    return compact({{"event", "resume"}, {"time", r.time}, {"pid", r.pid}});
}
std::string encode(const ClockRecord& r) {
    return compact({{"event", "clock"}, {"time", r.time}});
}
std::string encode(const FinishedRecord& r) {
    return compact({{"event", "finished"},
                    {"time", r.time},
                    {"reason", r.reason},
                    {"exit_code", r.exit_code}});
}

/// An integer field, checked: nlohmann's get<int>() of 1e300 or -1 into an unsigned type is
/// undefined behaviour (the journal fuzzer found it), so a value that is not an integer of T's
/// range is an error naming the key.
template <typename T>
T integer(const json& value, const char* key) {
    if (value.is_number_unsigned()) {
        const auto u = value.get<std::uint64_t>();
        if (std::in_range<T>(u)) return static_cast<T>(u);
    } else if (value.is_number_integer()) {
        const auto i = value.get<std::int64_t>();
        if (std::in_range<T>(i)) return static_cast<T>(i);
    }
    throw std::invalid_argument(std::string("\"") + key + "\": expected an integer, found " +
                                value.dump(-1, ' ', false, kReplace));
}

template <typename T>
T get(const json& record, const char* key) {
    return integer<T>(record.at(key), key);
}

/// An optional integer field: `fallback` when the key is absent.
template <typename T>
T get_or(const json& record, const char* key, T fallback) {
    const auto found = record.find(key);
    return found == record.end() ? fallback : integer<T>(*found, key);
}

std::string text_or(const json& record, const char* key, const char* fallback = "") {
    return record.value(key, std::string(fallback));
}

template <typename Enum>
Enum parse_name(std::optional<Enum> (*parse)(std::string_view), const json& record,
                const char* key) {
    const auto& text = record.at(key).get_ref<const std::string&>();
    if (auto value = parse(text)) return *value;
    throw std::invalid_argument(std::string("unknown ") + key + " \"" + text + "\"");
}

}  // namespace

std::string encode_reason(const DecisionReason& why) {
    std::string text =
        fmt::format(R"({{"rule":"{}","bracket":{},"level":{},"value":{})", to_string(why.rule),
                    why.bracket, number_text(why.level), number_text(why.value));
    if (why.of > 0)
        text += fmt::format(R"(,"better":{},"of":{},"top":{})", why.better, why.of, why.top);
    if (!std::isnan(why.cutoff)) text += ",\"cutoff\":" + number_text(why.cutoff);
    if (why.front > 0) text += fmt::format(R"(,"front":{})", why.front);
    if (why.violation != 0) text += ",\"violation\":" + number_text(why.violation);
    return text + '}';
}

DecisionReason decode_reason(const json& r) {
    if (!r.is_object()) throw std::invalid_argument("\"why\": expected an object");
    DecisionReason why;
    why.rule = parse_name(parse_reason_rule, r, "rule");
    why.bracket = get_or(r, "bracket", 0);
    why.level = journal_double(r.at("level"));
    why.value = journal_double(r.at("value"));
    why.better = get_or(r, "better", std::size_t{0});
    why.of = get_or(r, "of", std::size_t{0});
    why.top = get_or(r, "top", std::size_t{0});
    why.cutoff = r.contains("cutoff") ? journal_double(r["cutoff"])
                                      : std::numeric_limits<double>::quiet_NaN();
    why.front = get_or(r, "front", std::uint32_t{0});
    why.violation = r.contains("violation") ? journal_double(r["violation"]) : 0.0;
    return why;
}

std::string encode_raise(const TopRaise& raised) {
    return fmt::format(R"({{"level":{},"compared":{},"trial":{},"place":{},"epsilon":{}}})",
                       number_text(raised.level), number_text(raised.compared), raised.trial,
                       raised.place, number_text(raised.epsilon));
}

TopRaise decode_raise(const json& r) {
    if (!r.is_object()) throw std::invalid_argument("\"raised\": expected an object");
    TopRaise raised;
    raised.level = journal_double(r.at("level"));
    raised.compared = journal_double(r.at("compared"));
    raised.trial = get<TrialId>(r, "trial");
    raised.place = get<std::size_t>(r, "place");
    raised.epsilon = journal_double(r.at("epsilon"));
    return raised;
}

json journal_number(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
    return x;
}

double journal_double(const json& value) {
    if (value.is_number()) return value.get<double>();
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
        if (text == "Infinity") return std::numeric_limits<double>::infinity();
        if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
    }
    throw std::invalid_argument("expected a number, found " + value.dump());
}

double record_time(const JournalRecord& record) {
    return std::visit([](const auto& r) { return r.time; }, record);
}

std::string encode_record(const JournalRecord& record) {
    return std::visit([](const auto& r) { return encode(r); }, record);
}

std::string encode_header(const JournalHeader& h) {
    json line = {{"event", "run"},
                 {"journal_version", h.journal_version},
                 {"tuner_version", h.tuner_version},
                 {"backend", h.backend},
                 {"config_file", h.config_file},
                 {"cwd", h.cwd},
                 {"command_line", h.command_line},
                 {"config", h.config}};
    if (!h.run_id.empty()) line["run_id"] = h.run_id;
    return compact(line);
}

JournalHeader decode_header(const json& line) {
    JournalHeader h;
    h.journal_version = get_or(line, "journal_version", 0);
    h.tuner_version = text_or(line, "tuner_version");
    h.backend = text_or(line, "backend", "local");
    h.config_file = text_or(line, "config_file", "journal.jsonl");
    h.cwd = text_or(line, "cwd");
    h.command_line = text_or(line, "command_line");
    h.config = line.at("config");
    h.run_id = text_or(line, "run_id");
    return h;
}

JournalRecord decode_record(std::string_view line) {
    const json r = json::parse(line);
    const auto& event = r.at("event").get_ref<const std::string&>();
    const double time = r.contains("time") ? journal_double(r["time"]) : 0.0;
    if (event == "start") {
        StartRecord s{time,
                      get<TrialId>(r, "trial"),
                      get_or(r, "leg", 0),
                      parse_name(parse_launch_kind, r, "kind"),
                      get_or(r, "bracket", 0),
                      journal_double(r.at("milestone")),
                      std::nullopt,
                      std::nullopt};
        if (r.contains("config")) s.config = r["config"];
        if (r.contains("why")) s.why = decode_reason(r["why"]);
        return s;
    }
    if (event == "report") {
        ReportRecord s{time,
                       get<TrialId>(r, "trial"),
                       journal_double(r.at("resource")),
                       journal_double(r.at("metric")),
                       parse_name(parse_decision, r, "decision"),
                       std::nullopt,
                       get_or(r, "offset", std::uint64_t{0}),
                       std::nullopt,
                       std::nullopt};
        if (r.contains("fields")) s.fields = r["fields"];
        if (r.contains("why")) s.why = decode_reason(r["why"]);
        if (r.contains("raised")) s.raised = decode_raise(r["raised"]);
        return s;
    }
    if (event == "exit")
        return ExitRecord{time,
                          get<TrialId>(r, "trial"),
                          get_or(r, "exit_code", 0),
                          get_or(r, "signal", 0),
                          r.value("stopped_by_tuner", false),
                          text_or(r, "stderr_tail")};
    if (event == "started")
        return StartedRecord{time, get<TrialId>(r, "trial"), text_or(r, "handle"),
                             text_or(r, "gpus"), get_or(r, "offset", std::uint64_t{0})};
    if (event == "running")
        return RunningRecord{time, get<TrialId>(r, "trial"), text_or(r, "handle")};
    if (event == "timeout")
        return TimeoutRecord{time, get<TrialId>(r, "trial"), text_or(r, "reason", "timeout")};
    if (event == "interrupt") return InterruptRecord{time, get_or(r, "signal", 0)};
    if (event == "end") return EndRecord{time, text_or(r, "reason"), get_or(r, "exit_code", 0)};
    if (event == "resume") return ResumeRecord{time, get_or(r, "pid", 0L)};
    if (event == "clock") return ClockRecord{time};
    if (event == "finished")
        return FinishedRecord{time, text_or(r, "reason"), get_or(r, "exit_code", 0)};
    throw std::invalid_argument("unknown event \"" + event + "\"");
}

json report_fields(const ReportRecord& record, const std::string& resource_attr,
                   const std::string& metric) {
    if (record.fields) return *record.fields;
    json fields = json::object();
    fields[resource_attr] = record.resource;
    fields[metric] = record.metric;
    return fields;
}

}  // namespace asha
