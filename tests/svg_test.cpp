// The report's SVG kit (report/svg.hpp), by exact strings: what it writes is what a browser
// draws, so a changed character is a changed picture.

#include "report/svg.hpp"

#include "test_util.hpp"

using namespace asha::svg;

TEST(Svg, TextIsEscapedForHtml) {
    EXPECT_EQ(escape(R"(a<b & "c">d)"), "a&lt;b &amp; &quot;c&quot;&gt;d");
    EXPECT_EQ(escape("plain"), "plain");
}

TEST(Svg, TrialColoursSpreadByTheGoldenAngle) {
    EXPECT_EQ(colour(0), "hsl(0,65%,45%)");
    EXPECT_EQ(colour(1), "hsl(138,65%,45%)");
    EXPECT_EQ(colour(3), "hsl(53,65%,45%)");  // 412.5 degrees, once around
}

TEST(Svg, ScalesMapDataToPixelsWithRoundTicks) {
    const Scale x(0, 10, 100, 200);
    EXPECT_DOUBLE_EQ(x(0), 100);
    EXPECT_DOUBLE_EQ(x(5), 150);
    EXPECT_EQ(x.ticks(), (std::vector<double>{0, 2, 4, 6, 8, 10}));
    const Scale y(0.13, 0.92, 300, 0);  // inverted, as a y axis is
    EXPECT_EQ(y.ticks(), (std::vector<double>{0.2, 0.4, 0.6000000000000001, 0.8}));
    const Scale log(0.01, 1, 0, 100, true);
    EXPECT_DOUBLE_EQ(log(0.1), 50);
    EXPECT_EQ(log.ticks(), (std::vector<double>{0.01, 0.1, 1}));
    // A log scale needs a positive lower end; an empty or non-finite range is widened.
    EXPECT_FALSE(Scale(0, 1, 0, 1, true).log);
    const Scale flat(3, 3, 0, 100);
    EXPECT_DOUBLE_EQ(flat(3), 50);
    const Scale nan(NAN, 1, 0, 100);
    EXPECT_DOUBLE_EQ(nan(0.5), 50);
}

TEST(Svg, TickLabelsAreShort) {
    EXPECT_EQ(tick_label(0), "0");
    EXPECT_EQ(tick_label(0.25), "0.25");
    EXPECT_EQ(tick_label(1500), "1500");
    EXPECT_EQ(tick_label(250000), "2e+05");
    EXPECT_EQ(tick_label(0.0001), "1e-04");
}

TEST(Svg, APlotHasItsFrameTicksAndLabels) {
    const Scale x(0, 1, kLeft, kWidth - kRight), y(0, 1, kHeight - kBottom, kTop);
    const std::string s = open_plot("curves", x, y, "epoch", "loss & <error>");
    EXPECT_EQ(s.substr(0, s.find('\n')),
              R"(<svg class="curves" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 860 300" )"
              R"(width="860" height="300">)");
    EXPECT_NE(s.find(R"(<rect class="frame" x="70" y="20" width="770" height="235"/>)"),
              std::string::npos);
    EXPECT_NE(s.find(R"(<line class="grid" x1="70.0" x2="70.0" y1="20" y2="255"/><text )"
                     R"(class="tick" x="70.0" y="271" text-anchor="middle">0</text>)"),
              std::string::npos);
    EXPECT_NE(s.find(R"(<text class="label" x="455" y="292" text-anchor="middle">epoch</text>)"),
              std::string::npos);
    EXPECT_NE(s.find(">loss &amp; &lt;error&gt;</text>"), std::string::npos);
    // A categorical x axis (an empty pixel range) draws its own ticks: none here.
    const std::string categorical = open_plot("scatter", Scale(0, 0, 0, 0), y, "optimizer", "m");
    EXPECT_EQ(categorical.find("text-anchor=\"middle\">0</text>"), std::string::npos);
    EXPECT_EQ(figure("<svg>", "A caption."),
              "<figure>\n<svg></svg>\n<figcaption>A caption.</figcaption>\n</figure>\n");
}
