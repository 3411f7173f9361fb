// The run's keeper (src/supervisor/keeper.hpp) through the tuner's side of it
// (src/backends/keeper_link.hpp), with real processes: a leg starts only on its go, its end is
// recorded before its end pipe closes, one leg is stopped with what escaped its group while
// another runs on, a second connection (a resumed tuner's) takes legs over, and without a
// tuner every leg is stopped after orphan_timeout. The tuner's use of it is tested end to end
// by the resume and crash tests, which run every local leg under a keeper.

#include "backends/keeper_link.hpp"
#include "supervisor/supervisor.hpp"
#include "sys/fd.hpp"
#include "sys/leg_records.hpp"
#include "sys/proc.hpp"

#include "test_util.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstdlib>

using namespace asha;
using namespace asha::test;

namespace {

/// Bounds that only detect a hang; every wait below ends on an event.
constexpr int kHangMs = 60000;

bool readable(const Fd& fd, int timeout_ms) {
    pollfd p{fd.get(), POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
}

/// A run directory with trial directories, and a keeper started for it.
class KeeperTest : public ::testing::Test {
  protected:
    void start_keeper(double orphan_timeout = 3600, double grace = 5) {
        run_dir_ = temp_path("keeper");
        fs::create_directories(run_dir_ / "trials");
        std::string problem;
        keeper_ = KeeperLink::start(
            keeper_command(ASHA_SUPERVISE_EXE, run_dir_.string(), grace, orphan_timeout), problem);
        ASSERT_TRUE(keeper_) << problem;
    }

    fs::path trial_dir(TrialId trial) const { return run_dir_ / "trials" / std::to_string(trial); }

    /// Hands trial `trial`'s leg 0 (`script`, run by sh) to the keeper.
    KeeperLink::Started start_leg(TrialId trial, const std::string& script) {
        const fs::path dir = trial_dir(trial);
        fs::create_directories(dir);
        const Fd out(::open((dir / "stdout.log").c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644));
        const Fd err(::open((dir / "stderr.log").c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644));
        auto started = keeper_->start_leg(
            trial, 0, dir.string(), "/", {"/bin/sh", "-c", script},
            {"ASHA_TRIAL_DIR=" + dir.string(), std::string("PATH=") + std::getenv("PATH")},
            out.get(), err.get());
        EXPECT_TRUE(started);
        return started ? std::move(*started) : KeeperLink::Started{};
    }

    static void go(KeeperLink::Started& leg) {
        ASSERT_EQ(::write(leg.go.get(), "g", 1), 1);
        leg.go.reset();
    }

    /// Waits until `file` in trial `trial`'s directory exists; its first number.
    pid_t wait_for_pid_file(TrialId trial, const char* file) {
        const fs::path path = trial_dir(trial) / file;
        // The trial writes it as one rename; the keeper's record of the run comes first.
        const Fd inotify(::inotify_init1(IN_CLOEXEC));
        ::inotify_add_watch(inotify.get(), trial_dir(trial).c_str(), IN_MOVED_TO);
        while (!fs::exists(path)) {
            pollfd p{inotify.get(), POLLIN, 0};
            if (::poll(&p, 1, kHangMs) != 1) return -1;
            char buf[4096];
            if (::read(inotify.get(), buf, sizeof buf) < 0) return -1;
        }
        return static_cast<pid_t>(std::stol(read_file(path)));
    }

    fs::path run_dir_;
    std::unique_ptr<KeeperLink> keeper_;
};

/// Writes `name` (its shell's pid) in the trial directory as one rename.
std::string write_pid(const std::string& name) {
    return "echo $$ > \"$ASHA_TRIAL_DIR/" + name + ".tmp\"; mv \"$ASHA_TRIAL_DIR/" + name +
           ".tmp\" \"$ASHA_TRIAL_DIR/" + name + "\"";
}

/// A trial that leaves a descendant outside its group and session (double fork + setsid,
/// deaf to SIGTERM), writes its own pid, then waits.
std::string escaping_trial() {
    return "setsid sh -c 'trap \"\" TERM HUP; " + write_pid("escapee.pid") +
           "; exec sleep 100000' </dev/null >/dev/null 2>&1 & "
           "while [ ! -f \"$ASHA_TRIAL_DIR/escapee.pid\" ]; do sleep 0.01; done; " +
           write_pid("trial.pid") + "; exec sleep 100000";
}

}  // namespace

TEST_F(KeeperTest, StartsALegOnItsGoAndRecordsItsEndBeforeItsEndPipeCloses) {
    start_keeper();
    KeeperLink::Started leg = start_leg(0, "echo out; echo err >&2; exit 3");
    // No go yet: nothing runs, nothing is recorded.
    EXPECT_FALSE(readable(leg.end, 0));
    EXPECT_FALSE(read_leg_run(trial_dir(0).string(), 0));
    go(leg);
    ASSERT_TRUE(readable(leg.end, kHangMs));
    EXPECT_TRUE(KeeperLink::let_go(leg.end.get()));  // on purpose, not by dying
    const auto run = read_leg_run(trial_dir(0).string(), 0);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->supervisor, keeper_->pid());
    EXPECT_EQ(run->ticks, keeper_->ticks());
    const auto end = read_leg_end(trial_dir(0).string(), 0);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->exit_code, 3);
    EXPECT_EQ(end->signal, 0);
    EXPECT_FALSE(end->stopped);
    EXPECT_EQ(read_file(trial_dir(0) / "stdout.log"), "out\n");
    EXPECT_EQ(read_file(trial_dir(0) / "stderr.log"), "err\n");

    // A leg whose go never comes (its tuner died before journaling it) never runs.
    KeeperLink::Started never = start_leg(1, "echo ran > \"$ASHA_TRIAL_DIR/ran\"");
    never.go.reset();
    ASSERT_TRUE(readable(never.end, kHangMs));
    EXPECT_TRUE(KeeperLink::let_go(never.end.get()));
    EXPECT_FALSE(fs::exists(trial_dir(1) / "ran"));
    EXPECT_FALSE(fs::exists(leg_records_path(trial_dir(1).string(), 0)));

    // With no leg and no connection, it ends.
    const pid_t pid = keeper_->pid();
    keeper_.reset();
    EXPECT_TRUE(wait_for_exit(pid, kHangMs));
}

// A start of a leg it already has is not taken: its end pipe closes without kLetGo (the
// launcher then gives later legs supervisors of their own), and the one it has runs on. An end
// pipe of a keeper that died closes without it too.
TEST_F(KeeperTest, DoesNotTakeALegItAlreadyHasAndLetsGoWithoutAWordOnlyByDying) {
    start_keeper();
    KeeperLink::Started leg = start_leg(0, "exit 5");
    const Fd out(::open("/dev/null", O_WRONLY));
    auto twice = keeper_->start_leg(0, 0, trial_dir(0).string(), "/", {"/bin/true"}, {}, out.get(),
                                    out.get());
    ASSERT_TRUE(twice);
    ASSERT_TRUE(readable(twice->end, kHangMs));
    EXPECT_FALSE(KeeperLink::let_go(twice->end.get()));
    EXPECT_FALSE(read_leg_run(trial_dir(0).string(), 0));
    go(leg);
    ASSERT_TRUE(readable(leg.end, kHangMs));
    EXPECT_TRUE(KeeperLink::let_go(leg.end.get()));
    EXPECT_EQ(read_leg_end(trial_dir(0).string(), 0)->exit_code, 5);

    KeeperLink::Started held = start_leg(1, write_pid("trial.pid") + "; exec sleep 100000");
    go(held);
    const pid_t trial = wait_for_pid_file(1, "trial.pid");
    ASSERT_GT(trial, 0);
    keeper_->kill();
    ASSERT_TRUE(readable(held.end, kHangMs));
    EXPECT_FALSE(KeeperLink::let_go(held.end.get()));
    ::kill(trial, SIGKILL);  // no keeper left to end it (the launcher's sweep does that)
}

TEST_F(KeeperTest, StopsOneLegAndWhatEscapedItWhileAnotherRunsOn) {
    start_keeper();
    KeeperLink::Started legs[2] = {start_leg(0, escaping_trial()), start_leg(1, escaping_trial())};
    go(legs[0]);
    go(legs[1]);
    pid_t escapee[2], trial[2];
    for (TrialId t : {0, 1}) {
        trial[t] = wait_for_pid_file(t, "trial.pid");
        escapee[t] = wait_for_pid_file(t, "escapee.pid");
        ASSERT_GT(trial[t], 0);
        ASSERT_GT(escapee[t], 0);
    }
    ASSERT_TRUE(keeper_->stop(0, 0, false));
    ASSERT_TRUE(readable(legs[0].end, kHangMs));
    // Its end is recorded once the trial, its group and its escapee are gone.
    const auto end = read_leg_end(trial_dir(0).string(), 0);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->signal, SIGTERM);
    EXPECT_TRUE(end->stopped);
    EXPECT_FALSE(end->orphaned);
    EXPECT_TRUE(wait_for_exit(escapee[0], 0));
    EXPECT_TRUE(wait_for_exit(trial[0], 0));
    // The other leg, and what escaped it, run on.
    EXPECT_FALSE(readable(legs[1].end, 0));
    EXPECT_FALSE(wait_for_exit(trial[1], 0));
    EXPECT_FALSE(wait_for_exit(escapee[1], 0));
    ASSERT_TRUE(keeper_->stop(1, 0, true));
    ASSERT_TRUE(readable(legs[1].end, kHangMs));
    EXPECT_EQ(read_leg_end(trial_dir(1).string(), 0)->signal, SIGKILL);
    EXPECT_TRUE(wait_for_exit(escapee[1], 0));
}

TEST_F(KeeperTest, AResumedTunerTakesItsLegsOverThroughItsSocket) {
    start_keeper();
    KeeperLink::Started leg = start_leg(0, write_pid("trial.pid") + "; exec sleep 100000");
    go(leg);
    ASSERT_GT(wait_for_pid_file(0, "trial.pid"), 0);
    EXPECT_FALSE(KeeperLink::connect(keeper_->pid(), keeper_->ticks() + 1));  // another process
    auto resumed = KeeperLink::connect(keeper_->pid(), keeper_->ticks());
    ASSERT_TRUE(resumed);
    auto taken = resumed->adopt(0, 0);
    ASSERT_TRUE(taken);
    auto unknown = resumed->adopt(7, 0);  // no such leg (it ended): closed at once
    ASSERT_TRUE(unknown);
    EXPECT_TRUE(readable(*unknown, kHangMs));
    // The first tuner goes; the keeper stays for its leg, stopped by the second.
    const pid_t pid = keeper_->pid();
    keeper_.reset();
    EXPECT_FALSE(readable(*taken, 0));
    ASSERT_TRUE(resumed->stop(0, 0, true));
    ASSERT_TRUE(readable(*taken, kHangMs));
    EXPECT_TRUE(readable(leg.end, 0));
    EXPECT_EQ(read_leg_end(trial_dir(0).string(), 0)->signal, SIGKILL);
    resumed.reset();
    EXPECT_TRUE(wait_for_exit(pid, kHangMs));
}

TEST_F(KeeperTest, WithoutATunerForOrphanTimeoutItStopsEveryLeg) {
    start_keeper(0.2);  // no tuner holds the run's lock here
    KeeperLink::Started legs[2] = {start_leg(0, "exec sleep 100000"),
                                   start_leg(1, "exec sleep 100000")};
    go(legs[0]);
    go(legs[1]);
    for (TrialId t : {0, 1}) {
        ASSERT_TRUE(readable(legs[t].end, kHangMs));
        const auto end = read_leg_end(trial_dir(t).string(), 0);
        ASSERT_TRUE(end);
        EXPECT_TRUE(end->orphaned);
        EXPECT_EQ(end->signal, SIGTERM);
        EXPECT_NE(read_file(trial_dir(t) / "stderr.log")
                      .find("no tuner for 0.2 s (orphan_timeout): stopping the trial"),
                  std::string::npos);
    }
}

TEST(KeeperLink, AKeeperThatDoesNotAnswerIsNone) {
    std::string problem;
    EXPECT_FALSE(KeeperLink::start({"/bin/true"}, problem));
    EXPECT_NE(problem.find("did not answer"), std::string::npos) << problem;
    const auto other = keeper_command(ASHA_SUPERVISE_EXE, "/tmp", 5, 120);
    std::vector<std::string> wrong = other;
    for (std::size_t i = 0; i + 1 < wrong.size(); ++i)
        if (wrong[i] == "--version-check") wrong[i + 1] = "0.0.0-other";
    EXPECT_FALSE(KeeperLink::start(wrong, problem));  // another version's refuses
}
