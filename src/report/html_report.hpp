#pragma once
/// A self-contained HTML report of one or more runs: inline SVG and CSS, no script, no network.
/// The report a live run rewrites reloads itself (a meta refresh) until the run has ended.
/// Pure rendering: it takes what read_run() read and returns the page as a string.
///
/// Per run: learning curves (metric vs wall-clock and vs resource; stopped trials end in a cross,
/// promoted trials are dashed, the best trial is drawn thick), best-so-far vs wall-clock, the
/// worker timeline (one row per worker slot, a bar per leg coloured by trial, rung levels as
/// ticks, utilisation per worker), the rung table, the top trials with their configs, and the
/// metric against each hyperparameter (log axes for log domains). With several runs, a
/// comparison of their best-so-far curves and utilisation comes first.
///
/// Large runs are decimated, and the captions say so: at most kMaxCurves full learning curves
/// (the best trials; the others appear as their final point), at most kMaxPointsPerCurve points
/// per curve, at most kMaxBars timeline bars, at most kMaxDots final points and scatter points
/// (the best trials' final points; an even sample of the scatter).

#include "report/run_analysis.hpp"
#include "run/run_reader.hpp"

#include <string>
#include <vector>

namespace asha {

constexpr std::size_t kMaxCurves = 300;
constexpr std::size_t kMaxPointsPerCurve = 200;
constexpr std::size_t kMaxBars = 20000;
constexpr std::size_t kMaxDots = 5000;  ///< final points of undrawn curves; scatter points

struct ReportOptions {
    /// > 0: the page reloads itself every this-many seconds (a meta refresh) and says so: the
    /// report a live run keeps rewriting. 0: a static page.
    int refresh_seconds = 0;
};

std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options = {});

/// Reads the run directory `dir` back, exactly as `asha-tune report` does, and writes its
/// report.html atomically: the final static page when `ended` (the run's lock may still be held
/// by the caller), else a live page that reloads itself every `refresh_seconds`. A failure is
/// logged as a warning: drawing the report must never end a run.
void write_html_report(const std::filesystem::path& dir, bool ended, double refresh_seconds);

}  // namespace asha
