// A tuner never aborts: SIGTERM or SIGINT at random instants of its start-up, of a resume, of
// the steady state and of its shutdown always ends it with exit code 128 + N, a journal that is
// intact (no torn record) and a run that `--resume` then finishes. Under ASan + UBSan (the test
// command's second build) this is also a hunt for memory errors on every one of those paths.

#include "asha/rng.hpp"
#include "run/journal.hpp"
#include "run/run_reader.hpp"

#include "cli_util.hpp"

#include <signal.h>
#include <sys/wait.h>

using namespace asha;
using namespace asha::test;

namespace {

json small_run() {
    return json::parse(R"({
      "name": "signals",
      "command": ["/bin/sh", "tests/trials/reporter.sh"],
      "config_space": {"quality": {"type": "uniform", "lower": 0.0, "upper": 1.0}, "max_epochs": 3,
                       "delay": 0.05},
      "metric": "validation_error", "max_resource_attr": "max_epochs",
      "scheduler": {"grace_period": 1, "reduction_factor": 3},
      "stop": {"max_num_trials_started": 4}, "workers": 2, "gpus": "none",
      "stop_grace_period": 1
    })");
}

/// Sends `sig` at an instant where the tuner is provably alive: it is stopped first (SIGSTOP
/// cannot be caught), seen stopped (or gone), then signalled and continued. Returns false if it
/// had already exited.
bool signal_while_alive(const BackgroundTuner& tuner, int sig) {
    ::kill(tuner.pid(), SIGSTOP);
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(tuner.pid()), &info, WSTOPPED | WEXITED | WNOWAIT) !=
               0 &&
           errno == EINTR) {
    }
    if (info.si_code != CLD_STOPPED) return false;
    ::kill(tuner.pid(), sig);
    ::kill(tuner.pid(), SIGCONT);
    return true;
}

/// Waits up to `ms` milliseconds or until the tuner exits.
void pause_ms(const BackgroundTuner& tuner, int ms) {
    pollfd p{tuner.pidfd(), POLLIN, 0};
    ::poll(&p, 1, ms);
}

bool has_record(const std::string& text, const std::string& event) {
    return text.find("{\"event\":\"" + event + "\"") != std::string::npos;
}

enum class Phase { start_up, resume, steady_state, shutdown };

class Signals : public ::testing::TestWithParam<Phase> {};

TEST_P(Signals, TermOrIntAtRandomInstantsEndsCleanlyAndTheRunResumes) {
    const Phase phase = GetParam();
    Rng rng(17 + static_cast<std::uint64_t>(phase));
    const std::string config = write_config("signals", small_run());
    int signalled = 0;
    for (int i = 0; i < 8; ++i) {
        const int sig = rng.uniform01() < 0.5 ? SIGTERM : SIGINT;
        const fs::path dir = temp_path("signals-" + std::to_string(i));
        const fs::path journal = dir / "journal.jsonl";
        const std::vector<std::string> fresh = {"--config", config, "--run-dir", dir.string(),
                                                "--quiet"};
        if (phase == Phase::resume) {  // a run whose tuner died mid-way
            BackgroundTuner first(fresh);
            ASSERT_TRUE(wait_for_journal(journal, 1 + static_cast<std::size_t>(rng.uniform01() * 4),
                                         first.pidfd()));
            first.signal(SIGKILL);
            ASSERT_EQ(first.wait(), 128 + SIGKILL);
        }
        BackgroundTuner tuner(phase == Phase::resume
                                  ? std::vector<std::string>{"resume", dir.string(), "--quiet"}
                                  : fresh);
        switch (phase) {
            case Phase::start_up:
            case Phase::resume:
                pause_ms(tuner, static_cast<int>(rng.uniform01() * 60));
                break;
            case Phase::steady_state:
                ASSERT_TRUE(wait_for_journal(
                    journal, 1 + static_cast<std::size_t>(rng.uniform01() * 8), tuner.pidfd()));
                break;
            case Phase::shutdown: {
                const char* event = rng.uniform01() < 0.5 ? "end" : "finished";
                wait_for_journal(
                    journal, [&](const std::string& text) { return has_record(text, event); },
                    tuner.pidfd());
                break;
            }
        }
        const bool alive = signal_while_alive(tuner, sig);
        signalled += alive;
        const int code = tuner.wait();
        SCOPED_TRACE("round " + std::to_string(i) + ", signal " + std::to_string(sig));
        EXPECT_EQ(code, alive ? 128 + sig : 0);
        if (fs::exists(dir)) {
            // Nothing exists before the tuner can handle signals; once it does, it ends cleanly.
            JournalContents contents = read_journal(journal);
            EXPECT_EQ(contents.torn_bytes, 0u);
        }
        Outcome resumed =
            asha_tune({"--config", config, "--run-dir", dir.string(), "--resume", "--quiet"});
        ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
        RunData run = read_run(dir);
        EXPECT_EQ(run.trials.size(), 4u);
        for (const auto& t : run.trials) EXPECT_NE(t.status, TrialStatus::in_progress);
        EXPECT_EQ(json::parse(read_file(dir / "summary.json"))["stop_reason"],
                  "reached max_num_trials_started (4)");
        if (HasFatalFailure()) return;
    }
    if (phase != Phase::shutdown) {
        EXPECT_EQ(signalled, 8);
    }
}

std::string phase_name(const ::testing::TestParamInfo<Phase>& param) {
    switch (param.param) {
        case Phase::start_up:
            return "StartUp";
        case Phase::resume:
            return "Resume";
        case Phase::steady_state:
            return "SteadyState";
        case Phase::shutdown:
            return "Shutdown";
    }
    return "Unknown";
}

INSTANTIATE_TEST_SUITE_P(Phases, Signals,
                         ::testing::Values(Phase::start_up, Phase::resume, Phase::steady_state,
                                           Phase::shutdown),
                         phase_name);

}  // namespace
