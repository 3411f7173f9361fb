// libFuzzer target: the dashboard's request handling, in two ways chosen by the input's first
// byte. Even: the rest is raw bytes sent to a real server (asha-tune serve's, on a loopback port
// of its own) over a socket, so httplib's parsing is fuzzed with the routes behind it; the
// server must answer or close, and go on answering. Odd: the rest is a request as fields
// (method, path, Host, Last-Event-ID, then `key=value` query lines), handed to the routes
// directly, and a stream it asks for is read once. No input may crash, leak, hang or reach a
// file outside the served run (the run's directory holds the only files the routes may read).
#include "asha/run.hpp"
#include "run/run_reader.hpp"
#include "serve/dashboard_routes.hpp"
#include "serve/dashboard_server.hpp"
#include "serve/journal_stream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Served {
    fs::path root;
    std::unique_ptr<asha::RunCatalog> catalog;
    asha::RunsOverview overview;
    std::unique_ptr<asha::DashboardRoutes> routes;
    std::unique_ptr<asha::DashboardServer> server;
};

/// One small simulated run under a directory of its own, served both ways; made once.
Served& served() {
    static Served* s = [] {
        auto* out = new Served;
        out->root = fs::temp_directory_path() / ("asha-serve-fuzz-" + std::to_string(::getpid()));
        fs::remove_all(out->root);
        fs::create_directories(out->root);
        const asha::json doc = asha::json::parse(R"({
          "name": "fuzz", "config_space": {"learning_rate": {"type": "loguniform", "lower": 0.01,
          "upper": 1.0}, "batch_size": {"type": "randint", "lower": 32, "upper": 256},
          "max_epochs": 9}, "metric": "validation_error", "resource_attr": "epoch",
          "max_resource_attr": "max_epochs", "scheduler": {"grace_period": 1,
          "reduction_factor": 3}, "stop": {"max_num_trials_started": 8}, "workers": 2})");
        asha::NewRunOptions options;
        options.dir = out->root / "run";
        options.simulate = true;
        asha::run_experiment(asha::plan_run(asha::parse_experiment(doc, "fuzz.json"), options));
        fs::create_directories(out->root / "run" / "trials" / "0");
        {
            std::FILE* f = std::fopen((out->root / "run/trials/0/stdout.log").c_str(), "w");
            std::fputs("[tune-metric]: {\"epoch\": 1}\n", f);
            std::fclose(f);
        }
        out->catalog = std::make_unique<asha::RunCatalog>(std::vector<fs::path>{out->root});
        out->routes = std::make_unique<asha::DashboardRoutes>(*out->catalog, out->overview, 8080);
        out->server = std::make_unique<asha::DashboardServer>(
            asha::ServeOptions{{out->root}, "127.0.0.1", 0, false});
        out->server->start();
        return out;
    }();
    return *s;
}

/// A socket connected to the server, whose reads and writes give up after `seconds`.
int connect_to(int port, long seconds) {
    const int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) std::abort();
    timeval limit{seconds, 0};
    ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        // Interrupted by libFuzzer's own SIGALRM, the connection goes on: wait for its end.
        if (errno != EINTR) std::abort();
        pollfd ready{sock, POLLOUT, 0};
        while (::poll(&ready, 1, -1) < 0)
            if (errno != EINTR) std::abort();
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(sock, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
            std::abort();
    }
    return sock;
}

/// Sends `bytes` and reads what comes back until the server closes (or 2 s pass: a stream).
void send_raw(int port, const std::string& bytes) {
    const int sock = connect_to(port, 2);
    [[maybe_unused]] ssize_t sent = ::send(sock, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(sock, SHUT_WR);
    char buffer[65536];
    std::size_t total = 0;
    for (ssize_t n; total < (1u << 22);) {
        n = ::recv(sock, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;  // libFuzzer's own SIGALRM
        if (n <= 0) break;
        total += static_cast<std::size_t>(n);
    }
    ::close(sock);
}

/// The server still answers a plain request: it must never stop because of an input.
void check_alive(int port) {
    const int sock = connect_to(port, 30);
    const std::string request =
        "GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    ::send(sock, request.data(), request.size(), MSG_NOSIGNAL);
    char buffer[16];
    ssize_t n;
    do n = ::recv(sock, buffer, sizeof buffer, 0);  // libFuzzer's own SIGALRM interrupts it
    while (n < 0 && errno == EINTR);
    ::close(sock);
    if (n < 12 || std::string(buffer, 12) != "HTTP/1.1 200") {
        std::fprintf(stderr, "the server did not answer GET /api/runs: %s\n",
                     n < 0 ? std::strerror(errno)
                           : std::string(buffer, static_cast<std::size_t>(n)).c_str());
        std::abort();
    }
}

std::string next_line(std::string_view& text) {
    const std::size_t end = text.find('\n');
    std::string line(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    spdlog::set_level(spdlog::level::off);
    Served& s = served();
    if (size == 0) return 0;
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((data[0] & 1) == 0) {
        // An event stream never ends: the raw way would leave a thread per input waiting for
        // the next heartbeat to find the fuzzer gone. Streams are fuzzed the other way.
        if (rest.find("events") != std::string_view::npos) return 0;
        send_raw(s.server->port(), std::string(rest) + "\r\n\r\n");
        check_alive(s.server->port());
        return 0;
    }
    asha::HttpRequest request;
    request.method = next_line(rest);
    request.path = next_line(rest);
    request.host = next_line(rest);
    request.last_event_id = next_line(rest);
    while (!rest.empty()) {
        const std::string line = next_line(rest);
        const std::size_t eq = line.find('=');
        request.params.emplace(line.substr(0, eq),
                               eq == std::string::npos ? "" : line.substr(eq + 1));
    }
    const asha::HttpReply reply = s.routes->handle(request);
    if (reply.status < 200 || reply.status > 599) std::abort();
    if (reply.stream == asha::HttpReply::Stream::run) {
        asha::JournalStream stream(reply.run_dir, reply.from);
        stream.next();
        stream.next();
    }
    return 0;
}
