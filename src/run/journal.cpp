#include "run/journal.hpp"

#include "asha/errors.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace asha {

namespace fs = std::filesystem;

namespace {
constexpr std::size_t kBufferLimit = 64 * 1024;
// 2: decisions and promotions carry their reason (`why`). 3: reasons of MO-ASHA (rule
// `ranked`, `front`, `violation`; issue 22). Versions 1 and 2 are still read,
// resumed (the records a resume appends carry reasons) and reported.
constexpr int kJournalVersion = 4;
constexpr int kOldestJournalVersion = 1;
}  // namespace

JournalHeader make_journal_header(const json& config_document, const std::string& config_file,
                                  const std::string& backend, const std::string& command_line,
                                  const std::string& run_id) {
    std::error_code ec;
    JournalHeader h;
    h.journal_version = kJournalVersion;
    h.tuner_version = ASHA_VERSION;
    h.backend = backend;
    h.config_file = config_file;
    h.cwd = fs::current_path(ec).string();
    h.command_line = command_line;
    h.config = config_document;
    h.run_id = run_id;
    return h;
}

JournalWriter::JournalWriter(fs::path path, JournalSync sync, bool buffer_in_memory,
                             std::optional<std::uintmax_t> keep_bytes)
    : path_(std::move(path)), sync_(sync), buffered_(buffer_in_memory) {
    // O_CLOEXEC: trials must not inherit it (posix_spawn closes the rest anyway).
    fd_ = Fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!fd_.valid())
        throw Error(ExitCode::cannot_start,
                    "cannot open " + path_.string() + ": " + std::strerror(errno));
    if (keep_bytes && ::ftruncate(fd_.get(), static_cast<off_t>(*keep_bytes)) != 0) {
        int err = errno;
        fd_.reset();
        throw Error(ExitCode::cannot_start,
                    "cannot cut the torn end of " + path_.string() + ": " + std::strerror(err));
    }
}

JournalWriter::~JournalWriter() {
    if (!fd_.valid()) return;
    try {
        write_out();
    } catch (const std::exception&) {
        // Unwinding from another error already; what could not be written is reported there.
    }
    stop_syncer();
}

void JournalWriter::append_line(std::string_view line) {
    buffer_ += line;
    buffer_ += '\n';
    ++records_;
    if (buffered_ && buffer_.size() < kBufferLimit) return;
    write_out();
    if (sync_ == JournalSync::always) sync_now();
    if (sync_ != JournalSync::batch) return;
    check_syncer();
    if (!syncer_.joinable()) {
        // Signals go to the tuner's thread, never to the syncer: block them while creating it.
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        syncer_ = std::thread([this] { sync_loop(); });
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
    {
        std::lock_guard lock(mutex_);
        written_ = records_;
    }
    wake_.notify_one();
}

void JournalWriter::sync_loop() {
    std::size_t synced = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || written_ > synced; });
        if (written_ == synced) return;  // stopping, and everything is synced
        const std::size_t target = written_;
        lock.unlock();
        const bool ok = ::fdatasync(fd_.get()) == 0;
        const int err = errno;
        lock.lock();
        if (!ok) {
            sync_error_ = "cannot sync " + path_.string() + " to disk: " + std::strerror(err);
            return;
        }
        synced = target;
    }
}

void JournalWriter::stop_syncer() {
    if (!syncer_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    syncer_.join();
}

void JournalWriter::check_syncer() const {
    std::lock_guard lock(mutex_);
    if (!sync_error_.empty()) throw Error(ExitCode::runtime, sync_error_);
}

void JournalWriter::write_out() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(fd_.get(), buffer_.data() + done, buffer_.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            // What was written stays (a torn last line is dropped on resume); keep the rest so
            // a later attempt does not reorder records.
            buffer_.erase(0, done);
            throw Error(ExitCode::runtime,
                        "cannot write " + path_.string() + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

void JournalWriter::sync_now() {
    write_out();
    if (::fdatasync(fd_.get()) != 0)
        throw Error(ExitCode::runtime,
                    "cannot sync " + path_.string() + " to disk: " + std::strerror(errno));
}

void JournalWriter::idle() {
    write_out();
    check_syncer();
}

void JournalWriter::close() {
    write_out();
    stop_syncer();
    check_syncer();
    if (sync_ != JournalSync::never) sync_now();
}

JournalRecord JournalContents::record(std::size_t i) const {
    return decode_record(line(i));
}

std::string_view JournalContents::line(std::size_t i) const {
    const auto [offset, length] = spans_.at(i);
    return std::string_view(text).substr(offset, length);
}

JournalContents parse_journal(std::string text, const std::string& name) {
    JournalContents out;
    const std::string_view all(text);
    std::size_t pos = 0, line_no = 0;
    bool have_header = false;
    while (pos < all.size()) {
        std::size_t end = all.find('\n', pos);
        ++line_no;
        const bool complete = end != std::string_view::npos;
        std::string_view line = all.substr(pos, complete ? end - pos : std::string_view::npos);
        const std::size_t next = complete ? end + 1 : all.size();
        // Every record starts with its event (the writer puts it first); accept() checks the
        // rest is JSON without building it.
        const bool valid = complete && line.starts_with("{\"event\":\"") && json::accept(line);
        if (!valid) {
            if (next >= all.size()) {  // the last line: torn by a crash
                out.torn_bytes = all.size() - pos;
                break;
            }
            throw Error(ExitCode::bad_config,
                        name + " line " + std::to_string(line_no) +
                            ": not a journal record (the file is damaged; only its last line "
                            "may be torn by a crash). To resume from the records before it, cut "
                            "the file there: truncate -s " +
                            std::to_string(pos) + " " + name);
        }
        if (line_no == 1) {
            json header = json::parse(line);
            // Compared as JSON values: a journal_version of 1e300 must not be cast to int.
            const json version =
                header.is_object() ? header.value("journal_version", json()) : json();
            bool known = false;
            for (int v = kOldestJournalVersion; v <= kJournalVersion; ++v) known |= version == v;
            if (!header.is_object() || header.value("event", json()) != "run" || !known ||
                !header.contains("config"))
                throw Error(ExitCode::bad_config,
                            name + " line 1: expected the \"run\" header of journal version " +
                                std::to_string(kOldestJournalVersion) + " to " +
                                std::to_string(kJournalVersion));
            out.header = decode_header(header);
            have_header = true;
        } else {
            out.spans_.emplace_back(pos, line.size());
        }
        pos = next;
        out.good_bytes = pos;
    }
    if (!have_header)
        throw Error(ExitCode::bad_config, name + ": empty journal (the run never started)");
    out.text = std::move(text);
    return out;
}

namespace {
std::ifstream open_journal(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ExitCode::bad_config, "cannot read " + path.string() + ": " +
                                              std::strerror(errno) +
                                              " (is this an asha-tune run directory?)");
    return in;
}
}  // namespace

JournalHeader read_journal_header(const fs::path& path) {
    std::ifstream in = open_journal(path);
    std::string line;
    std::getline(in, line);
    return parse_journal(line + "\n", path.string()).header;
}

JournalContents read_journal(const fs::path& path) {
    std::ifstream in = open_journal(path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse_journal(text.str(), path.string());
}

}  // namespace asha
