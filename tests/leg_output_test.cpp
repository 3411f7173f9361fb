// What a leg's stdout lines mean (backends/leg_output.hpp), as values: reports with where
// their line ends, warnings with their kind, nothing for plain log lines.

#include "backends/leg_output.hpp"

#include "test_util.hpp"

using namespace asha;

TEST(LegOutput, EachLineGivesItsEvents) {
    const ReportParser parser(ReportFormat::tune_metric, "loss", "epoch");
    std::deque<BackendEvent> events;
    line_events(parser, 4, "epoch 1 done", false, 100, 13, events);
    EXPECT_TRUE(events.empty());  // a log line

    line_events(parser, 4, R"([tune-metric]: {"epoch": 2, "loss": 0.25})", false, 100, 57, events);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, BackendEvent::Kind::report);
    EXPECT_EQ(events[0].trial_id, 4);
    EXPECT_EQ(events[0].report.resource, 2);
    EXPECT_EQ(events[0].report.metric, 0.25);
    EXPECT_EQ(events[0].offset, 57u);

    events.clear();
    line_events(parser, 4, R"([tune-metric]: {"epoch": 3})", false, 100, 0, events);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, BackendEvent::Kind::warning);
    EXPECT_EQ(events[0].warning_kind, "metric");
    EXPECT_EQ(events[0].message, R"(ignored a report: report without "loss": {"epoch":3})");

    // A cut line: the warning first, then what is left of it is parsed like any line.
    events.clear();
    line_events(parser, 4, "[tune-metric]: {\"epo", true, 20, 0, events);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].warning_kind, "long-line");
    EXPECT_EQ(events[0].message, "cut a stdout line longer than 20 bytes");
    EXPECT_EQ(events[1].kind, BackendEvent::Kind::warning);
    EXPECT_EQ(events[1].warning_kind, "json");
}

TEST(LegOutput, TheStderrTailKeepsItsLastBytes) {
    std::string tail;
    keep_stderr_tail(tail, "start\n");
    EXPECT_EQ(tail, "start\n");
    const std::string chunk(1000, 'x');
    for (int i = 0; i < 10; ++i) keep_stderr_tail(tail, chunk);
    keep_stderr_tail(tail, "the end\n");
    EXPECT_GE(tail.size(), kStderrTail);
    EXPECT_LE(tail.size(), 2 * kStderrTail);
    EXPECT_EQ(tail.substr(tail.size() - 8), "the end\n");
}

TEST(LegOutput, AFailureMessageEndsWithTheLastLinesOfStderr) {
    EXPECT_EQ(stderr_tail_lines("a\nb\nTraceback\nRuntimeError: boom\n\n", 2),
              "Traceback|RuntimeError: boom");
    EXPECT_EQ(stderr_tail_lines("only line", 3), "only line");
    EXPECT_EQ(stderr_tail_lines("x\r\n", 3), "x");
    EXPECT_EQ(stderr_tail_lines("", 3), "");
}
