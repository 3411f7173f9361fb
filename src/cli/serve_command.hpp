#pragma once
/// `asha-tune serve [DIR ...]` and `--serve [PORT]` beside a run: the dashboard from the
/// command line (src/serve/dashboard_server.hpp does the serving).

#include "serve/dashboard_server.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace asha {

/// Serves `dirs` (default: ./runs) until SIGINT, SIGTERM or SIGHUP; 0, or 3 when the address
/// cannot be bound, 2 for a directory that is not one. `signal_fd`: readable when a signal came.
int serve_main(std::vector<std::string> dirs, const std::string& bind, int port, int signal_fd);

/// The dashboard beside a run of `run_dir` (it serves the directory the run is created in).
/// `port` empty: 8080, or any free port when that is taken; a given port that is taken, or any
/// other failure, is a warning and the run goes on without a dashboard (a dashboard problem
/// never costs a run). Prints the URL of the run's page on stderr.
std::unique_ptr<DashboardServer> serve_beside_run(const std::filesystem::path& run_dir,
                                                  const std::string& bind, std::optional<int> port);

}  // namespace asha
