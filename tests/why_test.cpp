// `asha-tune why RUN_DIR TRIAL`: one trial's story, read back from the journal. What it says is
// checked against the journal's own records (the reasons are the scheduler's, never recomputed).

#include "run/journal.hpp"
#include "run/journal_records.hpp"

#include "cli_util.hpp"
#include "test_util.hpp"

#include <filesystem>
#include <sstream>

using namespace asha;
using namespace asha::test;
namespace fs = std::filesystem;

namespace {

/// A finished simulated run of ASHA's promotion variant.
fs::path promotion_run(const std::string& name) {
    const fs::path dir = temp_path(name);
    const Outcome o =
        asha_tune({"simulate", "--config", "configs/synthetic.json", "--variant", "promotion",
                   "--workers", "4", "--max-trials", "40", "--run-dir", dir.string(), "--quiet"});
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return dir;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST(Why, TellsEachLegAndEachDecisionWithTheJournalsReasons) {
    const fs::path dir = promotion_run("why-promotion");
    const JournalContents journal = read_journal(dir / "journal.jsonl");
    // A trial that was promoted at least once.
    std::optional<TrialId> promoted;
    for (std::size_t i = 0; i < journal.size() && !promoted; ++i) {
        const JournalRecord r = journal.record(i);
        if (const auto* s = std::get_if<StartRecord>(&r); s && s->kind == LaunchKind::promote)
            promoted = s->trial;
    }
    ASSERT_TRUE(promoted) << "no promotion in the run";
    std::vector<StartRecord> starts;
    std::vector<ReportRecord> decided;
    for (std::size_t i = 0; i < journal.size(); ++i) {
        const JournalRecord r = journal.record(i);
        if (const auto* s = std::get_if<StartRecord>(&r); s && s->trial == *promoted)
            starts.push_back(*s);
        if (const auto* p = std::get_if<ReportRecord>(&r); p && p->trial == *promoted && p->why)
            decided.push_back(*p);
    }
    ASSERT_FALSE(decided.empty());

    const Outcome o = asha_tune({"why", dir.string(), std::to_string(*promoted), "--json"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    const json story = json::parse(o.out);
    EXPECT_EQ(story["trial"], *promoted);
    EXPECT_TRUE(story["has_reasons"].get<bool>());
    ASSERT_EQ(story["legs"].size(), starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i) {
        SCOPED_TRACE("leg " + std::to_string(i));
        EXPECT_EQ(story["legs"][i]["kind"], to_string(starts[i].kind));
        EXPECT_EQ(story["legs"][i].contains("why"), starts[i].why.has_value());
        if (starts[i].why) {
            EXPECT_EQ(story["legs"][i]["why"], json::parse(encode_reason(*starts[i].why)));
        }
    }
    ASSERT_EQ(story["decisions"].size(), decided.size());
    for (std::size_t i = 0; i < decided.size(); ++i) {
        SCOPED_TRACE("decision " + std::to_string(i));
        EXPECT_EQ(story["decisions"][i]["decision"], to_string(decided[i].decision));
        EXPECT_EQ(story["decisions"][i]["why"], json::parse(encode_reason(*decided[i].why)));
    }

    // The same story for a person: one line per leg and per decision, with its explanation.
    const Outcome text = asha_tune({"why", dir.string(), std::to_string(*promoted)});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    const auto lines = lines_of(text.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0].rfind("trial " + std::to_string(*promoted) + ": ", 0), 0u) << text.out;
    for (std::size_t i = 0; i < decided.size(); ++i) {
        const std::string explanation = story["decisions"][i]["explanation"].get<std::string>();
        EXPECT_NE(
            text.out.find(std::string(to_string(decided[i].decision)) + " - " + explanation + "\n"),
            std::string::npos)
            << text.out;
    }
    EXPECT_NE(text.out.find("      " + story["legs"][1]["explanation"].get<std::string>()),
              std::string::npos)
        << text.out;
}

TEST(Why, AnUnknownTrialOrDirectoryIsAClearError) {
    const fs::path dir = promotion_run("why-unknown");
    Outcome o = asha_tune({"why", dir.string(), "40"});
    EXPECT_EQ(o.exit_code, 2);
    EXPECT_EQ(o.err, "asha-tune: error: " + dir.string() +
                         ": the run has no trial 40 (it started trials 0 to 39)\n");
    o = asha_tune({"why", temp_path("why-nothing").string(), "0"});
    EXPECT_EQ(o.exit_code, 2) << o.err;
    EXPECT_NE(o.err.find("asha-tune: error: "), std::string::npos) << o.err;
    o = asha_tune({"why", dir.string(), "-1"});
    EXPECT_EQ(o.exit_code, 2) << o.err;
}

// A run whose journal predates reasons (version 1) still tells its story, and says why it
// has no reasons.
TEST(Why, AJournalOfVersionOneHasItsDecisionsWithoutReasons) {
    const fs::path dir = promotion_run("why-v1");
    std::string text = read_file(dir / "journal.jsonl");
    const std::string v2 = R"("journal_version":4)";
    ASSERT_NE(text.find(v2), std::string::npos);
    text.replace(text.find(v2), v2.size(), R"("journal_version":1)");
    // Version 1 had no reasons: take every "why" object out.
    for (std::size_t at; (at = text.find(",\"why\":{")) != std::string::npos;)
        text.erase(at, text.find('}', at) + 1 - at);
    std::ofstream(dir / "journal.jsonl", std::ios::trunc) << text;
    const Outcome o = asha_tune({"why", dir.string(), "0"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_NE(o.out.find("(this run's journal is of version 1, written before decisions had "
                         "reasons: its PAUSE and STOP decisions only)\n  at "),
              std::string::npos)
        << o.out;
    EXPECT_NE(o.out.find(": PAUSE\n"), std::string::npos) << o.out;
}
