#pragma once
/// The run's journal, `journal.jsonl`: one JSON object per line for every event that changes the
/// experiment (trial started, report accepted with its decision, timeout, leg ended, interrupt,
/// end of run). A record is handed to the kernel before the event has any effect outside the
/// tuner (a process started or signalled, a CSV row written), so the journal is always at least
/// as far ahead as anything else in the run directory; results.csv, legs.csv, trials.csv and
/// best.json are derived from it and are rebuilt from it by `asha-tune resume`.
///
/// The first line is the `run` header (the resolved config and where the run was started);
/// every later line has "event" and "time" (tuner seconds). See docs/journal.md for each record.
///
/// Durability (README "Reliability"): every record is write(2)-n at once (real runs), so a
/// killed tuner loses nothing it had acted on. Against power loss, `journal_fsync`:
///   "batch" (default) group commit: a background thread fdatasyncs whatever was written since
///           its last sync, back to back, so a power loss can take at most the records of one
///           fdatasync (a few ms) while the tuner itself never waits for the disk;
///   "always" fdatasync after every record, in the tuner's thread;
///   "never"  leaves it to the kernel (some 30 s).
/// Simulations keep records in memory up to 64 KiB, since nothing outside the run directory
/// depends on them.

#include "asha/experiment.hpp"
#include "run/journal_records.hpp"
#include "sys/fd.hpp"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asha {

class JournalWriter {
  public:
    /// Opens `path` for appending, first cutting it to `keep_bytes` when given (the torn tail of
    /// a crashed run). Throws Error(cannot_start) if it cannot.
    JournalWriter(std::filesystem::path path, JournalSync sync, bool buffer_in_memory,
                  std::optional<std::uintmax_t> keep_bytes = std::nullopt);
    ~JournalWriter();
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;

    /// Appends one record (journal_records.hpp encodes it on one line). Throws Error(runtime)
    /// naming the file and the reason (ENOSPC, EROFS...) when it cannot be written.
    void append(const JournalRecord& record) { append_line(encode_record(record)); }
    /// The first line of a new journal.
    void append(const JournalHeader& header) { append_line(encode_header(header)); }
    /// The tuner is about to wait: hand buffered records to the kernel; report a failed sync.
    void idle();
    /// Everything written and synced (end of run).
    void close();

    std::size_t records() const { return records_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    void append_line(std::string_view line);
    void write_out();
    void sync_now();
    void sync_loop();
    void stop_syncer();
    void check_syncer() const;

    std::filesystem::path path_;
    JournalSync sync_;
    bool buffered_;
    Fd fd_;
    std::string buffer_;
    std::size_t records_ = 0;

    // "batch": the syncer thread and what it shares with the tuner's thread.
    std::thread syncer_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::size_t written_ = 0;  // records handed to the kernel
    bool stopping_ = false;
    std::string sync_error_;  // set by the syncer when fdatasync fails
};

/// A journal as read back: the header parsed, the records kept as text (a 100,000-trial run
/// has some 700,000 of them) and parsed one at a time by record().
struct JournalContents {
    JournalHeader header;           ///< the `run` record
    std::string text;               ///< the whole file
    std::uintmax_t good_bytes = 0;  ///< length of the file up to the last complete record
    std::size_t torn_bytes = 0;     ///< bytes after it (a torn last line), dropped

    /// Records after the header.
    std::size_t size() const { return spans_.size(); }
    /// Record `i` (0 = the line after the header), decoded; throws what decode_record() throws.
    JournalRecord record(std::size_t i) const;
    /// Record `i`'s line as it is in the file, without its newline (for a cheap look before
    /// decoding it).
    std::string_view line(std::size_t i) const;

  private:
    friend JournalContents parse_journal(std::string text, const std::string& name);
    std::vector<std::pair<std::size_t, std::size_t>> spans_;  // offset, length in `text`
};

/// Reads `path`. A last line without its newline, or one that does not parse, is a torn write
/// and is dropped (`torn_bytes`); a damaged line before the last one, or a missing or wrong
/// header, is an Error(bad_config) naming the file and the line.
JournalContents read_journal(const std::filesystem::path& path);

/// Only the header (first line) of the journal at `path`: what a resume needs before it takes
/// the run's lock. Error(bad_config) when there is none.
JournalHeader read_journal_header(const std::filesystem::path& path);

/// Parses a whole journal held in memory (read_journal's work; the fuzz target calls it).
JournalContents parse_journal(std::string text, const std::string& name);

/// The header of a new run: this asha-tune's version, the current directory, and the resolved
/// config document (what parse_experiment() needs to rebuild the experiment), where it came
/// from, the backend ("local" or "simulate"), the command line and the run's new id.
JournalHeader make_journal_header(const json& config_document, const std::string& config_file,
                                  const std::string& backend, const std::string& command_line,
                                  const std::string& run_id);

}  // namespace asha
