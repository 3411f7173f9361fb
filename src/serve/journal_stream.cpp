#include "serve/journal_stream.hpp"

#include "asha/run_files.hpp"
#include "serve/run_catalog.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace fs = std::filesystem;

namespace asha {

std::string sse_event(std::string_view event, std::string_view data, std::string_view id) {
    std::string out;
    out.reserve(data.size() + 64);
    if (!id.empty()) out.append("id: ").append(id).append("\n");
    out.append("event: ").append(event).append("\ndata: ");
    for (char c : data) {
        if (c == '\n')
            out.append("\ndata: ");
        else
            out.push_back(c == '\r' ? ' ' : c);
    }
    out.append("\n\n");
    return out;
}

namespace {

/// The mtime of `path` in nanoseconds, or -1 when it is not there.
std::int64_t stamp_of(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

/// Whether `offset` is 0 or just past a newline of the file.
bool at_line_start(int fd, std::uint64_t offset) {
    if (offset == 0) return true;
    char c = 0;
    return ::pread(fd, &c, 1, static_cast<off_t>(offset - 1)) == 1 && c == '\n';
}

}  // namespace

JournalStream::JournalStream(fs::path run_dir, std::uint64_t from)
    : dir_(std::move(run_dir)), journal_(open_inside(dir_, run_files::journal)), offset_(from) {
    if (offset_ != 0 && (!journal_.valid() || !at_line_start(journal_.get(), offset_))) {
        offset_ = 0;
        reset_ = true;
    }
}

std::string JournalStream::next() {
    std::string out;
    if (gone_) return out;
    struct stat st {};
    const std::uint64_t size = journal_.valid() && ::fstat(journal_.get(), &st) == 0
                                   ? static_cast<std::uint64_t>(st.st_size)
                                   : offset_;
    if (!started_) {
        started_ = true;
        if (reset_) out += sse_event("reset", "{}");
        // "end": where the journal ends now; a page draws once it has read that far, not after
        // every batch of a long run's past.
        out += sse_event("start", "{\"from\":" + std::to_string(offset_) +
                                      ",\"end\":" + std::to_string(size) + "}");
    }
    if (!journal_.valid() || !fs::exists(dir_ / run_files::journal)) {
        gone_ = true;
        return out + sse_event("gone", "{}");
    }
    // What is new (most wakes find nothing, or one record): a batch of at most kMaxBatch bytes,
    // or more when one line is longer (it is sent whole).
    const std::uint64_t available = size > offset_ ? size - offset_ : 0;
    for (std::uint64_t want = std::min<std::uint64_t>(available, kMaxBatch); want > 0;
         want = std::min(available, want * 2)) {
        std::string chunk(static_cast<std::size_t>(want), '\0');
        const ssize_t n =
            ::pread(journal_.get(), chunk.data(), chunk.size(), static_cast<off_t>(offset_));
        if (n <= 0) break;
        chunk.resize(static_cast<std::size_t>(n));
        // Only complete lines: a line being written (a torn last line) waits for its newline.
        const std::size_t end = chunk.rfind('\n');
        if (end == std::string::npos) {
            if (want >= available) break;  // all there is, and no newline yet
            continue;
        }
        chunk.resize(end);  // without the last newline: each line is one `data:` line
        offset_ += end + 1;
        out += sse_event("journal", chunk, std::to_string(offset_));
        break;
    }
    const std::int64_t stamp = stamp_of(dir_ / run_files::trials);
    if (stamp != trials_stamp_ && stamp >= 0) {
        trials_stamp_ = stamp;
        out += sse_event("trials", "{}");
    }
    return out;
}

}  // namespace asha
