#include "cli/serve_command.hpp"

#include "asha/errors.hpp"

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <iostream>

namespace fs = std::filesystem;

namespace asha {

namespace {

constexpr int kDefaultPort = 8080;

void warn_if_exposed(const std::string& bind) {
    if (!is_loopback(bind))
        std::cerr << "asha-tune: warning: the dashboard listens on " << bind
                  << ", not only on this machine, and has no authentication: anyone who can "
                     "reach it can read these runs (their configs, metrics and trial output)\n";
}

/// The URL fragment of a run's page: its name escaped as the page's encodeURIComponent does
/// (a `/` too: the page splits the fragment at slashes).
std::string run_fragment(const std::string& name) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = "#/run/";
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out.push_back(static_cast<char>(c));
        else
            out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

}  // namespace

int serve_main(std::vector<std::string> dirs, const std::string& bind, int port, int signal_fd) {
    if (dirs.empty()) {
        std::error_code ec;
        if (!fs::is_directory("runs", ec))
            throw Error(ExitCode::bad_config,
                        "there is no runs/ directory here (where asha-tune writes runs): name "
                        "the directories to serve, e.g. asha-tune serve path/to/runs");
        dirs.emplace_back("runs");
    }
    std::vector<fs::path> paths(dirs.begin(), dirs.end());
    ServeOptions options{paths, bind, port, false};
    DashboardServer server(options);
    warn_if_exposed(bind);
    server.start();
    std::cout << "asha-tune: serving " << server.run_count() << " run"
              << (server.run_count() == 1 ? "" : "s") << " (and the ones that appear) at "
              << server.url() << "  (Ctrl-C stops)" << std::endl;
    pollfd fd{signal_fd, POLLIN, 0};
    while (::poll(&fd, 1, -1) < 0 && errno == EINTR) {
    }
    server.stop();
    return 0;
}

std::unique_ptr<DashboardServer> serve_beside_run(const fs::path& run_dir, const std::string& bind,
                                                  std::optional<int> port) {
    try {
        fs::path parent = fs::absolute(run_dir).parent_path();
        fs::create_directories(parent);  // the run creates it anyway, a moment later
        ServeOptions options{{parent}, bind, port.value_or(kDefaultPort), !port.has_value()};
        auto server = std::make_unique<DashboardServer>(options);
        warn_if_exposed(bind);
        server->start();
        std::cerr << "asha-tune: dashboard of this run: " << server->url()
                  << run_fragment(fs::absolute(run_dir).filename().string())
                  << " (it closes when the run ends; asha-tune serve " << parent.string()
                  << " shows the run afterwards)" << std::endl;
        return server;
    } catch (const std::exception& e) {
        std::cerr << "asha-tune: warning: no dashboard for this run (" << e.what()
                  << "); the run goes on without it\n";
        return nullptr;
    }
}

}  // namespace asha
