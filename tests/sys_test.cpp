// The lowest layer (src/sys/) on its own: the supervisor's record codec, /proc parsing, atomic
// replacement, record locks, and spawning in a group or a session of its own, with real
// processes where the behaviour is the kernel's; and what sits on it: the supervisor program
// and a local leg's handle.

#include "asha/run_files.hpp"
#include "backends/local_launcher.hpp"
#include "supervisor/supervisor.hpp"
#include "sys/atomic_file.hpp"
#include "sys/fd.hpp"
#include "sys/leg_records.hpp"
#include "sys/proc.hpp"
#include "sys/record_lock.hpp"
#include "sys/spawn.hpp"

#include "cli_util.hpp"
#include "test_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

using namespace asha;
using namespace asha::test;

namespace {

/// Waits for child `pid`; its exit status (-N: killed by signal N).
int reap(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace

TEST(LegRecords, RoundTrip) {
    const LegRun run{2, 4242, 987654321ULL, 4243};
    EXPECT_EQ(encode_leg_run(run),
              "{\"leg\":2,\"supervisor\":4242,\"ticks\":987654321,\"trial\":4243}\n");
    const auto back = decode_leg_run(encode_leg_run(run));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->leg, 2);
    EXPECT_EQ(back->supervisor, 4242);
    EXPECT_EQ(back->ticks, 987654321ULL);
    EXPECT_EQ(back->trial, 4243);

    const SupervisedExit end{1, 3, 0, true, false};
    EXPECT_EQ(encode_leg_end(end),
              "{\"leg\":1,\"exit_code\":3,\"signal\":0,\"stopped\":true,\"orphaned\":false}\n");
    const auto e = decode_leg_end(encode_leg_end(end));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->leg, 1);
    EXPECT_EQ(e->exit_code, 3);
    EXPECT_EQ(e->signal, 0);
    EXPECT_TRUE(e->stopped);
    EXPECT_FALSE(e->orphaned);
    const auto killed = decode_leg_end(encode_leg_end({0, 0, 9, false, true}));
    ASSERT_TRUE(killed);
    EXPECT_EQ(killed->signal, 9);
    EXPECT_TRUE(killed->orphaned);
}

// What the previous asha-tune wrote (nlohmann's compact dump) reads the same.
TEST(LegRecords, ReadsThePreviousWriters) {
    const auto run = decode_leg_run("{\"leg\":0,\"supervisor\":77,\"ticks\":5,\"trial\":78}\n");
    ASSERT_TRUE(run);
    EXPECT_EQ(run->supervisor, 77);
    EXPECT_EQ(run->ticks, 5ULL);
}

// A record caught half-written (only a resume can) is no record at all.
TEST(LegRecords, APartIsNothing) {
    const std::string whole = encode_leg_run({0, 4242, 99, 4243});
    for (std::size_t n = 0; n + 1 < whole.size(); ++n)
        EXPECT_FALSE(decode_leg_run(whole.substr(0, n))) << whole.substr(0, n);
    const std::string end = encode_leg_end({0, 0, 15, true, false});
    for (std::size_t n = 0; n + 1 < end.size(); ++n)
        EXPECT_FALSE(decode_leg_end(end.substr(0, n))) << end.substr(0, n);
    for (const char* bad :
         {"", "{}", "garbage", "{\"supervisor\":1,\"ticks\":5}", "{\"supervisor\":x,\"ticks\":5}"})
        EXPECT_FALSE(decode_leg_run(bad)) << bad;
}

TEST(LegRecords, WrittenAndReadInATrialDirectory) {
    const fs::path dir = temp_path("leg-records");
    fs::create_directories(dir);
    const std::string path = leg_records_path(dir.string(), 3);
    EXPECT_EQ(path, (dir / "leg-3.jsonl").string());
    EXPECT_FALSE(read_leg_run(dir.string(), 3));
    EXPECT_FALSE(read_leg_end(dir.string(), 3));
    // One file, created by the first record and kept open for the second.
    Fd file;
    EXPECT_EQ(append_leg_record(file, path, encode_leg_run({3, 42, 7, 43})), "");
    EXPECT_TRUE(file.valid());
    const auto run = read_leg_run(dir.string(), 3);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->trial, 43);
    EXPECT_FALSE(read_leg_end(dir.string(), 3));  // a run record is no end
    EXPECT_EQ(append_leg_record(file, path, encode_leg_end({3, 1, 0, true, false})), "");
    const auto end = read_leg_end(dir.string(), 3);
    ASSERT_TRUE(end);
    EXPECT_EQ(end->exit_code, 1);
    EXPECT_TRUE(end->stopped);
    EXPECT_TRUE(read_leg_run(dir.string(), 3));
    EXPECT_EQ(read_file(path),
              encode_leg_run({3, 42, 7, 43}) + encode_leg_end({3, 1, 0, true, false}));
    // An end record half-written is no end yet.
    const std::string whole = encode_leg_end({4, 0, 0, false, false});
    Fd torn;
    EXPECT_EQ(append_leg_record(torn, leg_records_path(dir.string(), 4),
                                encode_leg_run({4, 42, 7, 43}) + whole.substr(0, whole.size() / 2)),
              "");
    EXPECT_TRUE(read_leg_run(dir.string(), 4));
    EXPECT_FALSE(read_leg_end(dir.string(), 4));
    // A trial that never started: the end alone.
    Fd only_end;
    EXPECT_EQ(append_leg_record(only_end, leg_records_path(dir.string(), 5),
                                encode_leg_end({5, 127, 0, false, false})),
              "");
    EXPECT_FALSE(read_leg_run(dir.string(), 5));
    EXPECT_EQ(read_leg_end(dir.string(), 5)->exit_code, 127);
    // An earlier build's files (one per record) are read where a leg has no records file, and
    // removed with the leg's records.
    std::ofstream(dir / "leg-6.run") << encode_leg_run({6, 50, 8, 51});
    std::ofstream(dir / "leg-6.exit") << encode_leg_end({6, 2, 0, false, true});
    EXPECT_EQ(read_leg_run(dir.string(), 6)->supervisor, 50);
    EXPECT_TRUE(read_leg_end(dir.string(), 6)->orphaned);
    remove_leg_records(dir.string(), 6);
    remove_leg_records(dir.string(), 3);
    EXPECT_FALSE(fs::exists(dir / "leg-6.run") || fs::exists(dir / "leg-6.exit") ||
                 fs::exists(path));
    Fd missing;
    const std::string error = append_leg_record(missing, (dir / "missing" / "leg-0.jsonl").string(),
                                                encode_leg_run({0, 2, 3, 4}));
    EXPECT_EQ(error, "cannot write " + (dir / "missing" / "leg-0.jsonl").string() +
                         ": No such file or directory");
}

TEST(Proc, ParsesPidListsAndItsOwnStat) {
    EXPECT_EQ(parse_pid_list("12 345 6789\n"), (std::vector<pid_t>{12, 345, 6789}));
    EXPECT_EQ(parse_pid_list(""), std::vector<pid_t>{});
    const auto self = proc_stat(::getpid());
    ASSERT_TRUE(self);
    EXPECT_EQ(self->pgrp, ::getpgrp());
    EXPECT_EQ(self->session, ::getsid(0));
    EXPECT_GT(self->start_ticks, 0ULL);
    EXPECT_EQ(process_start_ticks(::getpid()), self->start_ticks);
    EXPECT_FALSE(read_proc_file(0, "stat"));  // no process 0 in /proc
}

// A command whose name holds spaces and parentheses: the fields are counted from the last ')'.
TEST(Proc, StatOfACommandWithParenthesesInItsName) {
    const fs::path dir = temp_path("proc-name");
    fs::create_directories(dir);
    const fs::path script = dir / "a) (b";
    fs::copy_file("/bin/sleep", script);
    SpawnRequest r;
    r.argv = {script.string(), "30"};
    r.group = SpawnRequest::Group::group;
    const pid_t pid = spawn_process(r);
    const auto st = proc_stat(pid);
    ::kill(pid, SIGKILL);
    EXPECT_EQ(reap(pid), -SIGKILL);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->pgrp, pid);             // a group of its own
    EXPECT_EQ(st->session, ::getsid(0));  // in our session
    EXPECT_FALSE(proc_stat(pid));         // reaped: gone
}

TEST(Spawn, ASessionOfItsOwnAndTheGivenDescriptors) {
    const fs::path dir = temp_path("spawn");
    fs::create_directories(dir);
    Fd out(::open((dir / "out").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    SpawnRequest r;
    // Field 6 of its own /proc stat is its session ("sh" has no space in its name).
    r.argv = {"/bin/sh", "-c", "echo \"$(cut -d' ' -f6 /proc/$$/stat) $$ $X\"; pwd; echo err >&2"};
    r.env = {"X=given", "PATH=/usr/bin:/bin"};
    r.cwd = dir.string();
    r.stdout_fd = out.get();
    r.stderr_fd = out.get();
    const pid_t pid = spawn_process(r);
    EXPECT_EQ(reap(pid), 0);
    std::istringstream lines(read_file(dir / "out"));
    long sid = 0, self = 0;
    std::string x, cwd, err;
    lines >> sid >> self >> x >> cwd >> err;
    EXPECT_EQ(sid, self);  // it leads a session of its own
    EXPECT_EQ(x, "given");
    EXPECT_EQ(fs::path(cwd), fs::canonical(dir));
    EXPECT_EQ(err, "err");
}

TEST(Spawn, AMissingCommandIsAnError) {
    SpawnRequest r;
    r.argv = {"/nonexistent/command"};
    try {
        spawn_process(r);
        ADD_FAILURE() << "no error";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT);
    }
}

TEST(AtomicFile, ReplacesWholeAndSaysWhatFailed) {
    const fs::path dir = temp_path("atomic");
    fs::create_directories(dir);
    const std::string path = (dir / "f.json").string();
    EXPECT_EQ(write_atomically(path, "one\n"), "");
    EXPECT_EQ(write_atomically(path, "two\n", true), "");
    EXPECT_EQ(read_file(path), "two\n");
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    const std::string missing = (dir / "no" / "f").string();
    EXPECT_EQ(write_atomically(missing, "x"),
              "cannot write " + missing + ".tmp: No such file or directory");
}

// A record lock is held by one process; another process sees who holds it. (Within one
// process a second lock never conflicts, so the other side is a child.)
TEST(RecordLock, AnotherProcessSeesTheHolder) {
    const fs::path path = temp_path("record-lock");
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_TRUE(fd.valid());
    ASSERT_TRUE(try_write_lock(fd.get()));
    const pid_t child = ::fork();
    if (child == 0) {
        const int other = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
        const bool seen = record_lock_holder(other, F_RDLCK) == ::getppid();
        const bool refused = !try_write_lock(other) && (errno == EAGAIN || errno == EACCES);
        ::_exit(seen && refused ? 0 : 1);
    }
    EXPECT_EQ(reap(child), 0);
}

// The supervisor (which includes nothing above sys/) names the run's lock file as the run does.
TEST(Supervisor, NamesTheRunFilesAsTheRunDoes) {
    EXPECT_STREQ(kRunLockFile, run_files::tuner_pid);
    const auto argv = supervisor_command("/opt/x/libexec/asha-tune/asha-supervise",
                                         {"/r", "/r/trials/3", 1, 0.5, 7, "", {"python3", "t.py"}});
    const std::vector<std::string> expected = {"/opt/x/libexec/asha-tune/asha-supervise",
                                               "--version-check",
                                               ASHA_VERSION,
                                               "--run-dir",
                                               "/r",
                                               "--trial-dir",
                                               "/r/trials/3",
                                               "--leg",
                                               "1",
                                               "--grace",
                                               "0.5",
                                               "--orphan-timeout",
                                               "7",
                                               "--",
                                               "python3",
                                               "t.py"};
    EXPECT_EQ(argv, expected);
    // asha-tune itself: its hidden mode is named first.
    EXPECT_EQ(supervisor_command("/usr/bin/asha-tune", {"/r", "/t", 0, 5, 120, "/w", {"x"}}).at(1),
              kSuperviseMode);
}

// A supervisor of another version refuses to start: a stale asha-supervise beside a newer
// asha-tune would otherwise speak another protocol.
TEST(Supervisor, OfAnotherVersionRefuses) {
    const fs::path dir = temp_path("supervisor-version");
    fs::create_directories(dir);
    Fd err(::open((dir / "err").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    SpawnRequest r;
    r.argv = {ASHA_SUPERVISE_EXE, "--version-check", "0.0.0-other", "--run-dir", dir.string(),
              "--trial-dir",      dir.string(),      "--",          "/bin/true"};
    r.stderr_fd = err.get();
    EXPECT_EQ(reap(spawn_process(r)), 2);
    EXPECT_EQ(read_file(dir / "err"),
              "asha-supervise: it is version " ASHA_VERSION
              ", asked for by version 0.0.0-other (install asha-tune and asha-supervise together) "
              "(it is started by asha-tune, one per trial leg; see README \"Reliability\")\n");
}

// asha-tune starts each local leg under the small asha-supervise that lies beside it, not under
// a copy of itself: the run's keeper, or with ASHA_TUNE_SUPERVISOR_PER_LEG=1 a supervisor of the
// leg's own (what a run falls back to where no keeper answers). The handle says which.
class SupervisedLeg : public ::testing::TestWithParam<bool> {};

TEST_P(SupervisedLeg, RunsUnderTheSmallProgramBesideAshaTune) {
    const bool per_leg = GetParam();
    const fs::path dir = temp_path("supervisor-program");
    json doc = json::parse(R"({
      "name": "supervised", "config_space": {"max_epochs": 1000000},
      "metric": "validation_error", "max_resource_attr": "max_epochs",
      "stop": {"max_num_trials_started": 1}, "workers": 1, "gpus": "none"
    })");
    doc["command"] = json::array({"/bin/sh", "tests/trials/chatty.sh"});
    BackgroundTuner tuner(
        {"--config", write_config("supervised", doc), "--run-dir", dir.string(), "--quiet"},
        {per_leg ? "ASHA_TUNE_SUPERVISOR_PER_LEG=1" : "ASHA_TUNE_SUPERVISOR_PER_LEG="});
    ASSERT_TRUE(wait_for_journal(
        dir / "journal.jsonl",
        [](const std::string& text) {
            return text.find("\"event\":\"report\"") != std::string::npos;
        },
        tuner.pidfd()));
    // The trial runs (it has reported); its supervisor records itself once the spawn returned,
    // which may be after the report: wait for that record.
    const fs::path record = dir / "trials" / "0" / "leg-0.jsonl";
    ASSERT_TRUE(wait_for_journal(
        record,
        [&](const std::string&) { return read_leg_run(record.parent_path(), 0).has_value(); },
        tuner.pidfd()));
    const auto run = read_leg_run((dir / "trials" / "0").string(), 0);
    ASSERT_TRUE(run);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/" + std::to_string(run->supervisor) + "/exe", ec);
    const std::string handle = (per_leg ? "supervisor " : "keeper ") +
                               std::to_string(run->supervisor) + " " + std::to_string(run->ticks);
    EXPECT_NE(read_file(dir / "journal.jsonl").find("\"handle\":\"" + handle + "\""),
              std::string::npos)
        << handle;
    tuner.signal(SIGTERM);
    EXPECT_EQ(tuner.wait(), 143);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(exe, fs::canonical(ASHA_SUPERVISE_EXE));
}

INSTANTIATE_TEST_SUITE_P(KeeperOrPerLeg, SupervisedLeg, ::testing::Values(false, true),
                         [](const auto& param_info) {
                             return param_info.param ? "PerLeg" : "Keeper";
                         });

// A local leg's handle, as the journal keeps it: one encoding, read back the same, and the
// handles of asha-tune 0.1 still read.
TEST(LocalHandle, RoundTrip) {
    const LocalHandle h{4242, 987654321ULL, 0, false};
    EXPECT_EQ(h.encode(), "supervisor 4242 987654321");
    const auto kept = LocalHandle::decode("keeper 4242 987654321");
    ASSERT_TRUE(kept);
    EXPECT_TRUE(kept->keeper);
    EXPECT_EQ(kept->supervisor, 4242);
    EXPECT_EQ(kept->encode(), "keeper 4242 987654321");
    const auto back = LocalHandle::decode(h.encode());
    ASSERT_TRUE(back);
    EXPECT_EQ(back->supervisor, 4242);
    EXPECT_EQ(back->ticks, 987654321ULL);
    EXPECT_EQ(back->group, 0);
    const auto old = LocalHandle::decode("pgid 77");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->group, 77);
    EXPECT_EQ(old->supervisor, 0);
    EXPECT_EQ(old->encode(), "pgid 77");
    for (const char* other : {"", "supervisor", "supervisor 12", "supervisor 1 5", "pgid x",
                              "slurm asha-x-0", "supervisor 12 34 56", "keeper 12", "keeper 1 5"})
        EXPECT_FALSE(LocalHandle::decode(other)) << other;
}

// What a resume does with a leg that ended while no tuner ran, by its recorded end: an end is
// taken as it is, unless the leg was stopped and the journal holds no stop of it (for want of a
// tuner, or by a tuner that was ending on an error): then it runs again. A leg whose end was
// forgotten (it ended while the disk was full) runs again too.
TEST(LocalLauncher, TakesARecordedEndUnlessNothingDecidedTheStop) {
    const fs::path run_dir = temp_path("adopt-ended");
    const fs::path trial_dir = run_dir / "trials" / "0";
    fs::create_directories(trial_dir);
    LocalLauncherOptions options;
    options.run_dir = run_dir;
    options.supervisor = ASHA_SUPERVISE_EXE;
    LocalLauncher launcher(options);
    TrialProcess process(1024);  // trial 0, leg 0
    process.trial_dir = trial_dir;
    const auto adopts = [&](const SupervisedExit& end, bool journaled_stop) {
        remove_leg_records(trial_dir.string(), 0);
        Fd file;
        EXPECT_EQ(append_leg_record(file, leg_records_path(trial_dir.string(), 0),
                                    encode_leg_run({0, 4242, 1, 4243}) + encode_leg_end(end)),
                  "");
        LegProgress progress;
        progress.stopping = journaled_stop;
        progress.handle = "supervisor 4242 1";
        return launcher.adopt(progress, process);
    };
    EXPECT_TRUE(adopts({0, 0, 0, false, false}, false));        // ended by itself
    EXPECT_TRUE(adopts({0, 3, 0, false, false}, false));        // failed by itself
    EXPECT_TRUE(adopts({0, 0, SIGKILL, true, false}, true));    // the stop the journal holds
    EXPECT_FALSE(adopts({0, 0, SIGKILL, true, false}, false));  // killed by a dying tuner
    EXPECT_FALSE(adopts({0, 0, SIGTERM, true, true}, false));   // no tuner: orphan_timeout
    EXPECT_TRUE(adopts({0, 0, SIGTERM, true, true}, true));
    // Forgotten (the disk was full when it ended): nothing on record, no supervisor at work.
    ASSERT_TRUE(adopts({0, 0, 0, false, false}, false));
    launcher.forget_end(process);
    EXPECT_FALSE(fs::exists(leg_records_path(trial_dir.string(), 0)));
    EXPECT_FALSE(launcher.adopt(LegProgress{}, process));
}
