// journal.jsonl: torn lines, damage, number round trips, write errors.

#include "run/journal.hpp"

#include "test_util.hpp"

#include <cmath>
#include <fstream>

using namespace asha;

namespace {

const std::string kHeader =
    R"({"event":"run","journal_version":1,"backend":"simulate","config":{}})"
    "\n";

}  // namespace

TEST(Journal, CompleteRecordsAreRead) {
    std::string text = kHeader + R"({"event":"start","time":0,"trial":0})" + "\n" +
                       R"({"event":"clock","time":10})" + "\n";
    JournalContents j = parse_journal(text, "j");
    EXPECT_EQ(j.header.backend, "simulate");
    ASSERT_EQ(j.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<ClockRecord>(j.record(1)));
    EXPECT_EQ(std::get<ClockRecord>(j.record(1)).time, 10);
    EXPECT_EQ(j.good_bytes, text.size());
    EXPECT_EQ(j.torn_bytes, 0u);
}

TEST(Journal, ATornLastLineIsDroppedWhereverItWasCut) {
    const std::string last = R"({"event":"report","time":1.5,"trial":3,"decision":"STOP"})";
    const std::string good = kHeader + R"({"event":"start","time":0,"trial":0})" + "\n";
    // Every cut of the last record, with or without the newline that a half-finished write
    // may or may not have reached, and the zeros some filesystems leave after a power loss.
    for (std::size_t cut = 1; cut < last.size(); ++cut) {
        for (const std::string& tail :
             {last.substr(0, cut), last.substr(0, cut) + "\n", std::string(cut, '\0')}) {
            JournalContents j = parse_journal(good + tail, "j");
            ASSERT_EQ(j.size(), 1u) << "cut at " << cut;
            EXPECT_EQ(j.good_bytes, good.size());
            EXPECT_EQ(j.torn_bytes, tail.size());
        }
    }
}

TEST(Journal, DamageBeforeTheLastLineIsAnError) {
    std::string text =
        kHeader + "{\"event\":\"start\",\"ti\n" + R"({"event":"clock","time":1})" + "\n";
    EXPECT_THROW_MSG(parse_journal(text, "run/journal.jsonl"), Error,
                     "run/journal.jsonl line 2: not a journal record (the file is damaged; only "
                     "its last line may be torn by a crash). To resume from the records before "
                     "it, cut the file there: truncate -s " +
                         std::to_string(kHeader.size()) + " run/journal.jsonl");
    EXPECT_THROW_MSG(parse_journal("", "j"), Error, "j: empty journal (the run never started)");
    EXPECT_THROW_MSG(parse_journal(R"({"event":"start"})"
                                   "\n",
                                   "j"),
                     Error, "j line 1: expected the \"run\" header of journal version 1 to 4");
}

TEST(Journal, NumbersSurviveTheRoundTrip) {
    for (double x : {0.0, -1.5, 0.1, 1e300, 5e-324, 0.30000000000000004}) {
        json back = json::parse(journal_number(x).dump());
        EXPECT_EQ(journal_double(back), x);
    }
    EXPECT_TRUE(std::isnan(journal_double(json::parse(journal_number(NAN).dump()))));
    EXPECT_EQ(journal_double(json::parse(journal_number(-INFINITY).dump())), -INFINITY);
    EXPECT_EQ(journal_double(json::parse(journal_number(INFINITY).dump())), INFINITY);
    EXPECT_THROW(journal_double(json("inf")), std::invalid_argument);
    EXPECT_THROW(journal_double(json()), std::invalid_argument);
}

// Integers are checked before they are converted: nlohmann's get<int>() of 1e300 is undefined
// behaviour (the journal fuzzer found it in "bracket").
TEST(Journal, AnIntegerFieldOutOfItsRangeIsAnError) {
    for (const std::string field : {R"("bracket":2.2e41)", R"("leg":1.5)", R"("trial":1e3)",
                                    R"("trial":18446744073709551615)", R"("leg":"2")"}) {
        const std::string text =
            kHeader + R"({"event":"start","time":0,"trial":0,"kind":"new","milestone":1,)" + field +
            "}\n";
        const JournalContents j = parse_journal(text, "j");
        EXPECT_THROW(j.record(0), std::exception) << field;
    }
    const std::string text = kHeader + R"({"event":"exit","time":0,"trial":1,"exit_code":3e9})" +
                             "\n" + R"({"event":"resume","time":0,"pid":12})" + "\n";
    const JournalContents j = parse_journal(text, "j");
    EXPECT_THROW_MSG(j.record(0), std::invalid_argument,
                     "\"exit_code\": expected an integer, found 3000000000.0");
    EXPECT_EQ(std::get<ResumeRecord>(j.record(1)).pid, 12);
    EXPECT_THROW_MSG(parse_journal(R"({"event":"run","journal_version":1e300,"config":{}})"
                                   "\n",
                                   "j"),
                     Error, "j line 1: expected the \"run\" header of journal version 1 to 4");
}

// A full disk, injected: /dev/full fails every write with ENOSPC.
TEST(Journal, AFullDiskIsAClearError) {
    JournalWriter journal("/dev/full", JournalSync::never, false);
    EXPECT_THROW_MSG(journal.append(ClockRecord{1}), Error,
                     "cannot write /dev/full: No space left on device");
}

TEST(Journal, WriterCutsATornTailBeforeAppending) {
    auto path = std::filesystem::path(::testing::TempDir()) /
                ("journal-" + std::to_string(::getpid()) + ".jsonl");
    {
        JournalWriter journal(path, JournalSync::always, false);
        journal.append(decode_header(json::parse(kHeader)));
        journal.append(ClockRecord{1});
    }
    {
        std::ofstream(path, std::ios::app) << R"({"event":"clo)";  // the crash
    }
    JournalContents torn = read_journal(path);
    ASSERT_EQ(torn.size(), 1u);
    {
        JournalWriter journal(path, JournalSync::batch, true, torn.good_bytes);
        journal.append(ClockRecord{2});
        journal.close();
    }
    JournalContents j = read_journal(path);
    EXPECT_EQ(j.torn_bytes, 0u);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(record_time(j.record(1)), 2);
    std::filesystem::remove(path);
}
