// asha-tune resume: a run killed at any moment continues as if it had never stopped.
// The simulated crash test cuts the journal at 25 random bytes (every crash leaves exactly a
// prefix of the journal, possibly with a torn last line) and resumes after each cut; the real
// one SIGKILLs the tuner 25 times while real trial processes run.

#include "asha/journal.hpp"
#include "asha/rng.hpp"
#include "asha/run_reader.hpp"

#include "cli_util.hpp"
#include "scheduler_test_util.hpp"
#include "test_util.hpp"

#include <signal.h>
#include <sys/inotify.h>

#include <map>
#include <set>

using namespace asha;
using namespace asha::test;

namespace {

std::size_t count_events(const fs::path& journal, const std::string& event) {
    std::size_t n = 0;
    for (const auto& r : read_journal(journal).records) n += r["event"] == event;
    return n;
}

/// Copies what a crashed run leaves that matters (config and journal) and nothing derived:
/// the resumes must rebuild results.csv, trials.csv and legs.csv from the journal alone.
void copy_source_of_truth(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    fs::copy_file(from / "metadata.json", to / "metadata.json");
    fs::copy_file(from / "journal.jsonl", to / "journal.jsonl");
}

class SimulatedCrash : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(SimulatedCrash, KilledAt25RandomPointsTheRunEndsIdentical) {
    std::string name = "simcrash";
    for (const auto& arg : GetParam()) name += "-" + arg.substr(arg.rfind('-') + 1);
    fs::path reference = temp_path(name + "-ref"), dir = temp_path(name);
    std::vector<std::string> args = {"simulate", "--config",    "configs/synthetic.json",
                                     "--run-dir", reference.string(), "--quiet"};
    args.insert(args.end(), GetParam().begin(), GetParam().end());
    Outcome ref = asha_tune(args);
    ASSERT_EQ(ref.exit_code, 0) << ref.err;
    copy_source_of_truth(reference, dir);
    std::uintmax_t cut = read_file(dir / "journal.jsonl").find('\n') + 1;  // after the header
    Rng rng(7);
    const int crashes = 25;
    for (int i = 0; i < crashes; ++i) {
        // Spread the cuts over the whole run: each falls in the next stretch of the journal.
        const std::uintmax_t size = fs::file_size(dir / "journal.jsonl");
        const std::uintmax_t stretch = (size - cut) / static_cast<std::uintmax_t>(crashes - i);
        cut += 1 + static_cast<std::uintmax_t>(rng.uniform01() * static_cast<double>(stretch));
        ASSERT_LT(cut, size);
        fs::resize_file(dir / "journal.jsonl", cut);
        Outcome resumed = asha_tune({"resume", dir.string(), "--quiet"});
        ASSERT_EQ(resumed.exit_code, 0) << "resume " << i << " after a cut at byte " << cut
                                        << ":\n"
                                        << resumed.err;
    }
    EXPECT_EQ(count_events(dir / "journal.jsonl", "resume"), static_cast<std::size_t>(crashes));
    // Same reports in the same order, same decisions, same trial ids and configs, same times.
    for (const char* file : {"results.csv", "trials.csv", "legs.csv"})
        EXPECT_EQ(read_file(dir / file), read_file(reference / file)) << file;
    json best = json::parse(read_file(dir / "best.json")),
         best_ref = json::parse(read_file(reference / "best.json"));
    best.erase("trial_dir");
    best_ref.erase("trial_dir");
    EXPECT_EQ(best, best_ref);
    EXPECT_GT(read_file(dir / "results.csv").size(), 10000u);
}

INSTANTIATE_TEST_SUITE_P(
    Schedulers, SimulatedCrash,
    ::testing::Values(
        std::vector<std::string>{"--max-trials", "300"},
        std::vector<std::string>{"--max-trials", "300", "--variant", "promotion"},
        std::vector<std::string>{"--max-trials", "300", "--scheduler", "hyperband"},
        std::vector<std::string>{"--max-trials", "300", "--scheduler", "hyperband", "--variant",
                                 "promotion"},
        std::vector<std::string>{"--max-trials", "300", "--scheduler", "sync_sh"},
        std::vector<std::string>{"--max-trials", "100", "--scheduler", "fifo"},
        // Ends by time: the end of the run (stopping every running trial) is cut too.
        std::vector<std::string>{"--max-wallclock-time", "300"}));

}  // namespace
