#include "serve/dashboard_server.hpp"

#include "asha/errors.hpp"
#include "serve/journal_stream.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <malloc.h>
#include <sys/socket.h>

#include <chrono>

namespace asha {

namespace {

/// A page that hears nothing for this long gets a comment line: it tells a vanished page from a
/// quiet run (the write fails) and keeps proxies from closing the stream. A vanished page holds
/// its thread until a write fails, one or two of these (httplib does not say when the peer
/// closed), so this is short.
constexpr auto kHeartbeat = std::chrono::seconds(5);
/// After an event, a stream waits this long before it looks again: a busy run journals hundreds
/// of records a second, and each event costs the page more than its records do (a task in each
/// of the browser's processes). So a page gets at most ten events a second, each with all that
/// was journaled meanwhile, and a record waits at most this long for its event (issue 21 asks
/// for a print drawn within 1 s). Measured in docs/benchmarks.md ("Fewer, larger events").
constexpr auto kBetweenEvents = std::chrono::milliseconds(100);
/// A page that does not take what is sent for this long is dropped; it reconnects and reads on
/// from its last event.
constexpr auto kWriteTimeout = std::chrono::seconds(10);
/// Threads answering requests: every open event stream holds one.
constexpr int kThreads = DashboardServer::kMaxStreams + 8;

void add_security_headers(httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-store");
    // The page loads its own script and style sheet and talks to this server only.
    res.set_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}

}  // namespace

bool is_loopback(const std::string& address) {
    if (address == "localhost" || address == "::1") return true;
    in_addr v4{};
    return ::inet_pton(AF_INET, address.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

DashboardServer::DashboardServer(ServeOptions options)
    : options_(std::move(options)),
      catalog_(options_.dirs),
      routes_(catalog_, overview_, options_.port),
      server_(std::make_unique<httplib::Server>()) {
    // glibc gives each thread that allocates its own malloc arena (up to 8 per core), and each
    // keeps what its requests freed: a page that opens a large run leaves its ~1 MB batches in
    // the arena of whichever of the 56 threads served it, and the server's RSS grew by ~8 MB
    // with every page opened (86 MB after five openings of a 10,000-trial run, 62 MB with two
    // arenas). Two arenas are plenty for threads that mostly wait.
    ::mallopt(M_ARENA_MAX, 2);
    watcher_ = std::make_unique<ChangeWatcher>(catalog_);
    install_handlers();
}

DashboardServer::~DashboardServer() {
    stop();
}

std::string DashboardServer::url() const {
    const bool v6 = options_.bind.find(':') != std::string::npos;
    const std::string host = options_.bind == "0.0.0.0" || options_.bind == "::" ? "127.0.0.1"
                             : v6 ? "[" + options_.bind + "]"
                                  : options_.bind;
    return "http://" + host + ":" + std::to_string(port_) + "/";
}

void DashboardServer::install_handlers() {
    httplib::Server& server = *server_;
    server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
    server.set_write_timeout(kWriteTimeout);
    server.set_read_timeout(std::chrono::seconds(10));
    server.set_payload_max_length(64 * 1024);  // a read-only server takes no bodies
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second server on a
    // taken port binds too and the kernel shares the connections out between the two. And
    // close-on-exec, which httplib 0.11 does not set: trials outlive the tuner, and one that
    // held the listening socket would keep the port taken. (Its accepted sockets lack it too;
    // every process asha-tune starts goes through sys/spawn, which closes all fds above 2.)
    server.set_socket_options([](int sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    });
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
        HttpRequest request;
        request.method = req.method;
        request.path = req.path;
        request.params.insert(req.params.begin(), req.params.end());
        request.host = req.get_header_value("Host");
        request.last_event_id = req.get_header_value("Last-Event-ID");
        HttpReply reply = routes_.handle(request);
        add_security_headers(res);
        res.status = reply.status;
        if (reply.stream == HttpReply::Stream::none) {
            res.set_content(std::move(reply.body), reply.content_type.c_str());
            return;
        }
        if (++streams_ > kMaxStreams) {
            --streams_;
            res.status = 503;
            res.set_content(json_text({{"error", "too many pages are open on this dashboard"}}),
                            "application/json");
            return;
        }
        res.set_header("X-Accel-Buffering", "no");
        auto done = [this](bool) { --streams_; };
        if (reply.stream == HttpReply::Stream::runs)
            res.set_chunked_content_provider(
                "text/event-stream",
                [this](std::size_t, httplib::DataSink& sink) { return stream_runs(sink); }, done);
        else
            res.set_chunked_content_provider(
                "text/event-stream",
                [this, reply = std::move(reply)](std::size_t, httplib::DataSink& sink) {
                    return stream_run(reply, sink);
                },
                done);
    };
    server.Get(".*", handle);
    // Other methods get the routes' 405, not httplib's 404.
    server.Post(".*", handle);
    server.Put(".*", handle);
    server.Delete(".*", handle);
    server.Patch(".*", handle);
    server.Options(".*", handle);
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            res.status = 500;
            res.set_content(json_text({{"error", "internal error"}}), "application/json");
        });
}

bool DashboardServer::wait_for_change(std::uint64_t& seen, httplib::DataSink& sink) {
    const std::uint64_t now = watcher_->wait(seen, std::chrono::steady_clock::now() + kHeartbeat);
    if (now == seen && !watcher_->stopping()) {
        static constexpr char ping[] = ": ping\n\n";  // a comment line: pages ignore it
        if (!sink.write(ping, sizeof ping - 1)) return false;
    }
    seen = now;
    return true;
}

bool DashboardServer::stream_run(const HttpReply& reply, httplib::DataSink& sink) {
    JournalStream stream(reply.run_dir, reply.from);
    std::uint64_t seen = watcher_->epoch();
    while (!watcher_->stopping()) {
        const std::string events = stream.next();
        if (!events.empty() && !sink.write(events.data(), events.size())) return false;
        if (stream.gone()) break;
        // Read on at once while a batch was full; else wait for a change.
        if (!events.empty() && events.size() >= JournalStream::kMaxBatch) continue;
        if (!events.empty())
            watcher_->wait_unless_stopped(std::chrono::steady_clock::now() + kBetweenEvents);
        if (!wait_for_change(seen, sink)) return false;
    }
    // Stopped (the run served beside its tuner has ended, or Ctrl-C): what the journal holds by
    // now still reaches a page that kept up, the run's last records included, and then the
    // stream ends. One batch at most: a page far behind must not hold up the process's exit.
    if (!stream.gone()) {
        const std::string events = stream.next();
        if (!events.empty() && !sink.write(events.data(), events.size())) return false;
    }
    sink.done();
    return true;
}

bool DashboardServer::stream_runs(httplib::DataSink& sink) {
    std::string last;
    std::uint64_t seen = watcher_->epoch();
    while (true) {
        const bool stopping = watcher_->stopping();  // then the runs as they are, once more
        std::string runs = json_text(overview_.all(catalog_));
        if (runs != last) {
            const std::string event = sse_event("runs", runs);
            if (!sink.write(event.data(), event.size())) return false;
            last = std::move(runs);
            if (!stopping)
                watcher_->wait_unless_stopped(std::chrono::steady_clock::now() + kBetweenEvents);
        }
        if (stopping) break;
        if (!wait_for_change(seen, sink)) return false;
    }
    sink.done();
    return true;
}

void DashboardServer::start() {
    const std::string where = options_.bind + ":" + std::to_string(options_.port);
    // Port 0: the kernel chooses one, and bind_to_any_port says which.
    port_ = options_.port == 0 ? server_->bind_to_any_port(options_.bind)
            : server_->bind_to_port(options_.bind, options_.port) ? options_.port
                                                                  : -1;
    if (port_ <= 0 && options_.any_port_if_taken) port_ = server_->bind_to_any_port(options_.bind);
    const bool bound = port_ > 0;
    if (!bound)
        throw Error(ExitCode::cannot_start,
                    "the dashboard cannot listen on " + where +
                        " (the port is taken, or the address is not this machine's): choose "
                        "another with --port / --serve PORT, or --bind");
    routes_.set_port(port_);
    thread_ = std::thread([this] {
        server_->listen_after_bind();
        listen_returned_ = true;
    });
}

void DashboardServer::stop() {
    if (watcher_) watcher_->stop();  // wakes every stream, which then ends
    if (thread_.joinable()) {
        // httplib's stop() does nothing until its loop has begun (it would then accept for
        // ever): a stop right after start() (Ctrl-C at once) waits for that first. The loop
        // begins as soon as the thread runs, so this yields a few times at most.
        while (!server_->is_running() && !listen_returned_) std::this_thread::yield();
        server_->stop();
        thread_.join();
    }
}

}  // namespace asha
