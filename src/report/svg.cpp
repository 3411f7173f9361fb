#include "report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace asha::svg {

std::string escape(const std::string& text) {
    std::string out;
    for (char ch : text) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

std::string colour(TrialId id) {
    return fmt::format("hsl({:.0f},65%,45%)", std::fmod(static_cast<double>(id) * 137.508, 360.0));
}

Scale::Scale(double data_lo, double data_hi, double pixel_from, double pixel_to, bool logarithmic)
    : from(pixel_from), to(pixel_to), log(logarithmic && data_lo > 0) {
    if (!std::isfinite(data_lo) || !std::isfinite(data_hi)) data_lo = 0, data_hi = 1;
    if (data_hi <= data_lo) {
        double pad = std::max(std::fabs(data_lo) * 0.05, 1e-9);
        data_lo -= pad;
        data_hi += pad;
    }
    lo = log ? std::log10(data_lo) : data_lo;
    hi = log ? std::log10(data_hi) : data_hi;
}

double Scale::operator()(double x) const {
    double v = log ? std::log10(std::max(x, 1e-300)) : x;
    return from + (v - lo) / (hi - lo) * (to - from);
}

std::vector<double> Scale::ticks() const {
    std::vector<double> out;
    if (log) {
        for (double e = std::floor(lo); e <= std::ceil(hi); ++e)
            if (e >= lo - 1e-9 && e <= hi + 1e-9) out.push_back(std::pow(10.0, e));
        if (out.size() < 2) out = {std::pow(10.0, lo), std::pow(10.0, hi)};
        return out;
    }
    double raw = (hi - lo) / 5, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude * (raw / magnitude < 1.5   ? 1
                               : raw / magnitude < 3.5 ? 2
                               : raw / magnitude < 7.5 ? 5
                                                       : 10);
    for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
        out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
    return out;
}

std::string tick_label(double x) {
    if (x == 0) return "0";
    double a = std::fabs(x);
    if (a >= 1e5 || a < 1e-3) return fmt::format("{:.0e}", x);
    return fmt::format("{:g}", x);
}

std::string x_ticks(const Scale& x, double height) {
    std::string s;
    for (double t : x.ticks())
        s += fmt::format(
            "<line class=\"grid\" x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\"/><text "
            "class=\"tick\" "
            "x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>\n",
            x(t), kTop, height - kBottom, height - kBottom + 16, tick_label(t));
    return s;
}

std::string open_plot(const std::string& css_class, const Scale& x, const Scale& y,
                      const std::string& x_label, const std::string& y_label, double height) {
    std::string s = fmt::format(
        "<svg class=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" "
        "height=\"{}\">\n",
        css_class, kWidth, height, kWidth, height);
    s += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n",
                     kLeft, kTop, kWidth - kLeft - kRight, height - kTop - kBottom);
    if (x.to != x.from) s += x_ticks(x, height);  // a categorical axis labels its own positions
    for (double t : y.ticks())
        s += fmt::format(
            "<line class=\"grid\" x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"/><text "
            "class=\"tick\" "
            "x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
            kLeft, kWidth - kRight, y(t), kLeft - 6, y(t) + 4, tick_label(t));
    s += fmt::format("<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     (kLeft + kWidth - kRight) / 2, height - 8, escape(x_label));
    s += fmt::format(
        "<text class=\"label\" transform=\"translate(16 {}) rotate(-90)\" "
        "text-anchor=\"middle\">{}</text>\n",
        (kTop + height - kBottom) / 2, escape(y_label));
    return s;
}

std::string figure(const std::string& svg, const std::string& caption) {
    return "<figure>\n" + svg + "</svg>\n<figcaption>" + caption + "</figcaption>\n</figure>\n";
}

}  // namespace asha::svg
