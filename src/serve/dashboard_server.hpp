#pragma once
/// `asha-tune serve` and `--serve`: the dashboard's HTTP server (Debian's cpp-httplib) on
/// threads of its own. It reads run directories and nothing else (never the Tuner's memory), so
/// a run served alongside its tuner is served exactly as one served by another process, and a
/// slow or vanished page can only delay its own connection (each stream reads the files at its
/// own pace; writes time out). See docs/dashboard.md.

#include "serve/change_watcher.hpp"
#include "serve/dashboard_routes.hpp"
#include "serve/run_catalog.hpp"
#include "serve/runs_overview.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
class DataSink;
}  // namespace httplib

namespace asha {

struct ServeOptions {
    std::vector<std::filesystem::path> dirs;  ///< where runs are looked for
    std::string bind = "127.0.0.1";
    int port = 8080;
    /// When `port` is taken, take any free one instead of failing (a plain `--serve`).
    bool any_port_if_taken = false;
};

class DashboardServer {
  public:
    /// Most event streams open at once (each holds a thread); more get 503.
    static constexpr int kMaxStreams = 48;

    /// Error(bad_config) for a directory that is not one.
    explicit DashboardServer(ServeOptions options);
    ~DashboardServer();
    DashboardServer(const DashboardServer&) = delete;
    DashboardServer& operator=(const DashboardServer&) = delete;

    /// Binds and serves from now on; Error(cannot_start) naming the address when it is taken or
    /// cannot be bound.
    void start();
    /// Closes every stream and the socket; waits for the server's threads. Idempotent.
    void stop();

    int port() const { return port_; }
    /// The address to open, e.g. http://127.0.0.1:8080/
    std::string url() const;
    std::size_t run_count() const { return catalog_.runs().size(); }

  private:
    void install_handlers();
    bool stream_run(const HttpReply& reply, httplib::DataSink& sink);
    bool stream_runs(httplib::DataSink& sink);
    /// Waits for a change after epoch `seen` (and moves it on); a quiet kHeartbeat gets a
    /// comment line, which finds a vanished page. False when the page is gone.
    bool wait_for_change(std::uint64_t& seen, httplib::DataSink& sink);

    ServeOptions options_;
    RunCatalog catalog_;
    RunsOverview overview_;
    std::unique_ptr<ChangeWatcher> watcher_;
    DashboardRoutes routes_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    std::atomic<int> streams_{0};
    std::atomic<bool> listen_returned_{false};
    int port_ = 0;
};

/// Whether `address` is a loopback address (127.0.0.0/8, ::1, localhost): anything else exposes
/// the dashboard, which has no authentication, to the network.
bool is_loopback(const std::string& address);

}  // namespace asha
