// The process helpers of the engine (backends/process.hpp): short commands run to their end,
// executables found as execvp finds them, and a run's leftovers found by their marker.

#include "backends/process.hpp"

#include "test_util.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace asha;

TEST(Process, RunCommandGivesItsStatusAndStdout) {
    std::string out;
    EXPECT_EQ(run_command({"sh", "-c", "echo hello; echo err >&2; exit 4"}, &out), 4);
    EXPECT_EQ(out, "hello\n");
    EXPECT_EQ(run_command({"sh", "-c", "kill -TERM $$"}), -SIGTERM);
    EXPECT_EQ(run_command({"/nonexistent/command"}), 127);
    // The environment given is the whole environment; the output is appended to.
    out.clear();
    EXPECT_EQ(run_command({"/bin/sh", "-c", "echo \"$ONLY\" \"$HOME\""}, &out, {"ONLY=this"}), 0);
    EXPECT_EQ(out, "this \n");
}

TEST(Process, ExecutablesAreFoundAsExecvpFindsThem) {
    EXPECT_EQ(find_executable("/bin/sh"), "/bin/sh");
    EXPECT_FALSE(find_executable("sh").empty());  // through PATH
    EXPECT_EQ(find_executable("no-such-program-anywhere"), "");
    const std::filesystem::path dir = test::temp_path("exe-dir");
    std::filesystem::create_directories(dir / "bin");
    {
        std::ofstream script(dir / "bin" / "train.sh");
        script << "#!/bin/sh\n";
    }
    std::ofstream(dir / "bin" / "data.txt") << "not a program\n";
    std::filesystem::permissions(dir / "bin" / "train.sh", std::filesystem::perms::owner_all);
    std::filesystem::permissions(dir / "bin" / "data.txt", std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
    EXPECT_EQ(find_executable((dir / "bin" / "data.txt").string()), "");  // not executable
    EXPECT_EQ(find_executable((dir / "bin").string()), "");               // a directory
    // A relative path is taken from the trial's working directory.
    EXPECT_EQ(find_executable("bin/train.sh", dir.string()), (dir / "bin" / "train.sh").string());
    EXPECT_EQ(find_executable("bin/train.sh", "/"), "");
}

// Leftovers are found by the marker in their environment, a descendant that left its parent's
// session (setsid) included, and only they: a process without the marker is left alone.
TEST(Process, LeftoversAreFoundByTheirMarkerWhereverTheyWent) {
    const std::string marker = "ASHA_TEST_MARKER=" + std::to_string(::getpid()) + "-leftovers";
    // Both marked processes wait on a FIFO the test holds open (so opening it never blocks and
    // nothing is ever written): shells blocked in `read`, never in the middle of an exec, when
    // /proc/PID/environ can read empty for a moment and the sweep would miss them.
    const std::filesystem::path fifo = test::temp_path("leftovers.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const Fd held(::open(fifo.c_str(), O_RDWR | O_CLOEXEC));
    ASSERT_TRUE(held.valid());
    SpawnSpec marked;
    marked.argv = {"/bin/sh", "-c",
                   "setsid /bin/sh -c 'echo $$; read x < \"$0\"' \"$0\" & read x < \"$0\"",
                   fifo.string()};
    marked.env = current_environment();
    marked.env.push_back(marker);
    Child child = spawn_child(marked);
    SpawnSpec unmarked;
    unmarked.argv = {"/bin/sh", "-c", "exec sleep 1000"};
    unmarked.env = current_environment();
    Child bystander = spawn_child(unmarked);
    // The escaped descendant prints its pid from its own session, after its exec; its parent
    // has run since its exec too (it started the descendant).
    set_nonblocking(child.stdout_fd.get(), false);
    std::string pid_text;
    char ch = 0;
    while (::read(child.stdout_fd.get(), &ch, 1) == 1 && ch != '\n') pid_text += ch;
    const pid_t escaped = static_cast<pid_t>(std::stol(pid_text));
    const Fd escaped_fd = open_pidfd(escaped);
    ASSERT_TRUE(escaped_fd.valid());

    EXPECT_EQ(kill_marked_processes(marker), 2u);
    int status = 0;
    ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    pollfd p{escaped_fd.get(), POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 1);          // it has ended: kill_marked_processes waited for it
    EXPECT_EQ(::kill(bystander.pid, 0), 0);  // left alone
    ::kill(bystander.pid, SIGKILL);
    ::waitpid(bystander.pid, &status, 0);
    EXPECT_EQ(kill_marked_processes(marker), 0u);  // nothing left
}
