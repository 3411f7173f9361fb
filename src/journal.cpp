#include "asha/journal.hpp"

#include "asha/errors.hpp"

#include <fcntl.h>
#include <unistd.h>

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
constexpr int kJournalVersion = 1;
}  // namespace

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

json journal_header(const json& config_document, const std::string& config_file,
                    const std::string& backend, const std::string& command_line) {
    std::error_code ec;
    return {{"event", "run"},
            {"journal_version", kJournalVersion},
            {"tuner_version", ASHA_VERSION},
            {"backend", backend},
            {"config_file", config_file},
            {"cwd", fs::current_path(ec).string()},
            {"command_line", command_line},
            {"config", config_document}};
}

JournalWriter::JournalWriter(fs::path path, JournalSync sync, bool buffer_in_memory,
                             std::optional<std::uintmax_t> keep_bytes)
    : path_(std::move(path)), sync_(sync), buffered_(buffer_in_memory) {
    // O_CLOEXEC: trials must not inherit it (posix_spawn closes the rest anyway).
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(ExitCode::cannot_start,
                    "cannot open " + path_.string() + ": " + std::strerror(errno));
    if (keep_bytes && ::ftruncate(fd_, static_cast<off_t>(*keep_bytes)) != 0) {
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error(ExitCode::cannot_start,
                    "cannot cut the torn end of " + path_.string() + ": " + std::strerror(err));
    }
}

JournalWriter::~JournalWriter() {
    if (fd_ < 0) return;
    try {
        write_out();
    } catch (const std::exception&) {
        // Unwinding from another error already; what could not be written is reported there.
    }
    ::close(fd_);
}

void JournalWriter::append(const json& record) {
    buffer_ += record.dump(-1, ' ', false, json::error_handler_t::replace);
    buffer_ += '\n';
    ++records_;
    unsynced_ = true;
    if (!buffered_ || buffer_.size() >= kBufferLimit) write_out();
    if (sync_ == JournalSync::always) sync_now();
}

void JournalWriter::write_out() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
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
    if (!unsynced_) return;
    if (::fdatasync(fd_) != 0)
        throw Error(ExitCode::runtime,
                    "cannot sync " + path_.string() + " to disk: " + std::strerror(errno));
    unsynced_ = false;
    last_sync_ = std::chrono::steady_clock::now();
}

void JournalWriter::idle() {
    write_out();
    if (sync_ == JournalSync::batch) sync_now();
}

void JournalWriter::tick() {
    if (sync_ == JournalSync::batch && unsynced_ &&
        std::chrono::steady_clock::now() - last_sync_ >= std::chrono::seconds(1))
        sync_now();
}

void JournalWriter::close() {
    write_out();
    if (sync_ != JournalSync::never) sync_now();
}

JournalContents parse_journal(std::string_view text, const std::string& name) {
    JournalContents out;
    std::size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        ++line_no;
        const bool complete = end != std::string_view::npos;
        std::string_view line = text.substr(pos, complete ? end - pos : std::string_view::npos);
        const std::size_t next = complete ? end + 1 : text.size();
        json record = json::parse(line, nullptr, false);
        const bool valid = complete && !record.is_discarded() && record.is_object() &&
                           record.contains("event") && record["event"].is_string();
        if (!valid) {
            if (next >= text.size()) {  // the last line: torn by a crash
                out.torn_bytes = text.size() - pos;
                break;
            }
            throw Error(ExitCode::bad_config,
                        name + " line " + std::to_string(line_no) +
                            ": not a journal record (the file is damaged; only its last line "
                            "may be torn by a crash)");
        }
        if (line_no == 1) {
            if (record["event"] != "run" || record.value("journal_version", 0) != kJournalVersion)
                throw Error(ExitCode::bad_config,
                            name + " line 1: expected the \"run\" header of journal version " +
                                std::to_string(kJournalVersion));
            out.header = std::move(record);
        } else {
            out.records.push_back(std::move(record));
        }
        pos = next;
        out.good_bytes = pos;
    }
    if (out.header.is_null())
        throw Error(ExitCode::bad_config, name + ": empty journal (the run never started)");
    return out;
}

json read_journal_header(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ExitCode::bad_config, "cannot read " + path.string() + ": " +
                                              std::strerror(errno) +
                                              " (is this an asha-tune run directory?)");
    std::string line;
    std::getline(in, line);
    return parse_journal(line + "\n", path.string()).header;
}

JournalContents read_journal(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ExitCode::bad_config, "cannot read " + path.string() + ": " +
                                              std::strerror(errno) +
                                              " (is this an asha-tune run directory?)");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_journal(text.str(), path.string());
}

}  // namespace asha
