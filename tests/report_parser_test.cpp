#include "backends/report_parser.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace asha;

namespace {

std::vector<std::pair<std::string, bool>> split(LineSplitter& splitter,
                                                std::initializer_list<std::string_view> chunks,
                                                bool finish = false) {
    std::vector<std::pair<std::string, bool>> lines;
    auto collect = [&](std::string_view line, bool cut) {
        lines.emplace_back(std::string(line), cut);
    };
    for (auto chunk : chunks) splitter.feed(chunk, collect);
    if (finish) splitter.finish(collect);
    return lines;
}

using Lines = std::vector<std::pair<std::string, bool>>;

ReportParser parser() {
    return ReportParser(ReportFormat::tune_metric, "validation_error", "epoch");
}

}  // namespace

TEST(LineSplitter, KeepsAPartialLineUntilItsNewline) {
    LineSplitter s;
    EXPECT_EQ(split(s, {"abc", "def\ngh"}), (Lines{{"abcdef", false}}));
    EXPECT_EQ(split(s, {"i\n\nj\n"}), (Lines{{"ghi", false}, {"", false}, {"j", false}}));
    EXPECT_EQ(split(s, {"tail"}, true), (Lines{{"tail", false}}));
}

TEST(LineSplitter, CutsOverlongLinesAndDropsTheirRest) {
    LineSplitter s(8);
    EXPECT_EQ(split(s, {"0123456789abc", "def", "\nok\n"}),
              (Lines{{"01234567", true}, {"ok", false}}));
    EXPECT_EQ(split(s, {"0123", "4567", "89\nx\n"}), (Lines{{"01234567", true}, {"x", false}}));
}

TEST(ReportParser, ParsesTuneMetricLines) {
    ParsedLine p = parser().parse(
        R"([tune-metric]: {"epoch": 3, "validation_error": 0.4183, "st_worker_time": 1.5})");
    ASSERT_EQ(p.kind, ParsedLine::Kind::report);
    EXPECT_EQ(p.report.resource, 3);
    EXPECT_EQ(p.report.metric, 0.4183);
    EXPECT_EQ(p.report.fields.dump(),
              R"({"epoch":3,"validation_error":0.4183,"st_worker_time":1.5})");
}

TEST(ReportParser, OrdinaryLinesAreLogs) {
    EXPECT_EQ(parser().parse("epoch 3: loss 0.2").kind, ParsedLine::Kind::log);
    EXPECT_EQ(parser().parse("").kind, ParsedLine::Kind::log);
}

TEST(ReportParser, AcceptsPythonsNanAndInfinity) {
    ParsedLine p = parser().parse(R"([tune-metric]: {"epoch": 1, "validation_error": NaN})");
    ASSERT_EQ(p.kind, ParsedLine::Kind::report);
    EXPECT_TRUE(std::isnan(p.report.metric));
    p = parser().parse(
        R"([tune-metric]: {"epoch": 2, "validation_error": -Infinity, "note": "NaN stays a string"})");
    ASSERT_EQ(p.kind, ParsedLine::Kind::report);
    EXPECT_EQ(p.report.metric, -INFINITY);
    EXPECT_EQ(p.report.fields["note"], "NaN stays a string");
}

TEST(ReportParser, UnusableReportsSayWhy) {
    struct Case {
        const char* line;
        const char* kind;
        const char* problem;
    };
    const Case cases[] = {
        {"[tune-metric]: {\"epoch\": 1", "json", "report is not valid JSON:  {\"epoch\": 1"},
        {"[tune-metric]: [1, 2]", "json", "report is not a JSON object:  [1, 2]"},
        {"[tune-metric]: {\"epoch\": 1}", "metric",
         "report without \"validation_error\": {\"epoch\":1}"},
        {"[tune-metric]: {\"validation_error\": 1}", "resource",
         "report without \"epoch\": {\"validation_error\":1}"},
        {"[tune-metric]: {\"epoch\": 1, \"validation_error\": \"high\"}", "metric",
         "\"validation_error\" is not a number: \"high\""},
        {"[tune-metric]: {\"epoch\": -1, \"validation_error\": 1}", "resource",
         "\"epoch\" is not a positive number: -1"},
        {"[tune-metric]: {\"epoch\": 1e400, \"validation_error\": 1}", "json",
         "report is not valid JSON:  {\"epoch\": 1e400, \"validation_error\": 1}"},
    };
    for (const auto& c : cases) {
        ParsedLine p = parser().parse(c.line);
        EXPECT_EQ(p.kind, ParsedLine::Kind::invalid) << c.line;
        EXPECT_EQ(p.problem_kind, c.kind) << c.line;
        EXPECT_EQ(p.problem, c.problem) << c.line;
    }
}

TEST(ReportParser, RejectsDeepNestingWithoutRecursing) {
    std::string line = "[tune-metric]: {\"epoch\": 1, \"validation_error\": 1, \"x\": " +
                       std::string(100000, '[') + "}";
    ParsedLine p = parser().parse(line);
    EXPECT_EQ(p.kind, ParsedLine::Kind::invalid);
    EXPECT_EQ(p.problem, "report nested deeper than 32 levels");
}

TEST(ReportParser, KeyValueFormat) {
    ReportParser kv(ReportFormat::key_value, "validation_error", "epoch");
    ParsedLine p = kv.parse("epoch=3 validation_error=0.4183 phase=val");
    ASSERT_EQ(p.kind, ParsedLine::Kind::report);
    EXPECT_EQ(p.report.resource, 3);
    EXPECT_EQ(p.report.metric, 0.4183);
    EXPECT_EQ(p.report.fields["phase"], "val");
    EXPECT_EQ(kv.parse("loss=0.3 epoch=1").kind, ParsedLine::Kind::log);
    EXPECT_EQ(kv.parse("validation_error=0.3").kind, ParsedLine::Kind::invalid);
}

// Found by fuzz/report_parser_fuzz: invalid UTF-8 in a key=value line made the warning's
// JSON dump throw, which would have ended the run.
TEST(ReportParser, KeyValueWithInvalidUtf8IsKeptAsReplacementCharacters) {
    ReportParser kv(ReportFormat::key_value, "validation_error", "epoch");
    ParsedLine bad = kv.parse("validation_error=\xd7x");
    ASSERT_EQ(bad.kind, ParsedLine::Kind::invalid);
    EXPECT_EQ(bad.problem, "report without \"epoch\": {\"validation_error\":\"\xef\xbf\xbdx\"}");
    ParsedLine good = kv.parse("epoch=1 validation_error=0.5 phase=\xff\xfe");
    ASSERT_EQ(good.kind, ParsedLine::Kind::report);
    EXPECT_EQ(good.report.fields["phase"], "\xef\xbf\xbd\xef\xbf\xbd");
}
