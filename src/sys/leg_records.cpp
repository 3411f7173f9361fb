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

std::string leg_run_path(const std::string& trial_dir, int leg) {
    return trial_dir + "/leg-" + std::to_string(leg) + ".run";
}

std::string leg_end_path(const std::string& trial_dir, int leg) {
    return trial_dir + "/leg-" + std::to_string(leg) + ".exit";
}

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
    if (!whole_object(text)) return std::nullopt;
    SupervisedExit e;
    e.leg = static_cast<int>(field(text, "leg").value_or(0));
    e.exit_code = static_cast<int>(field(text, "exit_code").value_or(0));
    e.signal = static_cast<int>(field(text, "signal").value_or(0));
    e.stopped = field(text, "stopped").value_or(0) != 0;
    e.orphaned = field(text, "orphaned").value_or(0) != 0;
    return e;
}

std::string write_leg_record(const std::string& path, const std::string& text) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid() || !write_all(fd.get(), text.data(), text.size()) || ::close(fd.release()) != 0)
        return "cannot write " + path + ": " + std::strerror(errno);
    return "";
}

std::optional<LegRun> read_leg_run(const std::string& trial_dir, int leg) {
    return decode_leg_run(read_whole_file(leg_run_path(trial_dir, leg)).value_or(""));
}

std::optional<SupervisedExit> read_leg_end(const std::string& trial_dir, int leg) {
    return decode_leg_end(read_whole_file(leg_end_path(trial_dir, leg)).value_or(""));
}

}  // namespace asha
