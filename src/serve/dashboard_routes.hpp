#pragma once
/// What the dashboard server answers, apart from the sockets: a request (as httplib parsed it)
/// in, a reply out, so that tests and the fuzzer (fuzz/serve_request_fuzz.cpp) drive it without
/// a network. Read-only: nothing here writes to a run directory. A run is named only by its
/// catalog name and a trial only by a number, so no request can name a path.
///
///     GET /                                   the page (and /dashboard.js, /dashboard.css)
///     GET /api/runs                           every run: what `status --json` says, and more
///     GET /api/runs/events                    the same list, pushed when it changes (SSE)
///     GET /api/run?run=NAME                   one run's entry of that list
///     GET /api/run/events?run=NAME[&from=N]   the run's journal from offset N, live (SSE)
///     GET /api/run/trials.csv?run=NAME        the run's trials.csv
///     GET /api/trial?run=NAME&trial=ID        what `why --json` prints, and the trial's status
///     GET /api/trial/output?run=NAME&trial=ID&stream=stdout|stderr   the output's last 64 KiB

#include "serve/run_catalog.hpp"
#include "serve/runs_overview.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace asha {

struct HttpRequest {
    std::string method;                              ///< GET, HEAD, ...
    std::string path;                                ///< decoded, without the query
    std::multimap<std::string, std::string> params;  ///< the query, decoded
    std::string host;                                ///< the Host header
    std::string last_event_id;                       ///< an EventSource's reconnection header
};

struct HttpReply {
    enum class Stream { none, runs, run };
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    Stream stream = Stream::none;   ///< not none: the server streams events instead of `body`
    std::filesystem::path run_dir;  ///< Stream::run: whose journal
    std::uint64_t from = 0;         ///< Stream::run: from which offset
};

/// Whether a request with this Host header may be answered by a server on `bind`:`port`.
/// Allowed are `localhost`, IP literals and this machine's host name (with the server's port or
/// none): a name that resolves to 127.0.0.1 only through someone's DNS (DNS rebinding) is not.
bool host_allowed(std::string_view host, int port);

/// A decimal number of at most 18 digits, or nullopt (no sign, no spaces, no hex).
std::optional<std::uint64_t> parse_count(std::string_view text);

class DashboardRoutes {
  public:
    DashboardRoutes(const RunCatalog& catalog, RunsOverview& overview, int port)
        : catalog_(catalog), overview_(overview), port_(port) {}
    HttpReply handle(const HttpRequest& request) const;
    void set_port(int port) { port_ = port; }

  private:
    HttpReply api(const HttpRequest& request) const;
    HttpReply trial(const std::filesystem::path& dir, std::uint64_t id) const;
    HttpReply output(const std::filesystem::path& dir, std::uint64_t id,
                     std::string_view stream) const;

    const RunCatalog& catalog_;
    RunsOverview& overview_;
    int port_;
};

/// A JSON document as text that is always valid UTF-8 (a hostile name's invalid bytes are
/// replaced), as every reply and event of the server sends it.
std::string json_text(const json& doc);

}  // namespace asha
