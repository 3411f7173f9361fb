// Following the trials' log files (backends/output_follower.hpp): a file that grows is marked
// unread through inotify and read on from where it was; a pipe's end is seen.

#include "backends/output_follower.hpp"

#include "test_util.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <fstream>

using namespace asha;
using namespace asha::test;
namespace fs = std::filesystem;

namespace {

std::string read_all_now(OutputSource& source, std::vector<char>& buffer) {
    std::string got;
    bool ended = false;
    for (ssize_t n; (n = read_chunk(source, buffer, ended)) > 0;)
        got.append(buffer.data(), static_cast<std::size_t>(n));
    return got;
}

}  // namespace

TEST(OutputFollower, AFileThatGrowsIsReadOnFromItsOffset) {
    const fs::path path = temp_path("followed.log");
    std::ofstream(path) << "skip|first\n";
    OutputFollower follower;
    EXPECT_EQ(follower.poll_fd(), -1);  // nothing followed: nothing to poll
    OutputSource source;
    follower.follow(source, path, 5);
    ASSERT_GE(follower.poll_fd(), 0);
    EXPECT_TRUE(source.unread);   // what is already there
    std::vector<char> buffer(4);  // smaller than what is there: several chunks
    EXPECT_EQ(read_all_now(source, buffer), "first\n");
    EXPECT_FALSE(source.unread);
    EXPECT_EQ(source.offset, 11u);

    std::ofstream(path, std::ios::app) << "second\n";
    pollfd p{follower.poll_fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 30000), 1);  // the bound only detects a hang
    follower.on_ready();
    EXPECT_TRUE(source.unread);
    EXPECT_EQ(read_all_now(source, buffer), "second\n");
    EXPECT_EQ(source.offset, 18u);

    follower.forget(source);
    EXPECT_EQ(source.watch, -1);
    EXPECT_EQ(follower.poll_fd(), -1);
}

TEST(OutputFollower, APipesEndIsSeen) {
    auto [read_end, write_end] = make_pipe();
    OutputSource source;
    source.fd = std::move(read_end);
    ASSERT_TRUE(write_all(write_end.get(), "abc", 3));
    write_end.reset();
    std::vector<char> buffer(16);
    bool ended = true;
    ASSERT_EQ(read_chunk(source, buffer, ended), 3);
    EXPECT_FALSE(ended);
    EXPECT_EQ(read_chunk(source, buffer, ended), 0);
    EXPECT_TRUE(ended);
}

// A log that a killed process left mid-line gets a newline before the next writer's first
// line; an empty log, or one that ends with a newline, is left as it is.
TEST(OutputFollower, AnUnfinishedLastLineIsEnded) {
    const fs::path path = temp_path("unfinished.log");
    for (const auto& [before, after] : std::vector<std::pair<std::string, std::string>>{
             {"", ""}, {"done\n", "done\n"}, {"half a li", "half a li\n"}}) {
        std::ofstream(path, std::ios::trunc) << before;
        const Fd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC));
        ASSERT_TRUE(fd.valid());
        end_unfinished_line(fd, path);
        EXPECT_EQ(read_file(path), after);
        EXPECT_EQ(log_size(fd), after.size());
    }
}
