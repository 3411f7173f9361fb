#include "backends/leg_output.hpp"

namespace asha {

void line_events(const ReportParser& parser, TrialId trial, std::string_view line, bool cut,
                 std::size_t max_line, std::uint64_t line_end, std::deque<BackendEvent>& out) {
    if (cut) {
        BackendEvent warning;
        warning.kind = BackendEvent::Kind::warning;
        warning.trial_id = trial;
        warning.warning_kind = "long-line";
        warning.message = "cut a stdout line longer than " + std::to_string(max_line) + " bytes";
        out.push_back(std::move(warning));
    }
    ParsedLine parsed = parser.parse(line);
    if (parsed.kind == ParsedLine::Kind::log) return;
    BackendEvent event;
    event.trial_id = trial;
    if (parsed.kind == ParsedLine::Kind::invalid) {
        event.kind = BackendEvent::Kind::warning;
        event.warning_kind = std::move(parsed.problem_kind);
        event.message = "ignored a report: " + parsed.problem;
    } else {
        event.kind = BackendEvent::Kind::report;
        event.report = std::move(parsed.report);
        event.offset = line_end;
    }
    out.push_back(std::move(event));
}

void keep_stderr_tail(std::string& tail, std::string_view bytes) {
    tail.append(bytes);
    if (tail.size() > 2 * kStderrTail) tail.erase(0, tail.size() - kStderrTail);
}

std::string stderr_tail_lines(const std::string& tail, int lines) {
    std::size_t end = tail.size();
    while (end > 0 && (tail[end - 1] == '\n' || tail[end - 1] == '\r')) --end;
    std::size_t start = end;
    for (int n = 0; start > 0; --start)
        if (tail[start - 1] == '\n' && ++n == lines) break;
    std::string out = tail.substr(start, end - start);
    for (char& ch : out)
        if (ch == '\n') ch = '|';
    return out;
}

}  // namespace asha
