#pragma once
/// What a leg's output means, as values: the events of one stdout line (a report with where its
/// line ends, or a warning with its kind), and the tail of stderr kept for failure messages.
/// Pure: the engine reads the bytes and splits the lines; the launcher sees each line first
/// (a Slurm leg's marker that it runs); what is left comes here.

#include "asha/backend.hpp"
#include "backends/report_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace asha {

/// Appends to `out` the events of stdout line `line` of `trial`: a "long-line" warning when the
/// line was cut at `max_line` bytes, then its report or the warning saying why it is not one
/// (a plain log line gives nothing). `line_end`: where the line ends in stdout.log, when the
/// engine follows that file (0 otherwise), journaled with the report so a resume reads on
/// from there.
void line_events(const ReportParser& parser, TrialId trial, std::string_view line, bool cut,
                 std::size_t max_line, std::uint64_t line_end, std::deque<BackendEvent>& out);

/// Bytes of stderr kept for the tail of a failure message.
inline constexpr std::size_t kStderrTail = 2048;

/// Appends `bytes` to `tail`, keeping at least its last kStderrTail bytes (cut back to that
/// when it has grown to twice as much, so the cost per byte stays constant).
void keep_stderr_tail(std::string& tail, std::string_view bytes);

/// The last `lines` lines of `tail`, joined by '|', for a one-line failure message.
std::string stderr_tail_lines(const std::string& tail, int lines);

}  // namespace asha
