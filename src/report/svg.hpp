#pragma once
/// The SVG kit of the HTML report: escaping, colours, scales with readable ticks, plots with
/// axes, figures with captions. Each returns text; exact strings are tested (tests/svg_test.cpp).

#include "asha/trial.hpp"

#include <string>
#include <vector>

namespace asha::svg {

/// A plot's size and margins, in pixels.
inline constexpr double kWidth = 860, kHeight = 300;
inline constexpr double kLeft = 70, kRight = 20, kTop = 20, kBottom = 45;

/// `text` with &, <, > and " escaped for HTML text and attributes.
std::string escape(const std::string& text);

/// A trial's colour: hues spread by the golden angle, so neighbouring ids differ.
std::string colour(TrialId id);

/// A linear or logarithmic map from data to pixels, with readable ticks.
struct Scale {
    double lo = 0, hi = 1, from = 0, to = 1;
    bool log = false;

    /// An empty or non-finite data range is widened so that nothing divides by zero; a log
    /// scale needs a positive lower end, else it is linear.
    Scale(double data_lo, double data_hi, double pixel_from, double pixel_to,
          bool logarithmic = false);
    double operator()(double x) const;
    /// About five round values (1, 2 or 5 times a power of ten), or the powers of ten of a log
    /// scale.
    std::vector<double> ticks() const;
};

/// A tick's text: "0", 3 significant digits, or a power of ten for very large or small values.
std::string tick_label(double x);

/// Vertical grid lines and labels for the ticks of a horizontal axis.
std::string x_ticks(const Scale& x, double height);

/// Opens an SVG plot with a frame, grid, ticks and axis labels (close it with figure()). An
/// x scale whose pixel range is empty draws no x ticks: a categorical axis labels its own.
std::string open_plot(const std::string& css_class, const Scale& x, const Scale& y,
                      const std::string& x_label, const std::string& y_label,
                      double height = kHeight);

/// Closes `svg` and wraps it with its caption (HTML, already escaped).
std::string figure(const std::string& svg, const std::string& caption);

}  // namespace asha::svg
