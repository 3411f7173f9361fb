#pragma once
/// One page's live view of one run, as Server-Sent Events: the journal's complete lines from
/// an offset on (the journal is the run's source of truth, so the page shows what `why` and
/// `resume` read), and a note whenever trials.csv (the status `status` prints) was rewritten.
/// Each journal event's id is the offset past its last line: a page that reconnects sends it
/// back (Last-Event-ID) and misses nothing. A stream reads the file at its own pace and holds
/// no queue, so a slow page lags behind alone and never holds up the server or the tuner.

#include "sys/fd.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace asha {

/// One event in the text/event-stream format. `data` may hold several lines (each becomes a
/// `data:` line); a carriage return in it is sent as a space, so no data can start a field.
std::string sse_event(std::string_view event, std::string_view data, std::string_view id = {});

class JournalStream {
  public:
    /// Most journal bytes in one event: a page opening a long run gets it in pieces it can draw
    /// as they come.
    static constexpr std::size_t kMaxBatch = 1 << 20;

    /// From `from` (a previous event's id; 0: the start). An offset that is not the end of a line
    /// of this journal starts again at 0, with a `reset` event first.
    JournalStream(std::filesystem::path run_dir, std::uint64_t from);

    /// The events to send now ("" when nothing is new): a `start` first ({"from": offset,
    /// "end": the journal's size now}),
    /// then `journal` (complete lines, at most kMaxBatch bytes), `trials` (trials.csv was
    /// rewritten) and, once, `gone` (the run directory was deleted).
    std::string next();
    bool gone() const { return gone_; }
    std::uint64_t offset() const { return offset_; }

  private:
    std::filesystem::path dir_;
    Fd journal_;
    std::uint64_t offset_ = 0;
    bool started_ = false, reset_ = false, gone_ = false;
    std::int64_t trials_stamp_ = -1;  // trials.csv's mtime in ns when last announced
};

}  // namespace asha
