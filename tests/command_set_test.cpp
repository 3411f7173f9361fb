// The control commands in flight (backends/command_set.hpp), driven by a poll loop of the
// test's own, as the engine drives them: statuses, stdout, a command that cannot start.

#include "backends/command_set.hpp"

#include "test_util.hpp"

#include <poll.h>

#include <map>

using namespace asha;

namespace {

/// Polls `set` until every command has finished (no timeout: each ends by itself).
void run_to_end(CommandSet& set) {
    while (set.size() > 0) {
        std::vector<pollfd> fds;
        std::vector<std::pair<std::size_t, CommandSet::Ready>> what;
        set.poll_fds([&](int fd, std::size_t index, CommandSet::Ready ready) {
            fds.push_back({fd, POLLIN, 0});
            what.emplace_back(index, ready);
        });
        ASSERT_GE(::poll(fds.data(), fds.size(), -1), 0);
        for (std::size_t i = 0; i < fds.size(); ++i)
            if (fds[i].revents) set.on_ready(what[i].first, what[i].second);
        set.finish_ended();
    }
}

}  // namespace

TEST(CommandSet, EachCommandIsDoneWithItsStatusAndStdout) {
    CommandSet set;
    std::map<std::string, std::pair<int, std::string>> done;
    auto record = [&](const std::string& name) {
        return [&, name](int status, const std::string& output) { done[name] = {status, output}; };
    };
    set.start({{"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, record("exits")});
    set.start({{"/bin/sh", "-c", "printf 'a\\nb\\n'; kill -9 $$"}, record("killed")});
    // More stdout than one read takes: all of it arrives.
    set.start({{"head", "-c", "100000", "/dev/zero"}, record("long")});
    set.start({{"/nonexistent/command"}, record("missing")});
    // One that cannot start is done at once, as a shell says of it.
    ASSERT_EQ(done.count("missing"), 1u);
    EXPECT_EQ(done["missing"], std::make_pair(127, std::string()));
    EXPECT_EQ(set.size(), 3u);
    run_to_end(set);
    EXPECT_EQ(done["exits"], std::make_pair(3, std::string("out\n")));
    EXPECT_EQ(done["killed"], std::make_pair(-9, std::string("a\nb\n")));
    EXPECT_EQ(done["long"].first, 0);
    EXPECT_EQ(done["long"].second.size(), 100000u);
    EXPECT_TRUE(done["long"].second == std::string(100000, '\0'));
}

// kill_all() (the engine's last line of defence) ends what is in flight without calling `done`.
TEST(CommandSet, KillAllEndsEveryCommandWithoutItsDone) {
    CommandSet set;
    bool called = false;
    set.start(
        {{"/bin/sh", "-c", "exec sleep 1000"}, [&](int, const std::string&) { called = true; }});
    ASSERT_EQ(set.size(), 1u);
    set.kill_all();
    EXPECT_EQ(set.size(), 0u);
    EXPECT_FALSE(called);
}
