// The dashboard's server without a network: which requests it answers and with what (routes),
// which runs it finds (catalog), what a page's stream of a run carries (journal stream), and
// that it hears of changes (watcher). The real server, over HTTP, is tests/serve/http_test.py;
// the page in Chromium is tests/serve/browser_test.py.

#include "serve/change_watcher.hpp"
#include "serve/dashboard_routes.hpp"
#include "serve/journal_stream.hpp"
#include "serve/run_catalog.hpp"
#include "serve/runs_overview.hpp"

#include "cli_util.hpp"
#include "test_util.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>

using namespace asha;
using namespace asha::test;
namespace fs = std::filesystem;

namespace {

/// A directory with a journal: what the catalog takes for a run.
fs::path fake_run(const fs::path& dir, const std::string& journal = "{\"event\":\"run\"}\n") {
    fs::create_directories(dir);
    std::ofstream(dir / "journal.jsonl") << journal;
    return dir;
}

void append(const fs::path& file, const std::string& text) {
    std::ofstream(file, std::ios::app) << text;
}

/// A finished simulated run, made by asha-tune itself.
fs::path simulated_run(const fs::path& dir) {
    const Outcome o = asha_tune({"simulate", "--config", "configs/synthetic.json", "--max-trials",
                                 "12", "--run-dir", dir.string(), "--quiet"});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return dir;
}

/// The routes over the runs below `root`, as the server would hold them.
struct Served {
    explicit Served(const fs::path& root) : catalog({root}), routes(catalog, overview, 8080) {}
    RunCatalog catalog;
    RunsOverview overview;
    DashboardRoutes routes;
};

HttpRequest get(const std::string& path, std::multimap<std::string, std::string> params = {}) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.params = std::move(params);
    r.host = "127.0.0.1:8080";
    return r;
}

/// The data of each `event` event in an SSE text, in order.
std::vector<std::string> events_named(const std::string& text, const std::string& event) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find("\n\n", at);
        if (end == std::string::npos) break;
        std::string block = text.substr(at, end - at);
        at = end + 2;
        if (block.find("event: " + event + "\n") == std::string::npos) continue;
        std::string data;
        std::size_t pos = 0;
        while ((pos = block.find("data: ", pos)) != std::string::npos) {
            std::size_t eol = block.find('\n', pos);
            if (!data.empty()) data += "\n";
            data += block.substr(pos + 6, eol == std::string::npos ? eol : eol - pos - 6);
            pos = eol == std::string::npos ? block.size() : eol;
        }
        out.push_back(data);
    }
    return out;
}

}  // namespace

TEST(ServeHost, AnswersLocalhostIpLiteralsAndThisMachineOnlyOnItsPort) {
    EXPECT_TRUE(host_allowed("localhost:8080", 8080));
    EXPECT_TRUE(host_allowed("LocalHost:8080", 8080));
    EXPECT_TRUE(host_allowed("127.0.0.1:8080", 8080));
    EXPECT_TRUE(host_allowed("[::1]:8080", 8080));
    EXPECT_TRUE(host_allowed("10.1.2.3:8080", 8080));  // through ssh -L or a bound address
    EXPECT_TRUE(host_allowed("localhost", 8080));
    char name[256] = {};
    ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
    EXPECT_TRUE(host_allowed(std::string(name) + ":8080", 8080));
    // DNS rebinding: a name of someone else's that resolves to this machine.
    EXPECT_FALSE(host_allowed("evil.example:8080", 8080));
    EXPECT_FALSE(host_allowed("localhost.evil.example:8080", 8080));
    EXPECT_FALSE(host_allowed("127.0.0.1.nip.io:8080", 8080));
    EXPECT_FALSE(host_allowed("localhost:9090", 8080));
    EXPECT_FALSE(host_allowed("localhost:", 8080));
    EXPECT_FALSE(host_allowed("localhost:80x", 8080));
    EXPECT_FALSE(host_allowed("", 8080));
    EXPECT_FALSE(host_allowed(":8080", 8080));
    EXPECT_FALSE(host_allowed("[::1", 8080));
}

TEST(ServeHost, CountsAreDecimalDigitsOnly) {
    EXPECT_EQ(parse_count("0"), 0u);
    EXPECT_EQ(parse_count("123456"), 123456u);
    EXPECT_FALSE(parse_count(""));
    EXPECT_FALSE(parse_count("-1"));
    EXPECT_FALSE(parse_count("+1"));
    EXPECT_FALSE(parse_count(" 1"));
    EXPECT_FALSE(parse_count("0x10"));
    EXPECT_FALSE(parse_count("1234567890123456789"));  // 19 digits: could overflow
}

TEST(ServeCatalog, FindsRunsBelowTheDirectoryByNameAndNothingElse) {
    const fs::path root = temp_path("serve-catalog");
    fake_run(root / "a");
    fake_run(root / "project" / "b");
    fake_run(root / "a" / "trials" / "0");  // inside a run: not a run of its own
    fs::create_directories(root / "empty");
    fs::create_directories(root / "outside");
    fake_run(root / "outside" / "c");
    fs::create_directory_symlink(root / "outside", root / "linked");  // not followed
    RunCatalog catalog({root});
    std::vector<std::string> names;
    for (const auto& run : catalog.runs()) names.push_back(run.name);
    EXPECT_EQ(names, (std::vector<std::string>{"a", "outside/c", "project/b"}));
    EXPECT_EQ(catalog.find("project/b"), fs::canonical(root / "project" / "b"));
    EXPECT_FALSE(catalog.find("linked/c"));
    EXPECT_FALSE(catalog.find("../serve-catalog/a"));
    EXPECT_FALSE(catalog.find(root.string() + "/a"));
    EXPECT_FALSE(catalog.find("empty"));
    // A served directory that is itself a run is served under its own name.
    RunCatalog single({root / "a"});
    ASSERT_EQ(single.runs().size(), 1u);
    EXPECT_EQ(single.runs()[0].name, "a");
}

TEST(ServeCatalog, ANameThatIsNotADirectoryIsAClearError) {
    try {
        RunCatalog catalog({temp_path("serve-missing")});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::bad_config);
        EXPECT_NE(std::string(e.what()).find("not a directory"), std::string::npos) << e.what();
    }
}

TEST(ServeCatalog, OpensOnlyFilesInsideTheRun) {
    const fs::path root = temp_path("serve-inside");
    const fs::path run = fs::canonical(fake_run(root / "run"));
    fs::create_directories(run / "trials" / "0");
    std::ofstream(run / "trials" / "0" / "stdout.log") << "hello\n";
    std::ofstream(root / "secret") << "secret\n";
    fs::create_symlink(root / "secret", run / "trials" / "0" / "stderr.log");
    fs::create_symlink(run / "trials" / "0" / "stdout.log", run / "inner-link");
    EXPECT_TRUE(open_inside(run, "trials/0/stdout.log").valid());
    EXPECT_TRUE(open_inside(run, "inner-link").valid());            // a link within the run
    EXPECT_FALSE(open_inside(run, "trials/0/stderr.log").valid());  // a link out of the run
    EXPECT_FALSE(open_inside(run, "../secret").valid());
    EXPECT_FALSE(open_inside(run, "trials/../../secret").valid());
    EXPECT_FALSE(open_inside(run, root / "secret").valid());
    EXPECT_FALSE(open_inside(run, "trials/1/stdout.log").valid());
}

TEST(ServeStream, SendsCompleteLinesWithTheirOffsetAndWaitsForATornOne) {
    const fs::path run =
        fake_run(temp_path("serve-stream"), "{\"event\":\"run\"}\n{\"a\":1}\n{\"b\"");
    JournalStream stream(run, 0);
    const std::string first = stream.next();
    EXPECT_EQ(events_named(first, "start"), (std::vector<std::string>{"{\"from\":0,\"end\":28}"}));
    EXPECT_EQ(events_named(first, "journal"),
              (std::vector<std::string>{"{\"event\":\"run\"}\n{\"a\":1}"}));
    EXPECT_NE(first.find("id: 24\n"), std::string::npos) << first;
    EXPECT_EQ(stream.next(), "");  // the torn line waits
    append(run / "journal.jsonl", ":2}\n");
    EXPECT_EQ(events_named(stream.next(), "journal"), (std::vector<std::string>{"{\"b\":2}"}));
    // A page that reconnects with the last id gets what came after it only.
    JournalStream again(run, 24);
    EXPECT_EQ(events_named(again.next(), "journal"), (std::vector<std::string>{"{\"b\":2}"}));
    // An offset inside a line (or past the end) is not trusted: all again, after a reset.
    JournalStream bad(run, 3);
    const std::string text = bad.next();
    EXPECT_EQ(events_named(text, "reset").size(), 1u);
    EXPECT_EQ(events_named(text, "journal").size(), 1u);
    EXPECT_NE(text.find("{\"from\":0,"), std::string::npos);
}

TEST(ServeStream, SaysWhenTrialsCsvWasRewrittenAndWhenTheRunIsGone) {
    const fs::path run = fake_run(temp_path("serve-stream-gone"));
    JournalStream stream(run, 0);
    EXPECT_TRUE(events_named(stream.next(), "trials").empty());
    std::ofstream(run / "trials.csv") << "trial_id,status\n";
    EXPECT_EQ(events_named(stream.next(), "trials").size(), 1u);
    EXPECT_TRUE(events_named(stream.next(), "trials").empty());
    fs::remove_all(run);
    EXPECT_EQ(events_named(stream.next(), "gone").size(), 1u);
    EXPECT_TRUE(stream.gone());
    EXPECT_EQ(stream.next(), "");
}

TEST(ServeStream, ALineLongerThanABatchIsSentWhole) {
    const std::string big(JournalStream::kMaxBatch + 100, 'x');
    const fs::path run =
        fake_run(temp_path("serve-stream-long"), "{\"event\":\"run\"}\n" + big + "\n");
    JournalStream stream(run, 0);
    const auto journal = events_named(stream.next(), "journal");
    ASSERT_EQ(journal.size(), 1u);
    EXPECT_EQ(journal[0], "{\"event\":\"run\"}");
    EXPECT_EQ(events_named(stream.next(), "journal"), (std::vector<std::string>{big}));
}

TEST(ServeStream, NoDataCanStartAnEventField) {
    const std::string text = sse_event("journal", "a\rid: 7\nb", "9");
    EXPECT_EQ(text, "id: 9\nevent: journal\ndata: a id: 7\ndata: b\n\n");
}

TEST(ServeRoutes, RefusesOtherHostsOtherMethodsAndUnknownRunsAndTrials) {
    const fs::path root = temp_path("serve-routes");
    fake_run(root / "r");
    Served served(root);
    const DashboardRoutes& routes = served.routes;
    HttpRequest evil = get("/api/runs");
    evil.host = "evil.example:8080";
    EXPECT_EQ(routes.handle(evil).status, 403);
    HttpRequest post = get("/api/runs");
    post.method = "POST";
    EXPECT_EQ(routes.handle(post).status, 405);
    EXPECT_EQ(routes.handle(get("/etc/passwd")).status, 404);
    EXPECT_EQ(routes.handle(get("/../../etc/passwd")).status, 404);
    EXPECT_EQ(routes.handle(get("/api/run")).status, 400);
    EXPECT_EQ(routes.handle(get("/api/run", {{"run", "../r"}})).status, 404);
    EXPECT_EQ(routes.handle(get("/api/run", {{"run", "/etc"}})).status, 404);
    EXPECT_EQ(routes.handle(get("/api/trial", {{"run", "r"}, {"trial", "../0"}})).status, 400);
    EXPECT_EQ(routes.handle(get("/api/trial", {{"run", "r"}, {"trial", "99999999999"}})).status,
              400);
    EXPECT_EQ(routes
                  .handle(get("/api/trial/output",
                              {{"run", "r"}, {"trial", "0"}, {"stream", "../journal.jsonl"}}))
                  .status,
              400);
    const HttpReply bad_from =
        routes.handle(get("/api/run/events", {{"run", "r"}, {"from", "-1"}}));
    EXPECT_EQ(bad_from.status, 400);
    const HttpReply page = routes.handle(get("/"));
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
    EXPECT_NE(page.body.find("/dashboard.js"), std::string::npos);
    EXPECT_EQ(routes.handle(get("/dashboard.js")).status, 200);
}

TEST(ServeRoutes, ARunsEntryIsWhatStatusJsonSays) {
    const fs::path root = temp_path("serve-routes-status");
    const fs::path run = simulated_run(root / "sim");
    Served served(root);
    const DashboardRoutes& routes = served.routes;
    const HttpReply reply = routes.handle(get("/api/run", {{"run", "sim"}}));
    ASSERT_EQ(reply.status, 200) << reply.body;
    const json entry = json::parse(reply.body);
    const Outcome status = asha_tune({"status", run.string(), "--json"});
    json expected = json::parse(status.out);
    expected["run_dir"] = "sim";  // the page names runs by their served name
    EXPECT_EQ(entry["status"], expected);
    EXPECT_EQ(entry["name"], "sim");
    // The trial view is what `why --json` prints.
    const HttpReply trial = routes.handle(get("/api/trial", {{"run", "sim"}, {"trial", "3"}}));
    ASSERT_EQ(trial.status, 200) << trial.body;
    const Outcome why = asha_tune({"why", run.string(), "3", "--json"});
    EXPECT_EQ(json::parse(trial.body)["story"], json::parse(why.out));
    EXPECT_EQ(routes.handle(get("/api/trial", {{"run", "sim"}, {"trial", "12"}})).status, 404);
}

TEST(ServeRoutes, TrialOutputIsItsTailAndNeverAFileOutsideTheRun) {
    const fs::path root = temp_path("serve-routes-output");
    const fs::path run = fake_run(root / "r");
    fs::create_directories(run / "trials" / "0");
    fs::create_directories(run / "trials" / "1");
    std::ofstream(run / "trials" / "0" / "stdout.log") << std::string(70000, 'a') << "END";
    std::ofstream(root / "secret") << "secret";
    fs::create_symlink(root / "secret", run / "trials" / "1" / "stdout.log");
    Served served(root);
    const DashboardRoutes& routes = served.routes;
    const HttpReply tail = routes.handle(
        get("/api/trial/output", {{"run", "r"}, {"trial", "0"}, {"stream", "stdout"}}));
    EXPECT_EQ(tail.body.size(), 64u * 1024);
    EXPECT_EQ(tail.body.substr(tail.body.size() - 3), "END");
    const HttpReply linked = routes.handle(
        get("/api/trial/output", {{"run", "r"}, {"trial", "1"}, {"stream", "stdout"}}));
    EXPECT_EQ(linked.body, "");
}

TEST(ServeRoutes, HostileNamesComeOutAsValidJson) {
    const fs::path root = temp_path("serve-routes-hostile");
    fake_run(root / "bad\xff\xfe<script>");
    Served served(root);
    const DashboardRoutes& routes = served.routes;
    const HttpReply reply = routes.handle(get("/api/runs"));
    ASSERT_EQ(reply.status, 200);
    const json runs = json::parse(reply.body);  // throws on invalid UTF-8
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_TRUE(runs[0].contains("error")) << reply.body;  // a journal alone is not readable
}

TEST(ServeWatcher, HearsAJournalGrowAndANewRunAppear) {
    const fs::path root = temp_path("serve-watcher");
    const fs::path run = fake_run(root / "one");
    RunCatalog catalog({root});
    ChangeWatcher watcher(catalog);
    const auto bound = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(60); };
    std::uint64_t seen = watcher.epoch();
    append(run / "journal.jsonl", "{\"event\":\"clock\"}\n");
    EXPECT_NE(watcher.wait(seen, bound()), seen) << "no change heard in 60 s";
    // A new run: its directory first, its journal a moment later, as a tuner makes them.
    fake_run(root / "group" / "two");
    while (!catalog.find("group/two")) {
        seen = watcher.epoch();
        if (catalog.find("group/two")) break;
        ASSERT_NE(watcher.wait(seen, bound()), seen) << "the new run was never found";
    }
    fs::remove_all(run);
    while (catalog.find("one")) {
        seen = watcher.epoch();
        if (!catalog.find("one")) break;
        ASSERT_NE(watcher.wait(seen, bound()), seen) << "the deleted run stayed";
    }
    watcher.stop();
    EXPECT_TRUE(watcher.stopping());
}
