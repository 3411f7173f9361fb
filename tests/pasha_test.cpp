// PASHA (policy/pasha, policy/ranking_noise): against a brute-force restatement of Syne Tune
// v0.13.0's PASHARungSystem, against the reference's own answers on recorded runs
// (bench/pasha_reference_runs.sh --record), and its estimate of the ranking noise against a
// recount from scratch.
#include "policy/pasha.hpp"
#include "asha/errors.hpp"
#include "asha/experiment.hpp"
#include "asha/rng.hpp"
#include "policy/ranking_noise.hpp"
#include "policy/stopping_rule.hpp"

#include "report/table.hpp"
#include "run/run_reader.hpp"
#include "scheduler_test_util.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace asha {
namespace {

using test::CountingSearcher;

// ---------------------------------------------------------------------------------------------
// The reference's rules restated as literally as C++ allows, with no care for cost: every rung a
// list re-sorted when read, epsilon recounted over every pair and epoch after every report, the
// groups of the soft ranking built as the reference's loops build them (raw values and mode,
// not badness). Epochs are whole numbers and every trial reports each one, as the reference
// assumes. Differences it shares with asha-tune on purpose: pairs oriented by trial id and
// counted once; promotable at the leg's end; with two rung levels the top starts at the second.

double numpy_like_percentile90(std::vector<double> xs) {
    std::sort(xs.begin(), xs.end());
    const double index = static_cast<double>(xs.size() - 1) * (90.0 / 100);
    if (index >= static_cast<double>(xs.size() - 1)) return xs.back();
    const double below = std::floor(index);
    const double a = xs[static_cast<std::size_t>(below)],
                 b = xs[static_cast<std::size_t>(below) + 1];
    const double t = index - below;
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

class NaivePasha {
  public:
    NaivePasha(std::vector<double> levels, double max_t, bool maximize)
        : levels_(std::move(levels)), max_t_(max_t), max_(maximize), rungs_(levels_.size()) {
        c_ = 2;  // min(len - 1, 2) in the reference, 2 here also with two levels
        current_max_t_ = levels_[static_cast<std::size_t>(c_ - 1)];
    }

    /// The trial the reference promotes, with its next milestone; nullopt: start a new one.
    std::optional<std::pair<TrialId, double>> schedule() {
        for (int k = static_cast<int>(levels_.size()) - 1; k >= 0; --k) {
            if (!(levels_[static_cast<std::size_t>(k)] < current_max_t_)) continue;
            auto data = sorted(k);
            if (data.size() < 2) continue;
            const double cutoff = quantile(k, data);
            const Entry* best = nullptr;
            for (const Entry& e : data)
                if (!e.promoted && e.waiting) {
                    best = &e;
                    break;
                }
            // The reference takes the first not-promoted entry; one whose leg has not ended
            // yet is not promotable (asha-tune's rule): skip only those.
            if (!best) continue;
            const double sign = max_ ? 1 : -1;
            if (sign * (best->value - cutoff) < 0) continue;
            for (Entry& e : rungs_[static_cast<std::size_t>(k)])
                if (e.trial == best->trial) e.promoted = true;
            const double next = static_cast<std::size_t>(k) + 1 < levels_.size()
                                    ? levels_[static_cast<std::size_t>(k) + 1]
                                    : max_t_;
            milestone_[best->trial] = next;
            return std::make_pair(best->trial, next);
        }
        return std::nullopt;
    }
    void add(TrialId trial) { milestone_[trial] = levels_[0]; }

    /// Returns whether the trial pauses.
    bool report(TrialId trial, double epoch, double value) {
        bool pause = false;
        if (epoch >= milestone_[trial] && epoch < max_t_) {
            const auto k = static_cast<std::size_t>(
                std::find(levels_.begin(), levels_.end(), epoch) - levels_.begin());
            rungs_[k].push_back({trial, value, seq_++, false, false});
            pause = true;
        }
        per_epoch_[trial][epoch] = value;
        epoch_to_trials_[epoch].insert(trial);
        max_epoch_ = std::max(max_epoch_, epoch);
        update_epsilon();
        if (increase()) {
            if (c_ < static_cast<int>(levels_.size())) {
                ++c_;
                current_max_t_ = levels_[static_cast<std::size_t>(c_ - 1)];
            } else {
                current_max_t_ = max_t_;
            }
        }
        return pause;
    }
    void leg_end(TrialId trial) {
        for (auto& rung : rungs_)
            for (Entry& e : rung)
                if (e.trial == trial) e.waiting = true;
    }
    double top() const { return current_max_t_; }
    double epsilon() const { return epsilon_; }

  private:
    struct Entry {
        TrialId trial;
        double value;
        std::uint64_t seq;
        bool promoted, waiting;
    };

    std::vector<Entry> sorted(int k) const {
        auto data = rungs_[static_cast<std::size_t>(k)];
        std::stable_sort(data.begin(), data.end(), [&](const Entry& a, const Entry& b) {
            return max_ ? a.value > b.value : a.value < b.value;
        });
        return data;
    }
    // Rung.quantile of hyperband_stopping.py, with its virtual index worked out exactly (the
    // levels are whole numbers): the reference's doubles can land an ulp below a whole index and
    // then cut a trial that sits exactly at the quantile (asha-tune's deliberate difference,
    // stopping_rule.hpp's continue_rank).
    double quantile(int k, const std::vector<Entry>& data) const {
        const auto level = static_cast<std::uint64_t>(levels_[static_cast<std::size_t>(k)]);
        const auto next =
            static_cast<std::uint64_t>(static_cast<std::size_t>(k) + 1 < levels_.size()
                                           ? levels_[static_cast<std::size_t>(k) + 1]
                                           : max_t_);
        // virt = (n - 1) q + 1 with q = level / next, or 1 - q in mode max.
        const std::uint64_t numerator = (data.size() - 1) * (max_ ? next - level : level);
        const std::size_t index = 1 + numerator / next;
        const double frac = static_cast<double>(numerator % next) / static_cast<double>(next);
        std::size_t left = 0;
        double g = 0;
        if (!max_) {
            left = index - 1;
            g = frac;
        } else {
            left = data.size() - index - 1;
            g = 1 - frac;
        }
        return g * data[left + 1].value + (1 - g) * data[left].value;
    }
    void update_epsilon() {
        std::set<std::pair<TrialId, TrialId>> seen;
        std::vector<double> distances;
        const double top_epoch = std::min(max_epoch_, levels_[static_cast<std::size_t>(c_ - 1)]);
        const double bottom_epoch = std::min(levels_[static_cast<std::size_t>(c_ - 2)], max_epoch_);
        for (double epoch = top_epoch; epoch > bottom_epoch; --epoch) {
            const auto& here = epoch_to_trials_[epoch];
            for (auto i = here.begin(); i != here.end(); ++i)
                for (auto j = std::next(i); j != here.end(); ++j) {
                    if (!seen.insert({*i, *j}).second) continue;
                    const double p1 = per_epoch_[*i][epoch], p2 = per_epoch_[*j][epoch];
                    const bool cond = p1 > p2;
                    bool opposite = false, same_after = false;
                    for (double prev = epoch - 1; prev > 0; --prev) {
                        const bool p = per_epoch_[*i][prev] > per_epoch_[*j][prev];
                        if (p == !cond) opposite = true;
                        if (opposite && p == cond) {
                            same_after = true;
                            break;
                        }
                    }
                    if (opposite && same_after) distances.push_back(std::fabs(p1 - p2));
                }
        }
        if (!distances.empty()) epsilon_ = numpy_like_percentile90(distances);
    }
    bool increase() {
        const auto top = sorted(c_ - 1);
        const auto previous_all = sorted(c_ - 2);
        if (top.empty() || previous_all.empty()) return false;
        std::set<TrialId> in_top;
        for (const Entry& e : top) in_top.insert(e.trial);
        std::vector<Entry> previous;
        for (const Entry& e : previous_all)
            if (in_top.count(e.trial)) previous.push_back(e);
        const double eps = previous.size() < 2 ? 0 : epsilon_;
        for (std::size_t idx = 0; idx < previous.size(); ++idx) {
            std::set<TrialId> group{previous[idx].trial};
            const double item = previous[idx].value;
            for (std::size_t j = idx + 1; j < previous.size(); ++j) {
                const double v = previous[j].value;
                if (max_ ? v < item - eps : v > item + eps) break;
                group.insert(previous[j].trial);
            }
            for (std::size_t j = idx; j-- > 0;) {
                const double v = previous[j].value;
                if (max_ ? v > item + eps : v < item - eps) break;
                group.insert(previous[j].trial);
            }
            if (!group.count(top[idx].trial)) return true;
        }
        return false;
    }

    std::vector<double> levels_;
    double max_t_;
    bool max_;
    std::vector<std::vector<Entry>> rungs_;
    int c_ = 2;
    double current_max_t_ = 0;
    double epsilon_ = 0;
    std::uint64_t seq_ = 0;
    double max_epoch_ = -1;
    std::map<TrialId, double> milestone_;
    std::map<TrialId, std::map<double, double>> per_epoch_;
    std::map<double, std::set<TrialId>> epoch_to_trials_;
};

struct Scenario {
    double grace, eta, max_t;
    bool maximize;
    int workers, trials;
    double grid;  // values are multiples of it: ties
};

/// Runs PashaScheduler and the restatement side by side on one random run (workers report in a
/// random order, values are a trial's level plus noise that shrinks with the epoch, rounded to
/// `grid`), and compares every answer.
/// Adds to `raises` how many times the top was raised.
void compare_with_naive(const Scenario& sc, unsigned seed, std::size_t& raises) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", grace " + std::to_string(sc.grace) + ", eta " +
                 std::to_string(sc.eta) + ", max_t " + std::to_string(sc.max_t));
    Rng rng(seed);
    PashaScheduler ours({sc.grace, sc.eta, sc.max_t, sc.maximize},
                        std::make_unique<CountingSearcher>(), rng);
    NaivePasha naive(rung_levels(sc.grace, sc.eta, sc.max_t), sc.max_t, sc.maximize);
    std::mt19937 gen(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    struct Leg {
        TrialId trial;
        double epoch, milestone;
    };
    std::vector<Leg> running;
    std::map<TrialId, double> quality, last_epoch;
    TrialId next = 0;
    std::size_t promotions = 0;
    auto value = [&](TrialId t, double epoch) {
        const double noise = (unit(gen) - 0.5) * 0.6 / std::sqrt(epoch);
        const double v = std::round((quality[t] + 1.0 / epoch + noise) / sc.grid) * sc.grid;
        return sc.maximize ? -v : v;
    };
    for (int step = 0; step < 20000; ++step) {
        while (static_cast<int>(running.size()) < sc.workers) {
            const auto theirs = naive.schedule();
            const bool may_start = next < sc.trials;
            auto got = ours.suggest(next, may_start);
            if (!theirs && !may_start) {
                ASSERT_FALSE(got.has_value());
                break;
            }
            ASSERT_TRUE(got.has_value());
            if (theirs) {
                ASSERT_EQ(got->kind, Suggestion::Kind::resume)
                    << "the reference promotes trial " << theirs->first;
                ASSERT_EQ(got->trial_id, theirs->first);
                ASSERT_EQ(got->milestone, theirs->second);
                running.push_back({got->trial_id, last_epoch[got->trial_id], got->milestone});
                ++promotions;
            } else {
                ASSERT_EQ(got->kind, Suggestion::Kind::start) << "we promote " << got->trial_id;
                naive.add(next);
                quality[next] = unit(gen);
                running.push_back({next, 0, got->milestone});
                ++next;
            }
        }
        if (running.empty()) break;
        const auto i = static_cast<std::size_t>(gen() % running.size());
        Leg& leg = running[i];
        leg.epoch += 1;
        last_epoch[leg.trial] = leg.epoch;
        const double v = value(leg.trial, leg.epoch);
        const double top_before = ours.top_level();
        const Verdict verdict = ours.on_report(leg.trial, leg.epoch, v);
        const bool pause = naive.report(leg.trial, leg.epoch, v);
        ASSERT_EQ(verdict.decision == Decision::pause, pause)
            << "trial " << leg.trial << " at " << leg.epoch;
        ASSERT_EQ(ours.top_level(), naive.top())
            << "after trial " << leg.trial << " at " << leg.epoch;
        ASSERT_EQ(verdict.raised.has_value(), top_before != ours.top_level());
        if (verdict.raised) ++raises;
        if (ours.top_level() < sc.max_t) {
            ASSERT_EQ(ours.epsilon(), naive.epsilon());
        }
        if (pause || leg.epoch >= leg.milestone) {
            ours.on_leg_end(leg.trial, LegEnd::reached_milestone);
            if (pause) naive.leg_end(leg.trial);
            running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    EXPECT_GT(promotions, 0U);
}

TEST(Pasha, DecisionsEqualABruteForceRestatementOfTheReference) {
    const std::vector<Scenario> scenarios = {
        {1, 3, 27, false, 4, 120, 1e-3}, {1, 2, 16, false, 8, 150, 1e-3},
        {1, 2, 16, true, 3, 150, 0.05},   // coarse grid: many ties
        {4, 2, 12, false, 2, 100, 1e-3},  // two rung levels
        {2, 3, 54, true, 6, 100, 1e-4},  {1, 3, 9, false, 1, 60, 0.02},
    };
    std::size_t raises = 0;
    for (const Scenario& sc : scenarios)
        for (unsigned seed = 1; seed <= 6; ++seed) {
            compare_with_naive(sc, seed, raises);
            if (HasFatalFailure()) return;
        }
    EXPECT_GT(raises, 20U);  // the raises are exercised, not only the waiting
}

TEST(Pasha, RaisesWhenTheRankingChangesAndNotWhenItHolds) {
    // Two rung levels below max_t 4 (1, 2): the top starts at 2. Trials 0 and 1 keep their order
    // from epoch 1 to 2: nothing is raised. Trial 2 then overtakes both at epoch 2 after being
    // the worst at epoch 1, by more than any noise seen: the top goes to max_t.
    Rng rng(1);
    PashaScheduler s({1, 2, 4, false}, std::make_unique<CountingSearcher>(), rng);
    EXPECT_EQ(s.top_level(), 2);
    for (TrialId t = 0; t < 3; ++t) test::expect_start(s, t, 1);
    EXPECT_EQ(test::finish_leg(s, 0, 1, 0.1), Decision::pause);
    EXPECT_EQ(test::finish_leg(s, 1, 1, 0.2), Decision::pause);
    EXPECT_EQ(test::finish_leg(s, 2, 1, 0.9), Decision::pause);
    // Rung 1 holds 3 values; q = 1/2: the best (0.1) is promoted, then 0.2 (1 better < 2).
    test::expect_resume(s, 3, 0, 2);
    const Verdict first = s.on_report(0, 2, 0.05);
    EXPECT_EQ(first.decision, Decision::pause);
    ASSERT_TRUE(first.why);
    EXPECT_EQ(first.why->rule, DecisionReason::Rule::pasha_top);
    EXPECT_FALSE(first.raised);
    s.on_leg_end(0, LegEnd::reached_milestone);
    test::expect_resume(s, 3, 1, 2);
    EXPECT_FALSE(s.on_report(1, 2, 0.08).raised);  // same order as at epoch 1
    s.on_leg_end(1, LegEnd::reached_milestone);
    EXPECT_EQ(s.top_level(), 2);
    // Nothing at the top rung is promoted: a free worker starts a new trial.
    test::expect_start(s, 3, 1);
    EXPECT_EQ(test::finish_leg(s, 3, 1, 0.95), Decision::pause);
    // Trial 2 (0.9 at epoch 1) cannot be promoted by the quantile rule (2 of 4 better, top 2)...
    test::expect_start(s, 4, 1);
    EXPECT_EQ(test::finish_leg(s, 4, 1, 0.15), Decision::pause);
    test::expect_resume(s, 5, 4, 2);
    const Verdict raise = s.on_report(4, 2, 0.01);  // ...but trial 4 overtakes 0 and 1 at epoch 2
    ASSERT_TRUE(raise.raised);
    EXPECT_EQ(raise.raised->level, 4);
    EXPECT_EQ(raise.raised->compared, 2);
    EXPECT_EQ(raise.raised->trial, 4);
    EXPECT_EQ(raise.raised->place, 0U);
    EXPECT_EQ(raise.raised->epsilon, 0);  // no pair swapped and swapped back yet
    EXPECT_EQ(s.top_level(), 4);
    s.on_leg_end(4, LegEnd::reached_milestone);
    // Now the rung at 2 promotes to max_t: trial 4 (the best there) first.
    test::expect_resume(s, 5, 4, 4);
}

TEST(Pasha, ConfigNeedsOneBracketTwoRungsAndOneMetric) {
    const json base = json::parse(R"({"config_space": {"x": {"type": "uniform", "lower": 0,
        "upper": 1}, "epochs": 9}, "max_resource_attr": "epochs", "command": ["true"],
        "metric": "m", "scheduler": {"type": "pasha"}})");
    EXPECT_EQ(parse_experiment(base, "c.json").scheduler.type, SchedulerType::pasha);
    auto message = [&](const json& patch) {
        json doc = base;
        merge_json(doc, patch);
        try {
            parse_experiment(doc, "c.json");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(
        message({{"scheduler", {{"brackets", 2}}}}),
        "c.json: $.scheduler.brackets: pasha runs one bracket (its top rung grows within it), "
        "found 2");
    EXPECT_EQ(message({{"scheduler", {{"grace_period", 3}}}}),
              "c.json: $.scheduler: pasha needs at least 2 rung levels below max_t (9), found 1: "
              "lower grace_period or reduction_factor, or raise max_t");
    // pasha is a promotion type: a variant (e.g. of an asha config run with --scheduler pasha)
    // does not apply and is ignored.
    EXPECT_NO_THROW(parse_experiment(
        [&] {
            json doc = base;
            doc["scheduler"]["variant"] = "stopping";
            return doc;
        }(),
        "c.json"));
    EXPECT_EQ(
        message({{"metric", {"m", "m2"}}}),
        "c.json: $.metric: several objectives need scheduler type \"asha\" or \"fifo\" (pasha "
        "ranks one metric)");
}

// The reference's own answers on recorded runs: each line of tests/data/pasha_reference/*.jsonl
// is what Syne Tune v0.13.0's PASHARungSystem answered to the same event of a simulated run
// (bench/pasha_reference_check.py --record): which trial a free worker gets, whether a report
// pauses, the top level and epsilon after it.
TEST(Pasha, DecisionsEqualTheReferenceOnRecordedRuns) {
    std::size_t files = 0, answers = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(ASHA_SOURCE_DIR) +
                                                                 "/tests/data/pasha_reference")) {
        std::ifstream in(entry.path());
        std::string line;
        ASSERT_TRUE(std::getline(in, line));
        const json head = json::parse(line);
        SCOPED_TRACE(entry.path().filename().string());
        const double max_t = head["max_t"];
        Rng rng(1);
        PashaScheduler s(
            {head["grace_period"], head["reduction_factor"], max_t, head["mode"] == "max"},
            std::make_unique<CountingSearcher>(), rng);
        TrialId next = 0;
        std::set<TrialId> paused;
        while (std::getline(in, line)) {
            const json r = json::parse(line);
            ++answers;
            if (r.contains("schedule")) {
                const auto got = s.suggest(next);
                ASSERT_TRUE(got);
                if (r["promote"].is_null()) {
                    ASSERT_EQ(got->kind, Suggestion::Kind::start) << line;
                    ASSERT_EQ(got->trial_id, next++);
                } else {
                    ASSERT_EQ(got->kind, Suggestion::Kind::resume) << line;
                    ASSERT_EQ(got->trial_id, r["promote"].get<TrialId>()) << line;
                }
            } else if (r.contains("report")) {
                const TrialId t = r["report"];
                const Verdict v = s.on_report(t, r["resource"], r["value"]);
                ASSERT_EQ(v.decision == Decision::pause, r["pause"].get<bool>()) << line;
                if (v.decision == Decision::pause) paused.insert(t);
                ASSERT_EQ(s.top_level(), r["top"].get<double>()) << line;
                if (s.top_level() < max_t) {
                    ASSERT_EQ(s.epsilon(), r["epsilon"].get<double>()) << line;
                }
            } else if (r.contains("exit")) {
                s.on_leg_end(r["exit"], LegEnd::reached_milestone);
            }
        }
        ++files;
    }
    EXPECT_EQ(files, 6U);
    EXPECT_GT(answers, 5000U);
}

// What status, the report and the end of a run show: the start level, then the journal's raises
// (a torn last line and lines of other kinds are skipped).
TEST(Pasha, TheTopRungAUserSeesIsTheJournals) {
    ExperimentConfig c = parse_experiment(
        json::parse(R"({"config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1},
            "epochs": 12}, "max_resource_attr": "epochs", "command": ["true"], "metric": "m",
            "scheduler": {"type": "pasha", "grace_period": 1, "reduction_factor": 2}})"),
        "c.json");
    const auto journal = test::temp_path("pasha-journal");
    std::ofstream(journal) << R"({"event":"run","journal_version":4})"
                              "\n";
    TopRungState top = read_top_rung(journal, c);
    EXPECT_EQ(top.level, 2);  // levels 1, 2, 4, 8: the second
    EXPECT_EQ(top.raises, 0U);
    EXPECT_EQ(render_top_rung(top, c), "PASHA: trials go up to epoch 2 of 12; not raised yet");
    std::ofstream(journal, std::ios::app)
        << R"({"event":"report","time":5.5,"trial":3,"resource":2,"metric":0.4,"decision":"PAUSE","raised":{"level":4,"compared":2,"trial":3,"place":0,"epsilon":0}})"
           "\n"
        << R"({"event":"exit","time":5.5,"trial":3,"exit_code":0,"signal":0,"stopped_by_tuner":false,"stderr_tail":""})"
           "\n"
        << R"({"event":"report","time":99.75,"trial":7,"resource":3,"metric":0.3,"decision":"CONTINUE","raised":{"level":8,"compared":4,"trial":2,"place":1,"epsilon":0.0125}})"
           "\n"
        << R"({"event":"report","time":120,"trial":7,"resource":4,"metric":0.3,"decision":"PAUSE","raised":{"lev)";
    top = read_top_rung(journal, c);
    EXPECT_EQ(top.level, 8);
    EXPECT_EQ(top.raises, 2U);
    EXPECT_EQ(top.since, 99.75);
    EXPECT_EQ(top.epsilon, 0.0125);
    EXPECT_EQ(render_top_rung(top, c),
              "PASHA: trials go up to epoch 8 of 12; raised 2 times, the last at 99.8 s "
              "(epsilon 0.0125)");
    top.level = 12;
    top.raises = 1;
    EXPECT_EQ(render_top_rung(top, c),
              "PASHA: trials go up to epoch 12 = max_t, as far as ASHA; raised once, the last at "
              "99.8 s (epsilon 0.0125)");
}

// ---------------------------------------------------------------------------------------------
// RankingNoise

TEST(RankingNoise, PercentileIsNumpys) {
    // numpy 1.24: np.percentile(xs, 90) for each list.
    const std::vector<std::pair<std::vector<double>, double>> cases = {
        {{0.5}, 0.5},
        {{0.1, 0.3}, 0.27999999999999997},
        {{0.3, 0.1, 0.2}, 0.28},
        {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 10.0},
        {{0.01, 0.02, 0.05, 0.07, 0.11, 0.13, 0.17}, 0.14600000000000002},
        {{3.0, 3.0, 1e-9, 7.25}, 5.9750000000000005},
    };
    for (auto [xs, expected] : cases) {
        std::sort(xs.begin(), xs.end());
        EXPECT_EQ(numpy_percentile(xs.size(), 90, [&](std::size_t k) { return xs[k]; }), expected);
    }
}

/// Every pair's noisy distance, recounted from scratch (the definition in ranking_noise.hpp).
std::vector<double> noisy_distances(const std::map<TrialId, std::map<double, double>>& curves,
                                    double lower, double upper) {
    std::vector<double> out;
    for (auto a = curves.begin(); a != curves.end(); ++a)
        for (auto b = std::next(a); b != curves.end(); ++b) {
            std::vector<double> common;
            for (const auto& [level, v] : a->second)
                if (b->second.count(level)) common.push_back(level);
            std::optional<double> top;
            for (double l : common)
                if (l > lower && l <= upper) top = l;
            if (!top) continue;
            const bool order = a->second.at(*top) > b->second.at(*top);
            bool swapped = false, back = false;
            for (auto l = common.rbegin(); l != common.rend(); ++l) {
                if (*l >= *top) continue;
                const bool here = a->second.at(*l) > b->second.at(*l);
                if (here != order)
                    swapped = true;
                else if (swapped) {
                    back = true;
                    break;
                }
            }
            if (back) out.push_back(std::fabs(a->second.at(*top) - b->second.at(*top)));
        }
    return out;
}

TEST(RankingNoise, KeptUpToDateEqualsARecountFromScratch) {
    std::mt19937 gen(7);
    for (int run = 0; run < 40; ++run) {
        RankingNoise noise;
        std::map<TrialId, std::map<double, double>> curves;
        std::map<TrialId, double> level;
        double lower = 1, upper = 3;
        noise.set_window(lower, upper);
        const int trials = 3 + static_cast<int>(gen() % 12);
        for (int step = 0; step < 300; ++step) {
            const auto t = static_cast<TrialId>(gen() % static_cast<unsigned>(trials));
            // Levels grow by 0.5 to 2 (not every trial reports every level), values on a grid.
            level[t] += 0.5 * static_cast<double>(1 + gen() % 4);
            const double v = static_cast<double>(gen() % 20) / 10;
            noise.record(t, level[t], v);
            curves[t][level[t]] = v;
            if (gen() % 40 == 0) {  // the window moves up, as PASHA's raises move it
                lower = upper;
                upper += 1 + static_cast<double>(gen() % 3);
                noise.set_window(lower, upper);
            }
            const auto expected = noisy_distances(curves, lower, upper);
            ASSERT_EQ(noise.noisy_pairs(), expected.size()) << "run " << run << " step " << step;
            if (expected.empty()) {
                EXPECT_FALSE(noise.epsilon());
            } else {
                EXPECT_EQ(noise.epsilon(), numpy_like_percentile90(expected));
            }
        }
    }
}

TEST(RankingNoise, LeavesOutPairsWhoseDistanceIsNotFinite) {
    RankingNoise noise;
    noise.set_window(0, 10);
    // Trials 0 and 1 swap and swap back: noisy, but 1 diverged at the top level.
    for (double l : {1.0, 2.0, 3.0}) noise.record(0, l, l == 2 ? 0.5 : 0.2);
    noise.record(1, 1, 0.3);
    noise.record(1, 2, 0.1);
    noise.record(1, 3, std::numeric_limits<double>::infinity());
    EXPECT_EQ(noise.noisy_pairs(), 0U);
    EXPECT_FALSE(noise.epsilon());
}

}  // namespace
}  // namespace asha
