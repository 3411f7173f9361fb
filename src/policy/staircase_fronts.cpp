#include "policy/staircase_fronts.hpp"
#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

namespace asha {

// Facts 1 and 2 of policy/layered_fronts.hpp: a new point's front is the first with no point
// dominating it, and a point moves from front j to j + 1 iff a point that has just entered
// front j dominates it. Within one front sorted by x the y values fall (strictly, except for
// equal points, which sit side by side).
//
// Fact 1 here. Let I be a contiguous run of front j - 1 (or I = {p}, the new point, at p's own
// front) with leftmost point i0 and rightmost i1. A point q of front j is dominated by a point
// of I iff q.x >= i0.x and q.y >= i1.y. Only if: r in I dominating q has i0.x <= r.x <= q.x
// and q.y >= r.y >= i1.y. If: q has a dominator s in front j - 1. If s is in I, done. If s is
// left of I, i0.y < s.y <= q.y, so i0 dominates q. If s is right of I, i1.x < s.x <= q.x and
// i1.y <= q.y, so i1 dominates q. The points satisfying the condition are a suffix in x and a
// prefix in y of the staircase: one contiguous run R. The points left of R have x < i0.x; those
// right of it have y < i1.y and so x > i1.x (else they would dominate i1, a point of an earlier
// front). So I fits where R was, and stays in staircase order; R, leaving, is a contiguous run
// of front j, as the next step needs. For I = {p} the same holds with p.x, p.y, except for a
// point equal to p: then p only joins its equals (it dominates nothing they do not).
//
// Fact 2 here. For points a, b, c in staircase order, |a.x - c.x| >= |a.x - b.x| and
// |a.y - c.y| >= |a.y - b.y|; floating-point subtraction, squares, sums and square roots are
// monotone, so dist(a, c) >= dist(a, b) as computed too. The nearest taken point of an untaken
// q is its nearest taken neighbour left or right. In a gap between taken a < b (staircase
// positions), g(q) = min(dist(q, a), dist(q, b)) rises (weakly) and then falls, so its maximum
// M is at the crossing, and the positions where g = M are one range, found by binary search.
// The next point of the net is, over all gaps, the one of largest M, ties to the lowest index:
// a heap of gaps, each keyed by its M and the lowest index in its range of maxima.

namespace {

/// The lowest index in a range of staircase positions: a segment tree over the front.
class LowestIndex {
  public:
    explicit LowestIndex(const std::vector<std::uint32_t>& ids) : n_(ids.size()), tree_(2 * n_) {
        std::copy(ids.begin(), ids.end(), tree_.begin() + static_cast<long>(n_));
        for (std::size_t i = n_ - 1; i > 0; --i)
            tree_[i] = std::min(tree_[2 * i], tree_[2 * i + 1]);
    }
    /// The lowest index among positions [lo, hi], lo <= hi.
    std::uint32_t in(std::size_t lo, std::size_t hi) const {
        std::uint32_t best = std::numeric_limits<std::uint32_t>::max();
        for (lo += n_, hi += n_ + 1; lo < hi; lo /= 2, hi /= 2) {
            if (lo & 1) best = std::min(best, tree_[lo++]);
            if (hi & 1) best = std::min(best, tree_[--hi]);
        }
        return best;
    }

  private:
    std::size_t n_;
    std::vector<std::uint32_t> tree_;
};

}  // namespace

bool StaircaseFronts::dominated_by_front(std::size_t f, const double* p) const {
    const std::vector<std::uint32_t>& s = fronts_[f];
    // The last point with x' <= x: the lowest y among those that could dominate p.
    const auto after = std::upper_bound(s.begin(), s.end(), p[0],
                                        [&](double v, std::uint32_t i) { return v < x(i); });
    if (after == s.begin()) return false;
    const std::uint32_t q = *(after - 1);
    return y(q) <= p[1] && !(x(q) == p[0] && y(q) == p[1]);
}

void StaircaseFronts::exchange(std::size_t f, const std::vector<std::uint32_t>& arriving,
                               std::vector<std::uint32_t>& leaving) {
    std::vector<std::uint32_t>& s = fronts_[f];
    const double left_x = x(arriving.front()), low_y = y(arriving.back());
    // First position with x >= left_x; first position (after it) with y < low_y.
    const auto first = std::lower_bound(s.begin(), s.end(), left_x,
                                        [&](std::uint32_t i, double v) { return x(i) < v; });
    const auto last =
        std::partition_point(first, s.end(), [&](std::uint32_t i) { return y(i) >= low_y; });
    if (arriving.size() == 1 && first != s.end() && x(*first) == left_x && y(*first) == low_y) {
        // Equal to points of this front (only a new point can be): it joins them, after them
        // (the highest index), and dominates nothing.
        const auto after_equals = std::upper_bound(
            first, s.end(), left_x, [&](double v, std::uint32_t i) { return v < x(i); });
        s.insert(after_equals, arriving.front());
        return;
    }
    leaving.assign(first, last);
    const auto at = first - s.begin();
    const std::size_t replaced = leaving.size(), put = arriving.size();
    if (put <= replaced) {
        std::copy(arriving.begin(), arriving.end(), s.begin() + at);
        s.erase(s.begin() + at + static_cast<long>(put),
                s.begin() + at + static_cast<long>(replaced));
    } else {
        std::copy(arriving.begin(), arriving.begin() + static_cast<long>(replaced), s.begin() + at);
        s.insert(s.begin() + at + static_cast<long>(replaced),
                 arriving.begin() + static_cast<long>(replaced), arriving.end());
    }
}

std::vector<std::uint32_t> StaircaseFronts::walk_net(std::uint32_t k, const Stop& stop) const {
    const std::vector<std::uint32_t>& s = fronts_[k - 1];
    const std::size_t n = s.size();
    std::vector<std::uint32_t> order;
    if (n == 0) return order;
    const LowestIndex lowest(s);
    const auto dist = [&](std::size_t a, std::size_t b) {
        return euclidean_distance(point(s[a]), point(s[b]), 2);
    };

    // A gap between taken positions a < b (a = -1: none left; b = n: none right), with the
    // largest nearest-taken distance in it and the lowest index that has it.
    struct Gap {
        double reach;
        std::uint32_t id;
        std::size_t pos;  // of that index
        long a;
        std::size_t b;
    };
    const auto worse = [](const Gap& u, const Gap& v) {
        return u.reach < v.reach || (u.reach == v.reach && u.id > v.id);
    };
    std::priority_queue<Gap, std::vector<Gap>, decltype(worse)> gaps(worse);
    const auto push_gap = [&](long a, std::size_t b) {
        const auto first = static_cast<std::size_t>(a + 1);
        if (first >= b) return;
        // [lo, hi]: the positions where g reaches its maximum, `reach`.
        std::size_t lo = first, hi = b - 1;
        double reach = 0;
        if (a < 0) {  // only b beside (left of the seed: its equals): g = dist(q, b) falls
            reach = dist(first, b);
            hi = end_of_prefix(first, b, [&](std::size_t q) { return dist(q, b) >= reach; }) - 1;
        } else if (b == n) {  // only a: g = dist(q, a) rises, its maximum comes last
            const auto au = static_cast<std::size_t>(a);
            reach = dist(b - 1, au);
            lo = end_of_prefix(first, b, [&](std::size_t q) { return dist(q, au) < reach; });
        } else {
            const auto au = static_cast<std::size_t>(a);
            // Before c, g = dist(q, a) (rising); from c on, g = dist(q, b) (falling).
            const std::size_t c =
                end_of_prefix(first, b, [&](std::size_t q) { return dist(q, au) < dist(q, b); });
            if (c > first) reach = dist(c - 1, au);
            if (c < b) reach = std::max(reach, dist(c, b));
            lo = end_of_prefix(first, c, [&](std::size_t q) { return dist(q, au) < reach; });
            hi = end_of_prefix(c, b, [&](std::size_t q) { return dist(q, b) >= reach; }) - 1;
        }
        const std::uint32_t id = lowest.in(lo, hi);
        // Its position: a scan of [lo, hi], one or two positions unless points are equal.
        std::size_t at = lo;
        while (s[at] != id) ++at;
        gaps.push(Gap{reach, id, at, a, b});
    };

    // The seed: the smallest first objective (the leftmost points, all equal), lowest index.
    std::size_t equal_end = 1;
    while (equal_end < n && x(s[equal_end]) == x(s[0])) ++equal_end;
    const std::uint32_t seed_id = lowest.in(0, equal_end - 1);
    std::size_t seed = 0;
    while (s[seed] != seed_id) ++seed;
    order.push_back(seed_id);
    if (stop(seed_id)) return order;
    push_gap(-1, seed);
    push_gap(static_cast<long>(seed), n);
    while (!gaps.empty()) {
        const Gap g = gaps.top();
        gaps.pop();
        order.push_back(g.id);
        if (stop(g.id)) break;
        push_gap(g.a, g.pos);
        push_gap(static_cast<long>(g.pos), g.b);
    }
    return order;
}

}  // namespace asha
