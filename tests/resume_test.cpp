// asha-tune resume: a run killed at any moment continues as if it had never stopped.
// The simulated crash test cuts the journal at 25 random bytes (every crash leaves exactly a
// prefix of the journal, possibly with a torn last line) and resumes after each cut; the real
// one SIGKILLs the tuner 25 times while real trial processes run.

#include "asha/experiment.hpp"
#include "asha/rng.hpp"
#include "policy/stopping_rule.hpp"
#include "run/journal.hpp"
#include "run/run_lock.hpp"
#include "run/run_reader.hpp"

#include "cli_util.hpp"
#include "scheduler_test_util.hpp"
#include "test_util.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

using namespace asha;
using namespace asha::test;

namespace {

template <typename Record>
std::size_t count_records(const fs::path& journal) {
    std::size_t n = 0;
    JournalContents contents = read_journal(journal);
    for (std::size_t i = 0; i < contents.size(); ++i)
        n += std::holds_alternative<Record>(contents.record(i));
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
    // A parameter list may start with the config to run (else configs/synthetic.json).
    std::vector<std::string> params = GetParam();
    std::string config = "configs/synthetic.json";
    if (!params.empty() && params[0].starts_with("configs/")) {
        config = params[0];
        params.erase(params.begin());
    }
    std::string name = "simcrash-" + fs::path(config).stem().string();
    for (const auto& arg : params) name += "-" + arg.substr(arg.rfind('-') + 1);
    fs::path reference = temp_path(name + "-ref"), dir = temp_path(name);
    std::vector<std::string> args = {"simulate",  "--config",         config,
                                     "--run-dir", reference.string(), "--quiet"};
    args.insert(args.end(), params.begin(), params.end());
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
        ASSERT_EQ(resumed.exit_code, 0) << "resume " << i << " after a cut at byte " << cut << ":\n"
                                        << resumed.err;
    }
    EXPECT_EQ(count_records<ResumeRecord>(dir / "journal.jsonl"),
              static_cast<std::size_t>(crashes));
    // Same reports in the same order, same decisions, same trial ids and configs, same times.
    for (const char* file : {"results.csv", "trials.csv", "legs.csv"})
        EXPECT_EQ(read_file(dir / file), read_file(reference / file)) << file;
    // best.json, or for several objectives the front (pareto.json).
    const char* answer = fs::exists(reference / "pareto.json") ? "pareto.json" : "best.json";
    json best = json::parse(read_file(dir / answer)),
         best_ref = json::parse(read_file(reference / answer));
    const auto without_dirs = [](json& doc) {
        doc.erase("trial_dir");
        if (doc.contains("front"))
            for (json& point : doc["front"]) point.erase("trial_dir");
    };
    without_dirs(best);
    without_dirs(best_ref);
    EXPECT_EQ(best, best_ref) << answer;
    EXPECT_GT(read_file(dir / "results.csv").size(), 10000u);
    // PASHA: the same raises of its top rung, at the same reports.
    if (std::find(params.begin(), params.end(), "pasha") != params.end()) {
        const RunData run = read_run(dir);
        const TopRungState top = read_top_rung(dir / "journal.jsonl", run.config),
                           top_ref = read_top_rung(reference / "journal.jsonl", run.config);
        EXPECT_GT(top_ref.raises, 0u);
        EXPECT_EQ(top.raises, top_ref.raises);
        EXPECT_EQ(top.level, top_ref.level);
        EXPECT_EQ(top.since, top_ref.since);
        EXPECT_EQ(top.epsilon, top_ref.epsilon);
    }
}

std::string marker_of(const fs::path& dir) {
    return "ASHA_RUN_DIR=" + fs::weakly_canonical(dir).string();
}

/// Processes whose environment carries the run's marker (its trials and their descendants).
std::vector<pid_t> marked_processes(const std::string& marker) {
    std::vector<pid_t> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string stat = read_file(entry.path() / "stat");
        if (stat.empty() || stat.find(") Z") != std::string::npos) continue;  // gone / zombie
        std::ifstream in(entry.path() / "environ", std::ios::binary);
        for (std::string var; std::getline(in, var, '\0');)
            if (var == marker) found.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return found;
}

json restarter_document() {
    return json::parse(R"({
      "name": "crash",
      "command": ["/bin/sh", "tests/trials/restarter.sh"],
      "config_space": {"quality": {"type": "uniform", "lower": 0.0, "upper": 1.0}, "max_epochs": 9},
      "metric": "validation_error", "max_resource_attr": "max_epochs",
      "scheduler": {"grace_period": 1, "reduction_factor": 3},
      "stop": {"max_num_trials_started": 16}, "workers": 2, "gpus": "none",
      "stop_grace_period": 1
    })");
}

/// restarter_document() with gated.sh: a run that ends only on the test's "f" token.
json gated_document(const fs::path& gate) {
    json doc = restarter_document();
    doc["command"] = json::array({"/bin/sh", "tests/trials/gated.sh"});
    doc["stop"] = {{"min_metric_value", 0}};
    doc["env"] = {{"ASHA_TEST_GATE", gate.string()}};
    return doc;
}

/// Checks every promotion of a run of ASHA's promotion variant (one bracket) against a
/// brute-force version of the paper's rule, replaying the journal's records in order: a report
/// that reaches its leg's milestone below max_t pauses the trial and records its value at that
/// rung; a leg that then ends at its milestone makes the trial promotable there. When a worker
/// is free, the best promotable trial of the highest rung that ranks in the top
/// floor(n / eta) of the values recorded there is promoted; only when no rung has one does a
/// new trial start. Returns the number of promotions.
std::size_t check_promotions(const JournalContents& journal, const std::vector<double>& levels,
                             double max_t, double eta) {
    std::vector<std::vector<double>> recorded(levels.size());
    std::vector<std::set<std::pair<double, TrialId>>> promotable(levels.size());
    std::map<TrialId, std::size_t> paused_at;  // the rung of the trial's PAUSE in this leg
    std::map<TrialId, double> paused_value, last_resource, milestone;
    auto due = [&]() -> std::optional<std::pair<TrialId, std::size_t>> {
        for (std::size_t k = levels.size(); k-- > 0;) {
            if (promotable[k].empty()) continue;
            const auto [value, trial] = *promotable[k].begin();
            const auto better = static_cast<std::size_t>(std::count_if(
                recorded[k].begin(), recorded[k].end(), [v = value](double x) { return x < v; }));
            const auto top =
                static_cast<std::size_t>(std::floor(static_cast<double>(recorded[k].size()) / eta));
            if (better < top) return std::pair{trial, k};
        }
        return std::nullopt;
    };
    std::size_t promotions = 0;
    for (std::size_t i = 0; i < journal.size(); ++i) {
        const JournalRecord record = journal.record(i);
        if (std::holds_alternative<EndRecord>(record)) break;  // the end stops every trial
        if (const auto* r = std::get_if<StartRecord>(&record)) {
            const auto promotion = due();
            if (r->kind == LaunchKind::promote) {
                EXPECT_TRUE(promotion && promotion->first == r->trial)
                    << "trial " << r->trial << " promoted; the rule promotes "
                    << (promotion ? std::to_string(promotion->first) : "none");
                if (promotion && promotion->first == r->trial) {
                    promotable[promotion->second].erase(promotable[promotion->second].begin());
                    ++promotions;
                }
            } else if (r->kind == LaunchKind::new_trial) {
                EXPECT_FALSE(promotion) << "trial " << r->trial << " started new while trial "
                                        << promotion->first << " was due for promotion";
            }
            milestone[r->trial] = r->milestone;
            paused_at.erase(r->trial);
        } else if (const auto* report = std::get_if<ReportRecord>(&record)) {
            const TrialId t = report->trial;
            last_resource[t] = report->resource;
            const bool reaches = report->resource >= milestone[t] && report->resource < max_t;
            const Decision expected =
                paused_at.count(t) || reaches ? Decision::pause : Decision::proceed;
            EXPECT_EQ(report->decision, expected) << "trial " << t << " at " << report->resource;
            if (reaches && !paused_at.count(t)) {
                std::size_t k = 0;
                while (k + 1 < levels.size() && levels[k + 1] <= report->resource) ++k;
                paused_at[t] = k;
                paused_value[t] = badness(report->metric, false);
                recorded[k].push_back(paused_value[t]);
            }
        } else if (const auto* exit = std::get_if<ExitRecord>(&record)) {
            auto at = paused_at.find(exit->trial);
            if (at != paused_at.end() && last_resource[exit->trial] >= milestone[exit->trial])
                promotable[at->second].insert({paused_value[exit->trial], exit->trial});
            if (at != paused_at.end()) paused_at.erase(at);
        }
    }
    return promotions;
}

/// Expects the run's derived files to say what its journal says: results.csv holds its reports
/// in order, legs.csv one row per ended leg, trials.csv one row per trial started.
void expect_files_match_journal(const fs::path& dir) {
    const JournalContents journal = read_journal(dir / "journal.jsonl");
    std::vector<std::tuple<TrialId, double, double>> reports;
    std::size_t exits = 0, trials = 0;
    for (std::size_t i = 0; i < journal.size(); ++i) {
        const JournalRecord record = journal.record(i);
        if (const auto* r = std::get_if<ReportRecord>(&record))
            reports.emplace_back(r->trial, r->resource, r->metric);
        exits += std::holds_alternative<ExitRecord>(record);
        if (const auto* r = std::get_if<StartRecord>(&record))
            trials += r->kind == LaunchKind::new_trial;
    }
    const RunData run = read_run(dir);
    std::vector<std::tuple<TrialId, double, double>> rows;
    for (const auto& r : run.results) rows.emplace_back(r.trial, r.resource, r.metric);
    EXPECT_EQ(rows, reports) << "results.csv and the journal disagree";
    EXPECT_EQ(
        std::count_if(run.legs.begin(), run.legs.end(), [](const LegRow& l) { return !l.running; }),
        static_cast<std::ptrdiff_t>(exits));
    EXPECT_EQ(run.trials.size(), trials);
}

/// A real crash test's setting: the scheduler's variant and the trial script.
struct CrashSetting {
    const char* variant;  ///< "stopping" or "promotion"
    const char* script;   ///< tests/trials/gated.sh (no checkpoint) or gated_checkpoint.sh
    const char* searcher = "random";
};

class RealCrash : public ::testing::TestWithParam<CrashSetting> {};

// The real crash test: the tuner is SIGKILLed 25 times while trials run, each time after 1 to
// 3 more journal records, and resumed each time. The trials (gated.sh, gated_checkpoint.sh)
// only make progress on tokens the test gives, and the run only ends when the test gives the
// token that ends it, so the 25 kills happen whatever the machine's speed or the scheduling.
// The trials outlive each killed tuner and every resume takes them over where they are: every
// epoch a trial printed is recorded exactly once with the value it printed (unless it came
// after the trial was told to stop), no trial fails, no trial restarts, nothing is left, and
// every decision is the rule's.
TEST_P(RealCrash, Killed25TimesLosesNothingAndDecidesTheSame) {
    const CrashSetting setting = GetParam();
    const std::string name = std::string("realcrash-") + setting.variant + "-" +
                             fs::path(setting.script).stem().string() + "-" + setting.searcher;
    fs::path dir = temp_path(name);
    const Gate gate(temp_path(name + "-gate"));
    json doc = gated_document(gate.path());
    doc["command"] = json::array({"/bin/sh", setting.script});
    doc["scheduler"]["variant"] = setting.variant;
    doc["searcher"] = setting.searcher;
    const std::string config = write_config(name, doc);
    const fs::path journal = dir / "journal.jsonl";
    Rng rng(11);
    for (int kills = 0; kills <= 25; ++kills) {
        BackgroundTuner tuner(
            kills == 0
                ? std::vector<std::string>{"--config", config, "--run-dir", dir.string(), "--quiet"}
                : std::vector<std::string>{"resume", dir.string(), "--quiet"});
        if (kills == 25) {  // the last tuner runs to the end, which the "f" token brings
            ASSERT_TRUE(drive(gate, 'f', journal, tuner, [](const std::string& text) {
                return text.find("{\"event\":\"finished\"") != std::string::npos;
            })) << "the run did not end";
            ASSERT_EQ(tuner.wait(), 0);
            break;
        }
        // Counted while no tuner writes: the same whatever the test's own speed.
        const std::size_t target = progress_records(read_file(journal)) + 1 +
                                   static_cast<std::size_t>(rng.uniform01() * 3);
        ASSERT_TRUE(
            drive(gate, 'g', journal, tuner,
                  [&](const std::string& text) { return progress_records(text) >= target; }))
            << "the tuner exited (or hung) before kill " << kills + 1;
        tuner.signal(SIGKILL);
        ASSERT_EQ(tuner.wait(), 128 + SIGKILL);
        // `status` brings the files in line with the journal the dead tuner left.
        ASSERT_EQ(asha_tune({"status", dir.string()}).exit_code, 0);
        expect_files_match_journal(dir);
    }
    EXPECT_EQ(count_records<ResumeRecord>(journal), 25u);
    EXPECT_TRUE(marked_processes(marker_of(dir)).empty()) << "a trial process outlived the run";
    EXPECT_NE(json::parse(read_file(dir / "summary.json"))["stop_reason"].get<std::string>().find(
                  "reached validation_error <= 0"),
              std::string::npos);

    RunData run = read_run(dir);
    ASSERT_GE(run.trials.size(), 2u);
    std::map<TrialId, std::vector<const ResultRow*>> by_trial;
    for (const auto& row : run.results) by_trial[row.trial].push_back(&row);
    const bool checkpoints = std::string(setting.script).find("checkpoint") != std::string::npos;
    for (const auto& t : run.trials) {
        EXPECT_EQ(t.id, &t - run.trials.data());  // ids 0, 1, 2, ..., none reused
        std::map<double, double> printed;         // epoch -> value, from every leg
        std::ifstream log(dir / "trials" / std::to_string(t.id) / "printed.log");
        for (double epoch, value; log >> epoch >> value;) {
            auto [it, fresh] = printed.emplace(epoch, value);
            EXPECT_TRUE(fresh || it->second == value);
        }
        const auto& rows = by_trial[t.id];
        for (std::size_t i = 0; i < rows.size(); ++i) {
            // Epochs 1..k, each exactly once, with the value the trial printed.
            EXPECT_EQ(rows[i]->resource, static_cast<double>(i + 1)) << "trial " << t.id;
            ASSERT_TRUE(printed.count(rows[i]->resource)) << "trial " << t.id;
            EXPECT_EQ(rows[i]->metric, printed[rows[i]->resource]) << "trial " << t.id;
        }
        // Whatever it printed beyond its last recorded epoch, it printed after it was told to
        // stop (by ASHA or by the end of the run): the signal landed before its print did.
        const double last = rows.empty() ? 0 : rows.back()->resource;
        if (!printed.empty() && printed.rbegin()->first > last) {
            EXPECT_EQ(t.status, TrialStatus::stopped) << "trial " << t.id;
        }
        EXPECT_NE(t.status, TrialStatus::in_progress);
        EXPECT_NE(t.status, TrialStatus::failed) << "trial " << t.id << ": " << t.error;
        if (checkpoints) {  // one start of the script per leg: no kill made a trial restart
            const std::string out = read_file(dir / "trials" / std::to_string(t.id) / "stdout.log");
            std::size_t starts = 0;
            for (auto at = out.find("start "); at != std::string::npos;
                 at = out.find("start ", at + 1))
                starts += at == 0 || out[at - 1] == '\n';
            // (at most: the end of the run may stop a leg before its script says anything)
            EXPECT_LE(starts, static_cast<std::size_t>(t.legs)) << "trial " << t.id << ":\n" << out;
        }
    }
    // The decisions are the rule's, given the reports in the order they were recorded.
    JournalContents contents = read_journal(journal);
    if (std::string(setting.variant) == "promotion") {
        EXPECT_GT(check_promotions(contents, rung_levels(1, 3, 9), 9, 3), 0u);
        return;
    }
    std::vector<DecidedReport> decided;
    for (std::size_t i = 0; i < contents.size(); ++i) {
        JournalRecord record = contents.record(i);
        if (std::holds_alternative<EndRecord>(record)) break;
        if (const auto* r = std::get_if<ReportRecord>(&record))
            decided.push_back({r->trial, r->resource, r->metric, r->decision});
    }
    EXPECT_GT(check_stopping_rule(decided, rung_levels(1, 3, 9), 9), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Settings, RealCrash,
    ::testing::Values(CrashSetting{"stopping", "tests/trials/gated.sh"},
                      CrashSetting{"stopping", "tests/trials/gated_checkpoint.sh"},
                      CrashSetting{"promotion", "tests/trials/gated.sh"},
                      CrashSetting{"promotion", "tests/trials/gated_checkpoint.sh"},
                      CrashSetting{"stopping", "tests/trials/gated_checkpoint.sh", "tpe"},
                      CrashSetting{"promotion", "tests/trials/gated.sh", "bohb"}),
    [](const ::testing::TestParamInfo<CrashSetting>& param) {
        const std::string script = fs::path(param.param.script).stem().string();
        return std::string(param.param.variant) +
               (script == "gated" ? "_NoCheckpoint" : "_Checkpoint") + "_" + param.param.searcher;
    });

// The tuner that ended a run died after the journal's `finished` record and before it wrote
// the run's files: `status`, and `resume`, write them from the journal.
TEST(Resume, AnEndedRunsFilesAreRebuiltWhenTheTunerDiedBeforeWritingThem) {
    json doc = restarter_document();
    doc["stop"] = {{"max_num_trials_started", 6}};
    const std::string config = write_config("ended", doc);
    for (const char* command : {"status", "resume"}) {
        SCOPED_TRACE(command);
        const fs::path dir = temp_path(std::string("ended-") + command);
        Outcome run = asha_tune({"--config", config, "--run-dir", dir.string(), "--quiet"});
        ASSERT_EQ(run.exit_code, 0) << run.err;
        const std::string trials = read_file(dir / "trials.csv");
        const json summary = json::parse(read_file(dir / "summary.json"));
        // What the dead tuner left: a snapshot of the first trials, no summary, no report, and its
        // tuner.pid (a tuner removes it once it has written everything).
        std::ofstream(dir / "trials.csv", std::ios::trunc)
            << trials.substr(0, trials.find('\n', trials.find('\n') + 1) + 1);
        fs::remove(dir / "summary.json");
        fs::remove(dir / "best.json");
        fs::remove(dir / "report.html");
        std::ofstream(dir / "tuner.pid") << "12345\n";  // a dead tuner's, which no one holds
        Outcome again = asha_tune({command, dir.string()});
        EXPECT_EQ(again.exit_code, 0) << again.err;
        EXPECT_EQ(read_file(dir / "trials.csv"), trials);
        ASSERT_TRUE(fs::exists(dir / "summary.json"));
        EXPECT_EQ(json::parse(read_file(dir / "summary.json"))["stop_reason"],
                  summary["stop_reason"]);
        EXPECT_TRUE(fs::exists(dir / "best.json"));
        const std::string report = read_file(dir / "report.html");
        EXPECT_NE(report.find("finished"), std::string::npos);
        EXPECT_EQ(report.find("http-equiv=\"refresh\""), std::string::npos);
        expect_files_match_journal(dir);
        // Once in line, they are left alone.
        const auto written = fs::last_write_time(dir / "trials.csv");
        EXPECT_EQ(asha_tune({"status", dir.string()}).err, "");
        EXPECT_EQ(fs::last_write_time(dir / "trials.csv"), written);
    }
}

// A crash costs a trial nothing: it trains on while no tuner is alive, what it prints then is
// on disk, and the resume takes it over where it is: one process, one leg, every epoch once.
TEST(Resume, ATrialTrainsOnWhileNoTunerIsAliveAndIsTakenOver) {
    const Gate gate(temp_path("takeover-gate"));
    json doc = gated_document(gate.path());
    doc["command"] = json::array({"/bin/sh", "tests/trials/gated_checkpoint.sh"});
    doc["config_space"]["max_epochs"] = 8;
    doc["stop"] = {{"max_num_trials_started", 1}};
    doc["workers"] = 1;
    fs::path dir = temp_path("takeover");
    const fs::path journal = dir / "journal.jsonl";
    BackgroundTuner tuner(
        {"--config", write_config("takeover", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(drive(gate, 'g', journal, tuner, [](const std::string& text) {
        return text.find("\"resource\":2,") != std::string::npos;
    }));
    const pid_t trial = std::stoi(read_file(dir / "trials/0/pid"));
    tuner.signal(SIGKILL);
    ASSERT_EQ(tuner.wait(), 128 + SIGKILL);
    // No tuner: the trial prints epochs 3 and 4 all the same.
    const fs::path printed = dir / "trials/0/printed.log";
    for (char epoch : {'3', '4'}) {
        gate.give('g');
        ASSERT_TRUE(wait_for_change(printed, [&](const std::string& text) {
            return text.find(std::string("\n") + epoch + " ") != std::string::npos;
        }));
    }
    EXPECT_FALSE(test::wait_for_exit(trial, 0)) << "the trial died with the tuner";
    BackgroundTuner resumed({"resume", dir.string(), "--quiet"});
    drive(gate, 'g', journal, resumed, [](const std::string&) { return false; });  // to its end
    ASSERT_EQ(resumed.wait(), 0);
    RunData run = read_run(dir);
    ASSERT_EQ(run.trials.size(), 1u);
    EXPECT_EQ(run.trials[0].status, TrialStatus::completed);
    EXPECT_EQ(run.trials[0].legs, 1);  // never relaunched
    ASSERT_EQ(run.results.size(), 8u);
    for (std::size_t i = 0; i < run.results.size(); ++i)
        EXPECT_EQ(run.results[i].resource, static_cast<double>(i + 1));
    // One start of the script, by the same process: no training time was lost.
    EXPECT_EQ(read_file(dir / "trials/0/stdout.log").rfind("start ", 0), 0u);
    EXPECT_EQ(read_file(dir / "trials/0/stdout.log").find("\nstart "), std::string::npos);
    EXPECT_EQ(std::stoi(read_file(dir / "trials/0/pid")), trial);
    EXPECT_TRUE(marked_processes(marker_of(dir)).empty());
}

json long_trial_document(const std::string& script) {
    json doc = restarter_document();
    doc["command"] = json::array({"/bin/sh", script});
    doc["config_space"]["max_epochs"] = 1000000;
    doc["stop"] = {{"max_num_trials_started", 1}};
    doc["workers"] = 1;
    return doc;
}

TEST(Resume, ASecondTunerOnTheSameRunIsRefused) {
    fs::path dir = temp_path("lock");
    BackgroundTuner tuner({"--config",
                           write_config("lock", long_trial_document("tests/trials/chatty.sh")),
                           "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(wait_for_journal(dir / "journal.jsonl", 2, tuner.pidfd()));
    Outcome second = asha_tune({"resume", dir.string()});
    EXPECT_EQ(second.exit_code, 3);
    EXPECT_EQ(second.err, "asha-tune: error: run directory " + dir.string() +
                              " is in use by another asha-tune (pid " +
                              std::to_string(tuner.pid()) +
                              "); only one tuner may work on a run at a time\n");
    Outcome fresh = asha_tune(
        {"--config", write_config("lock2", long_trial_document("x")), "--run-dir", dir.string()});
    EXPECT_EQ(fresh.exit_code, 3);
    EXPECT_NE(fresh.err.find("already exists; asha-tune never overwrites a run"), std::string::npos)
        << fresh.err;
    // A lock left by a killed tuner is not stale: the kernel released it with the process.
    tuner.signal(SIGKILL);
    EXPECT_EQ(tuner.wait(), 128 + SIGKILL);
    EXPECT_TRUE(fs::exists(dir / "tuner.pid"));
    Outcome status = asha_tune({"status", dir.string(), "--json"});
    EXPECT_EQ(status.exit_code, 0);
    EXPECT_EQ(json::parse(status.out)["state"], "interrupted");
    // The resume takes the trial over (it trained on meanwhile); its SIGTERM stops it.
    BackgroundTuner again({"resume", dir.string(), "--quiet"});
    ASSERT_TRUE(wait_for_journal(
        dir / "journal.jsonl",
        [](const std::string& text) {
            return text.find("{\"event\":\"resume\"") != std::string::npos;
        },
        again.pidfd()));
    again.signal(SIGTERM);
    EXPECT_EQ(again.wait(), 143);
    EXPECT_TRUE(marked_processes(marker_of(dir)).empty());
}

// Ctrl-C is not the end of a run: the resumed run carries the interrupted trial on to its end.
// The trials (gated.sh) only progress on the test's tokens, so the interrupt lands mid-run.
TEST(Resume, AnInterruptedRunContinuesWhereItStopped) {
    const Gate gate(temp_path("interrupted-gate"));
    json doc = gated_document(gate.path());
    doc["config_space"]["max_epochs"] = 30;
    doc["stop"] = {{"max_num_trials_started", 2}};
    fs::path dir = temp_path("interrupted");
    const fs::path journal = dir / "journal.jsonl";
    BackgroundTuner tuner(
        {"--config", write_config("interrupted", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(drive(gate, 'g', journal, tuner,
                      [](const std::string& text) { return progress_records(text) >= 5; }));
    tuner.signal(SIGINT);
    ASSERT_EQ(tuner.wait(), 130);
    EXPECT_EQ(json::parse(read_file(dir / "summary.json"))["stop_reason"],
              "interrupted by signal 2");
    BackgroundTuner resumed({"resume", dir.string(), "--quiet"});
    drive(gate, 'g', journal, resumed, [](const std::string&) { return false; });
    ASSERT_EQ(resumed.wait(), 0);
    RunData run = read_run(dir);
    ASSERT_EQ(run.trials.size(), 2u);
    std::map<TrialId, double> last;
    for (const auto& row : run.results) {
        EXPECT_EQ(row.resource, last[row.trial] + 1) << "trial " << row.trial;
        last[row.trial] = row.resource;
    }
    EXPECT_EQ(json::parse(read_file(dir / "summary.json"))["stop_reason"],
              "reached max_num_trials_started (2)");
    for (const auto& t : run.trials)
        if (t.status != TrialStatus::stopped) {  // ASHA may stop the worse one at a rung
            EXPECT_EQ(t.status, TrialStatus::completed);
            EXPECT_EQ(t.last_resource, 30);
        }
    // Resuming an ended run changes nothing.
    std::string results = read_file(dir / "results.csv");
    Outcome again = asha_tune({"resume", dir.string()});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_EQ(again.out, dir.string() +
                             ": the run already ended (reached max_num_trials_started (2)); "
                             "nothing to resume\n");
    EXPECT_EQ(read_file(dir / "results.csv"), results);
}

// A descendant that left its trial's process group and session still carries the run's
// marker: the end of the run kills it, and so does a resume after the tuner was SIGKILLed.
TEST(Resume, EscapedDescendantsDieWithTheRunAndOnResume) {
    json doc = long_trial_document("tests/trials/escapee.sh");
    doc["config_space"]["max_epochs"] = 3;
    fs::path dir = temp_path("escapee-end");
    Outcome ended = asha_tune(
        {"--config", write_config("escapee-end", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_EQ(ended.exit_code, 0) << ended.err;
    pid_t escapee = std::stoi(read_file(dir / "trials/0/escapee.pid"));
    // The tuner waited for its death before it exited.
    EXPECT_TRUE(test::wait_for_exit(escapee, 0)) << "escapee " << escapee << " survived";

    doc["config_space"]["max_epochs"] = 1000000;
    dir = temp_path("escapee-crash");
    BackgroundTuner tuner(
        {"--config", write_config("escapee-crash", doc), "--run-dir", dir.string(), "--quiet"});
    ASSERT_TRUE(wait_for_journal(dir / "journal.jsonl", 3, tuner.pidfd()));
    tuner.signal(SIGKILL);
    EXPECT_EQ(tuner.wait(), 128 + SIGKILL);
    escapee = std::stoi(read_file(dir / "trials/0/escapee.pid"));
    EXPECT_FALSE(test::wait_for_exit(escapee, 0));  // it ignores SIGPIPE: nothing stops it
    BackgroundTuner resumed({"resume", dir.string(), "--quiet"});
    // The resume kills (and waits for) the leftovers before it journals that it resumed.
    ASSERT_TRUE(wait_for_journal(
        dir / "journal.jsonl",
        [](const std::string& text) {
            return text.find("{\"event\":\"resume\"") != std::string::npos;
        },
        resumed.pidfd()));
    EXPECT_TRUE(test::wait_for_exit(escapee, 0)) << "the resume left escapee " << escapee;
    resumed.signal(SIGTERM);
    EXPECT_EQ(resumed.wait(), 143);
    EXPECT_TRUE(marked_processes(marker_of(dir)).empty());
}

TEST(Resume, ResumeFlagStartsOrContinuesTheSameRunOnly) {
    json doc = restarter_document();
    doc["stop"] = {{"max_num_trials_started", 3}};
    const std::string config = write_config("flag", doc);
    fs::path dir = temp_path("flag");
    Outcome first = asha_tune({"--config", config, "--run-dir", dir.string(), "--resume", "-q"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    Outcome again = asha_tune(
        {"--config", config, "--run-dir", dir.string(), "--resume", "-q", "--workers", "3"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("nothing to resume"), std::string::npos) << again.out;
    doc["scheduler"]["reduction_factor"] = 4;
    Outcome other =
        asha_tune({"--config", write_config("flag2", doc), "--run-dir", dir.string(), "--resume"});
    EXPECT_EQ(other.exit_code, 2);
    EXPECT_EQ(other.err, "asha-tune: error: " + dir.string() +
                             " was started from a different config (first difference at "
                             "/scheduler/reduction_factor); continue it as it was with: "
                             "asha-tune resume " +
                             dir.string() + "\n");
    Outcome nothing = asha_tune({"resume", temp_path("nowhere").string()});
    EXPECT_EQ(nothing.exit_code, 2);
}

/// The peak resident memory of process `pid` in KiB (VmHWM), or -1.
long peak_rss_kib(pid_t pid) {
    std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
    auto at = status.find("VmHWM:");
    return at == std::string::npos ? -1 : std::stol(status.substr(at + 6));
}

// A trial that prints 200 MB of long lines and 300,000 reports in a burst, next to a trial that
// behaves: memory stays bounded (nothing holds a whole line or the whole burst), the flood is
// recorded exactly, each problem is logged once, and the other trial is decided as usual.
TEST(Resume, AFloodOfOutputKeepsMemoryBoundedAndIsRecordedExactly) {
    json doc = restarter_document();
    // Trial 1 waits for the go file, which the test writes once it has measured the tuner's
    // memory after the flood (before the end of the run, whose HTML report reads every row).
    doc["command"] = json::array(
        {"/bin/sh", "-c",
         "if [ \"$ASHA_TRIAL_ID\" = 0 ]; then exec /bin/sh tests/trials/flood_reports.sh; fi; "
         "while [ ! -f \"$ASHA_RUN_DIR/go\" ]; do sleep 0.01; done; "
         "exec /bin/sh tests/trials/restarter.sh \"$@\" --max_epochs 5",
         "trial"});
    doc["config_space"]["max_epochs"] = 300000;
    doc["scheduler"] = {{"type", "fifo"}};
    doc["stop"] = {{"max_num_trials_started", 2}};
    fs::path dir = temp_path("flood");
    BackgroundTuner tuner(
        {"--config", write_config("flood", doc), "--run-dir", dir.string(), "--quiet"});
    const bool flooded = wait_for_journal(
        dir / "journal.jsonl",
        [](const std::string& text) {
            return text.find(R"({"event":"exit","time":)") != std::string::npos &&
                   text.find(R"("trial":0,"exit_code")") != std::string::npos;
        },
        tuner.pidfd());
    const long peak = peak_rss_kib(tuner.pid());
    RecordProperty("peak_rss_kib", static_cast<int>(peak));
    std::ofstream(dir / "go") << "go\n";
    const int code = tuner.wait();
    const std::string& warnings = tuner.err();
    ASSERT_TRUE(flooded) << warnings;
    EXPECT_EQ(code, 0) << warnings;
#if !defined(__SANITIZE_ADDRESS__)  // ASan's shadow memory and quarantine are not the tuner's
    // 1 MiB per line at most plus the reports of one 64 KiB read, far below one 100 MB line.
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, 48 * 1024) << "peak RSS " << peak << " KiB during the flood";
#endif
    RunData run = read_run(dir);
    std::size_t flood_rows = 0;
    for (const auto& row : run.results) {
        if (row.trial != 0) continue;
        ++flood_rows;
        EXPECT_EQ(row.resource, static_cast<double>(flood_rows));
        if (row.resource != static_cast<double>(flood_rows)) break;
    }
    EXPECT_EQ(flood_rows, 300000u);
    EXPECT_EQ(run.trials.at(1).status, TrialStatus::completed);  // its 5 epochs, after the flood
    EXPECT_EQ(run.trials.at(1).last_resource, 5);
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = warnings.find(what); at != std::string::npos;
             at = warnings.find(what, at + 1))
            ++n;
        return n;
    };
    EXPECT_EQ(count("(trial 0) long-line: cut a stdout line longer than 1048576 bytes"), 1u)
        << warnings;
    EXPECT_EQ(count("(trial 0) ignored a report with epoch = 300000: it must grow past 300000"), 1u)
        << warnings;
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
        // The model-based searchers: rebuilt exactly by the replay too.
        std::vector<std::string>{"--max-trials", "300", "--searcher", "bohb"},
        std::vector<std::string>{"--max-trials", "300", "--searcher", "tpe", "--variant",
                                 "promotion"},
        std::vector<std::string>{"--max-trials", "200", "--scheduler", "hyperband", "--searcher",
                                 "tpe"},
        std::vector<std::string>{"--max-trials", "200", "--scheduler", "sync_sh", "--searcher",
                                 "bohb"},
        std::vector<std::string>{"--max-trials", "100", "--scheduler", "fifo", "--searcher", "tpe"},
        // Ends by time: the end of the run (stopping every running trial) is cut too.
        std::vector<std::string>{"--max-wallclock-time", "300"},
        // Several objectives: the front is rebuilt exactly (MO-ASHA, both variants).
        std::vector<std::string>{"configs/branin-currin.json", "--max-trials", "300"},
        std::vector<std::string>{"configs/branin-currin.json", "--max-trials", "300", "--variant",
                                 "promotion"},
        std::vector<std::string>{"configs/branin-currin.json", "--max-trials", "200", "--searcher",
                                 "tpe"},
        std::vector<std::string>{"configs/park.json", "--max-trials", "200", "--variant",
                                 "promotion", "--searcher", "tpe"},
        // Recorded curves (the shipped LeNet table): replayed exactly too, the
        // recorded configurations drawn and mapped as before the crash.
        std::vector<std::string>{"configs/lenet-small-recorded.json", "--max-trials", "300",
                                 "--workers", "8"},
        std::vector<std::string>{"configs/lenet-small-recorded.json", "--max-trials", "200",
                                 "--workers", "8", "--variant", "promotion", "--searcher", "tpe"},
        // PASHA: its top rung and its noise estimate rebuilt by the replay, raises included.
        std::vector<std::string>{"--max-trials", "300", "--scheduler", "pasha"},
        std::vector<std::string>{"configs/lenet-small-recorded.json", "--max-trials", "300",
                                 "--workers", "4", "--scheduler", "pasha", "--searcher", "bohb"}));

}  // namespace

namespace {

// The run lock is a POSIX record lock: a second lock in the same process is refused, asking
// whether the run is held (as the end-of-run report does from inside the tuner) keeps it, and
// another process cannot take it.
TEST(RunLock, OneTunerPerRunAndAskingKeepsTheLock) {
    const fs::path dir = temp_path("runlock");
    fs::create_directories(dir);
    RunLock lock(dir);
    EXPECT_TRUE(RunLock::held(dir));
    EXPECT_THROW(RunLock again(dir), Error);
    EXPECT_TRUE(RunLock::held(dir));
    const pid_t child = ::fork();
    if (child == 0) {  // another process: its attempt must fail while we hold the lock
        try {
            RunLock theirs(dir);
            ::_exit(1);
        } catch (const Error& e) {
            const std::string expected = "(pid " + std::to_string(::getppid()) + ")";
            ::_exit(std::string(e.what()).find(expected) != std::string::npos ? 0 : 2);
        }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

}  // namespace
