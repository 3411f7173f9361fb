#include "serve/dashboard_routes.hpp"

#include "asha/run_files.hpp"
#include "report/trial_story.hpp"
#include "run/journal.hpp"
#include "run/run_reader.hpp"
#include "serve/assets.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>

namespace fs = std::filesystem;

namespace asha {

namespace {

constexpr std::size_t kOutputTail = 64 * 1024;

HttpReply error_reply(int status, const std::string& message) {
    HttpReply reply;
    reply.status = status;
    reply.body = json_text({{"error", message}});
    return reply;
}

const std::string* param(const HttpRequest& request, const std::string& name) {
    auto it = request.params.find(name);
    return it == request.params.end() ? nullptr : &it->second;
}

bool is_ip_literal(std::string_view name) {
    std::string text(name);
    in_addr v4{};
    in6_addr v6{};
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        return ::inet_pton(AF_INET6, text.substr(1, text.size() - 2).c_str(), &v6) == 1;
    return ::inet_pton(AF_INET, text.c_str(), &v4) == 1;
}

bool equal_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_this_host(std::string_view name) {
    char buffer[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buffer, sizeof buffer) != 0) return false;
    std::string_view host(buffer);
    // The short name and the name with a domain both name this machine.
    const std::string_view short_host = host.substr(0, host.find('.'));
    return equal_nocase(name, host) || equal_nocase(name, short_host);
}

}  // namespace

std::string json_text(const json& doc) {
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

bool host_allowed(std::string_view host, int port) {
    std::string_view name = host;
    // The port, when given, is the server's: "[::1]:8080", "localhost:8080".
    const std::size_t colon = host.rfind(':');
    const std::size_t bracket = host.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        const auto given = parse_count(host.substr(colon + 1));
        if (!given || *given != static_cast<std::uint64_t>(port)) return false;
        name = host.substr(0, colon);
    }
    if (name.empty()) return false;
    return equal_nocase(name, "localhost") || is_ip_literal(name) || is_this_host(name);
}

HttpReply DashboardRoutes::handle(const HttpRequest& request) const {
    if (!host_allowed(request.host, port_))
        return error_reply(403,
                           "this dashboard answers only requests for localhost, an IP "
                           "address or this machine's name (Host: " +
                               request.host + ")");
    if (request.method != "GET" && request.method != "HEAD")
        return error_reply(405, "the dashboard is read-only: only GET");
    if (request.path.rfind("/api/", 0) == 0) return api(request);
    if (auto asset = find_asset(request.path)) {
        HttpReply reply;
        reply.content_type = std::string(asset->content_type);
        reply.body = std::string(asset->body);
        return reply;
    }
    return error_reply(404, "no such page");
}

HttpReply DashboardRoutes::api(const HttpRequest& request) const {
    const std::string& path = request.path;
    if (path == "/api/runs") {
        HttpReply reply;
        reply.body = json_text(overview_.all(catalog_));
        return reply;
    }
    if (path == "/api/runs/events") {
        HttpReply reply;
        reply.stream = HttpReply::Stream::runs;
        return reply;
    }
    const std::string* name = param(request, "run");
    if (!name) return error_reply(400, "which run? (?run=NAME, a name from /api/runs)");
    const auto dir = catalog_.find(*name);
    if (!dir) return error_reply(404, "no run called " + *name + " is served here");
    if (path == "/api/run") {
        HttpReply reply;
        reply.body = json_text(overview_.of({*name, *dir}));
        return reply;
    }
    if (path == "/api/run/events") {
        HttpReply reply;
        reply.stream = HttpReply::Stream::run;
        reply.run_dir = *dir;
        const std::string* from = param(request, "from");
        const std::string& text = !request.last_event_id.empty() ? request.last_event_id
                                  : from                         ? *from
                                                                 : std::string();
        if (!text.empty()) {
            const auto offset = parse_count(text);
            if (!offset) return error_reply(400, "from: a journal offset (a number) was expected");
            reply.from = *offset;
        }
        return reply;
    }
    if (path == "/api/run/trials.csv") {
        Fd fd = open_inside(*dir, run_files::trials);
        HttpReply reply;
        reply.content_type = "text/csv; charset=utf-8";
        if (!fd.valid()) return reply;  // no trial has ended yet: an empty table
        char buffer[65536];
        for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;)
            reply.body.append(buffer, static_cast<std::size_t>(n));
        return reply;
    }
    const std::string* trial_text = param(request, "trial");
    const auto id = trial_text ? parse_count(*trial_text) : std::nullopt;
    if (!id || *id > static_cast<std::uint64_t>(INT_MAX))
        return error_reply(400, "which trial? (&trial=ID, a trial id)");
    if (path == "/api/trial") return trial(*dir, *id);
    if (path == "/api/trial/output") {
        const std::string* stream = param(request, "stream");
        if (!stream || (*stream != "stdout" && *stream != "stderr"))
            return error_reply(400, "stream: stdout or stderr was expected");
        return output(*dir, *id, *stream);
    }
    return error_reply(404, "no such API: " + path);
}

HttpReply DashboardRoutes::trial(const fs::path& dir, std::uint64_t id) const {
    try {
        const RunData run = read_run(dir);
        const JournalContents journal = read_journal(dir / run_files::journal);
        const auto story = trial_story(journal, static_cast<TrialId>(id));
        if (!story) return error_reply(404, "the run has no trial " + std::to_string(id));
        HttpReply reply;
        const std::string status = trial_status(run, static_cast<TrialId>(id));
        reply.body =
            json_text({{"status", status}, {"story", story_json(*story, run.config, status)}});
        return reply;
    } catch (const std::exception& e) {
        return error_reply(500, e.what());
    }
}

HttpReply DashboardRoutes::output(const fs::path& dir, std::uint64_t id,
                                  std::string_view stream) const {
    const fs::path file = fs::path(run_files::trials_dir) / std::to_string(id) /
                          (stream == "stdout" ? run_files::trial_stdout : run_files::trial_stderr);
    Fd fd = open_inside(dir, file);
    HttpReply reply;
    reply.content_type = "text/plain; charset=utf-8";
    if (!fd.valid()) return reply;  // not written (yet), or a link out of the run: nothing
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return reply;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t start = size > kOutputTail ? size - kOutputTail : 0;
    reply.body.resize(static_cast<std::size_t>(size - start));
    const ssize_t n =
        ::pread(fd.get(), reply.body.data(), reply.body.size(), static_cast<off_t>(start));
    reply.body.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return reply;
}

}  // namespace asha
