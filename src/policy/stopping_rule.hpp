#pragma once
/// The rung levels and the stopping rule of ASHA, exactly as the reference the book ran: Syne
/// Tune's legacy rung system (`HyperbandScheduler(type="stopping")`, v0.13), which d2l §19.5
/// used. Pure arithmetic, shared by the schedulers, the report and the tests' brute-force oracle.
///
/// Rung levels: r_k = round(grace_period * eta^k) for every k with grace_period * eta^k < max_t
/// (round half to even, as Python's round), with a level equal to max_t dropped. Bracket b
/// keeps the levels from r_b on. Where grace_period or max_t is not a whole number (the
/// reference refuses such configs), the levels are grace_period * eta^k unrounded.
///
/// Stopping rule at rung k: insert the new value, then continue iff it is at least as good as
/// numpy.quantile(values at the rung, q_k) (linear interpolation), with q_k = r_k / r_{k+1} and
/// r_{K+1} = max_t; in mode max, the (1 - q_k) quantile and "at least" the other way round. For
/// geometric rungs (max_t = grace * eta^K) q_k is 1/eta. In exact arithmetic both modes reduce
/// to one rank test: with b values strictly better than the new one among the n recorded (the
/// new one included), continue iff b <= floor((n - 1) * q_k). asha-tune evaluates that exactly
/// (integer arithmetic for whole-number levels), so it takes the reference's decision for any
/// sequence of reports except where the reference's double arithmetic lands within an ulp of
/// a value (README "Scheduling"). Other deliberate differences: NaN and ±inf rank worst; a
/// report that jumps over a rung is judged at the highest rung it passed.

#include "asha/rng.hpp"

#include <cstddef>
#include <vector>

namespace asha {

/// The rung levels of bracket `bracket` (see above).
std::vector<double> rung_levels(double grace_period, double eta, double max_t, int bracket = 0);

/// q_k = r_k / r_{k+1} for each level of `levels` (ascending, all below max_t), r_{K+1} = max_t.
std::vector<double> rung_quantiles(const std::vector<double>& levels, double max_t);

/// The most values strictly better than the new one that a rung of `n` values (the new one
/// included) may hold for the new one to continue, at rung level `level` whose next level
/// (or max_t) is `next_level`: floor((n - 1) * level / next_level), exactly.
std::size_t continue_rank(std::size_t n, double level, double next_level);

/// MO-ASHA's stopping rule (Syne Tune v0.13's MOASHA, with the rank it means to read): a result
/// placed at position p (0: first) of the rung's priority order among n stops iff p / n > 1 / eta,
/// in the reference's double arithmetic. Returns how many positions continue (p < that).
std::size_t moasha_continue_count(std::size_t n, double eta);

/// Hyperband's share of new trials for each of `brackets` brackets over a ladder of `levels`
/// rungs below max_t (as often as synchronous Hyperband would start them): bracket b is
/// Hyperband's s = levels - b, started with (levels + 1) / (s + 1) * eta^s trials, normalised.
std::vector<double> hyperband_bracket_shares(std::size_t levels, int brackets, double eta);

/// The bracket of a new trial, drawn with `shares`; one bracket draws nothing (the RNG is left
/// to the searcher).
int draw_bracket(const std::vector<double>& shares, Rng& rng);

}  // namespace asha
