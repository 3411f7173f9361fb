#pragma once
/// Splitting a trial's stdout into lines and lines into reports (the README's "The trial
/// protocol").
/// Pure code: bytes in, lines and reports out; memory is bounded by the longest line kept.

#include "asha/experiment.hpp"
#include "asha/trial.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace asha {

/// Cuts a byte stream into lines. A partial last line is kept until its newline; a line longer
/// than `max_line` bytes is cut there (delivered with `cut` = true) and the rest of it dropped.
class LineSplitter {
  public:
    using LineHandler = std::function<void(std::string_view line, bool cut)>;

    explicit LineSplitter(std::size_t max_line = 1 << 20) : max_line_(max_line) {}

    void feed(std::string_view bytes, const LineHandler& on_line);
    /// End of stream: delivers a partial last line, if any.
    void finish(const LineHandler& on_line);

    /// The stream's first byte is at `position` (a file followed from an offset).
    void start_at(std::uint64_t position) { position_ = position; }
    /// While a handler runs: the stream position just past the line it was given (past its
    /// newline), so that reading again from there never delivers that line twice.
    std::uint64_t line_end() const { return line_end_; }

  private:
    std::uint64_t position_ = 0;  // stream position of the next byte fed
    std::uint64_t line_end_ = 0;
    std::size_t max_line_;
    std::string partial_;
    bool discarding_ = false;  // inside the dropped tail of an over-long line
};

struct ParsedLine {
    enum class Kind { log, report, invalid };
    Kind kind = Kind::log;
    Report report;             ///< Kind::report
    std::string problem;       ///< Kind::invalid: what is wrong, for the warning
    std::string problem_kind;  ///< a short tag, so warnings are given once per kind per trial
};

class ReportParser {
  public:
    ReportParser(ReportFormat format, std::string metric, std::string resource_attr)
        : format_(format), metric_(std::move(metric)), resource_attr_(std::move(resource_attr)) {}

    /// `[tune-metric]: {"epoch": 3, "validation_error": 0.41}` (or `epoch=3 validation_error=0.41`
    /// in key_value format). NaN, Infinity and -Infinity, as Python's json module writes them,
    /// are accepted as numbers.
    ParsedLine parse(std::string_view line) const;

    static constexpr std::string_view kPrefix = "[tune-metric]:";
    static constexpr int kMaxDepth = 32;

  private:
    ParsedLine parse_json(std::string_view line) const;
    ParsedLine parse_key_value(std::string_view line) const;
    ParsedLine finish(json fields) const;

    ReportFormat format_;
    std::string metric_;
    std::string resource_attr_;
};

}  // namespace asha
