#include "sys/leg_records.hpp"

#include "sys/fd.hpp"
#include "sys/read_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace asha {

namespace {

/// A record is one flat JSON object of integers and booleans on one line.
bool whole_object(const std::string& text) {
    const std::size_t end = text.find_last_not_of("\n");
    return !text.empty() && text[0] == '{' && end != std::string::npos && text[end] == '}';
}

/// The integer (true: 1, false: 0) after "key": in `text`; nullopt when absent or not a value.
std::optional<long long> field(const std::string& text, const char* key) {
    const std::string quoted = std::string("\"") + key + "\":";
    const std::size_t at = text.find(quoted);
    if (at == std::string::npos) return std::nullopt;
    const char* p = text.c_str() + at + quoted.size();
    if (std::strncmp(p, "true", 4) == 0) return 1;
    if (std::strncmp(p, "false", 5) == 0) return 0;
    char* end = nullptr;
    errno = 0;
    const long long value = std::strtoll(p, &end, 10);
    if (end == p || errno != 0 || (*end != ',' && *end != '}')) return std::nullopt;
    return value;
}

std::string boolean(bool b) {
    return b ? "true" : "false";
}

}  // namespace

std::string leg_records_path(const std::string& trial_dir, int leg) {
    return trial_dir + "/leg-" + std::to_string(leg) + ".jsonl";
}

namespace {

/// The files of builds before leg-<N>.jsonl: one per record.
std::string old_run_path(const std::string& trial_dir, int leg) {
    return trial_dir + "/leg-" + std::to_string(leg) + ".run";
}

std::string old_end_path(const std::string& trial_dir, int leg) {
    return trial_dir + "/leg-" + std::to_string(leg) + ".exit";
}

/// The first line of the leg's records that `decode` accepts, else what the file of an older
/// build at `old_path` holds (read only where the leg has no records file).
template <typename Decode>
auto find_record(const std::string& trial_dir, int leg, const std::string& old_path, Decode decode)
    -> decltype(decode(std::string())) {
    const std::optional<std::string> text = read_whole_file(leg_records_path(trial_dir, leg));
    if (!text) return decode(read_whole_file(old_path).value_or(""));
    for (std::size_t start = 0; start < text->size();) {
        std::size_t end = text->find('\n', start);
        end = end == std::string::npos ? text->size() : end + 1;
        if (auto record = decode(text->substr(start, end - start))) return record;
        start = end;
    }
    return std::nullopt;
}

}  // namespace

std::string encode_leg_run(const LegRun& r) {
    return "{\"leg\":" + std::to_string(r.leg) + ",\"supervisor\":" + std::to_string(r.supervisor) +
           ",\"ticks\":" + std::to_string(r.ticks) + ",\"trial\":" + std::to_string(r.trial) +
           "}\n";
}

std::string encode_leg_end(const SupervisedExit& e) {
    return "{\"leg\":" + std::to_string(e.leg) + ",\"exit_code\":" + std::to_string(e.exit_code) +
           ",\"signal\":" + std::to_string(e.signal) + ",\"stopped\":" + boolean(e.stopped) +
           ",\"orphaned\":" + boolean(e.orphaned) + "}\n";
}

std::optional<LegRun> decode_leg_run(const std::string& text) {
    if (!whole_object(text)) return std::nullopt;
    const auto supervisor = field(text, "supervisor"), ticks = field(text, "ticks");
    if (!supervisor || !ticks || *supervisor <= 1 || *ticks < 0) return std::nullopt;
    LegRun r;
    r.leg = static_cast<int>(field(text, "leg").value_or(0));
    r.supervisor = static_cast<pid_t>(*supervisor);
    r.ticks = static_cast<unsigned long long>(*ticks);
    r.trial = static_cast<pid_t>(field(text, "trial").value_or(0));
    return r;
}

std::optional<SupervisedExit> decode_leg_end(const std::string& text) {
    const auto exit_code = field(text, "exit_code");  // what tells it from a run record
    if (!whole_object(text) || !exit_code) return std::nullopt;
    SupervisedExit e;
    e.leg = static_cast<int>(field(text, "leg").value_or(0));
    e.exit_code = static_cast<int>(*exit_code);
    e.signal = static_cast<int>(field(text, "signal").value_or(0));
    e.stopped = field(text, "stopped").value_or(0) != 0;
    e.orphaned = field(text, "orphaned").value_or(0) != 0;
    return e;
}

std::string append_leg_record(Fd& file, const std::string& path, const std::string& text) {
    if (!file.valid())
        file = Fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
    if (!file.valid() || !write_all(file.get(), text.data(), text.size()))
        return "cannot write " + path + ": " + std::strerror(errno);
    return "";
}

void remove_leg_records(const std::string& trial_dir, int leg) {
    for (const std::string& path : {leg_records_path(trial_dir, leg), old_run_path(trial_dir, leg),
                                    old_end_path(trial_dir, leg)})
        ::unlink(path.c_str());
}

std::optional<LegRun> read_leg_run(const std::string& trial_dir, int leg) {
    return find_record(trial_dir, leg, old_run_path(trial_dir, leg), decode_leg_run);
}

std::optional<SupervisedExit> read_leg_end(const std::string& trial_dir, int leg) {
    return find_record(trial_dir, leg, old_end_path(trial_dir, leg), decode_leg_end);
}

}  // namespace asha
