#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace asha {

namespace {

/// The Euclidean distance, rounded as the reference's np.linalg.norm rounds it (the square root
/// of the sum of squares): two distances that the square root makes equal are a tie there too.
double distance(const Objectives& a, const Objectives& b) {
    double sum = 0.0;
    for (std::size_t k = 0; k < a.size(); ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
    return std::sqrt(sum);
}

/// The points of `points` that `members` names, as their own vector (for one front).
std::vector<Objectives> subset(const std::vector<Objectives>& points,
                               const std::vector<std::size_t>& members) {
    std::vector<Objectives> out;
    out.reserve(members.size());
    for (std::size_t i : members) out.push_back(points[i]);
    return out;
}

}  // namespace

bool dominates(const Objectives& a, const Objectives& b) {
    assert(a.size() == b.size());
    bool better_somewhere = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k] > b[k]) return false;
        if (a[k] < b[k]) better_somewhere = true;
    }
    return better_somewhere;
}

std::vector<bool> pareto_efficient(const std::vector<Objectives>& points) {
    // A point that is dominated is dominated by some efficient point (domination is transitive
    // and there are finitely many points), so each point is compared with the efficient points
    // found so far only: O(n f d) for f efficient points.
    std::vector<bool> efficient(points.size(), false);
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < points.size(); ++i) {
        bool dominated = false;
        for (std::size_t j : front)
            if (dominates(points[j], points[i])) {
                dominated = true;
                break;
            }
        if (dominated) continue;
        // i is efficient among those seen so far; it may dominate some of the front.
        std::erase_if(front, [&](std::size_t j) {
            if (!dominates(points[i], points[j])) return false;
            efficient[j] = false;
            return true;
        });
        front.push_back(i);
        efficient[i] = true;
    }
    return efficient;
}

std::vector<std::size_t> epsilon_net_order(const std::vector<Objectives>& points,
                                           std::size_t seed_objective) {
    const std::size_t n = points.size();
    std::vector<std::size_t> order;
    if (n == 0) return order;
    order.reserve(n);
    std::size_t seed = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (points[i][seed_objective] < points[seed][seed_objective]) seed = i;
    // nearest[i]: the distance from i to the nearest point taken; taken points are marked
    // with -1 (no distance is negative).
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    std::size_t next = seed;
    for (std::size_t step = 0; step < n; ++step) {
        order.push_back(next);
        nearest[next] = -1.0;
        std::size_t farthest = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (nearest[i] < 0.0) continue;
            nearest[i] = std::min(nearest[i], distance(points[i], points[next]));
            if (farthest == n || nearest[i] > nearest[farthest]) farthest = i;
        }
        next = farthest;
    }
    return order;
}

std::vector<std::uint32_t> nondominated_fronts(const std::vector<Objectives>& points) {
    const std::size_t n = points.size();
    std::vector<std::uint32_t> front(n, 0);
    if (n == 0) return front;
    std::vector<std::size_t> lex(n);
    std::iota(lex.begin(), lex.end(), std::size_t{0});
    std::sort(lex.begin(), lex.end(),
              [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
    if (points.front().size() == 2) {
        // In lexicographic order every point that dominates p comes before p, and a point
        // before p dominates it iff its second value is no larger (or it is equal to p). The
        // smallest second value of each front found so far grows with the front (a point of
        // front k + 1 has a dominator in front k), so p's front is one more than the last front
        // whose smallest second value is <= p's: a binary search. An equal point shares the
        // front of the one before it.
        std::vector<double> lowest;  // lowest[k]: the smallest second value in front k + 1
        for (std::size_t r = 0; r < n; ++r) {
            const std::size_t i = lex[r];
            if (r > 0 && points[lex[r - 1]] == points[i]) {
                front[i] = front[lex[r - 1]];
                continue;
            }
            const double y = points[i][1];
            const auto k = static_cast<std::size_t>(
                std::upper_bound(lowest.begin(), lowest.end(), y) - lowest.begin());
            if (k == lowest.size())
                lowest.push_back(y);
            else
                lowest[k] = std::min(lowest[k], y);
            front[i] = static_cast<std::uint32_t>(k + 1);
        }
        return front;
    }
    // Any number of objectives: a point's front is one more than the highest front of the points
    // that dominate it, all of which come before it in lexicographic order.
    for (std::size_t r = 0; r < n; ++r) {
        const std::size_t i = lex[r];
        std::uint32_t highest = 0;
        for (std::size_t s = 0; s < r; ++s)
            if (front[lex[s]] > highest && dominates(points[lex[s]], points[i]))
                highest = front[lex[s]];
        front[i] = highest + 1;
    }
    return front;
}

namespace {

/// The members of front `f` (in index order) and how many points lie in earlier fronts.
std::vector<std::size_t> members_of(const std::vector<std::uint32_t>& fronts, std::uint32_t f,
                                    std::size_t& before) {
    std::vector<std::size_t> members;
    before = 0;
    for (std::size_t i = 0; i < fronts.size(); ++i) {
        if (fronts[i] < f) ++before;
        if (fronts[i] == f) members.push_back(i);
    }
    return members;
}

}  // namespace

std::size_t nondominated_position(const std::vector<Objectives>& points, std::size_t which,
                                  std::size_t seed_objective, std::uint32_t& front) {
    const std::vector<std::uint32_t> fronts = nondominated_fronts(points);
    front = fronts[which];
    std::size_t before = 0;
    const std::vector<std::size_t> members = members_of(fronts, front, before);
    const std::vector<std::size_t> net = epsilon_net_order(subset(points, members), seed_objective);
    for (std::size_t k = 0; k < net.size(); ++k)
        if (members[net[k]] == which) return before + k;
    return before;  // unreachable: `which` is a member of its front
}

std::vector<std::size_t> nondominated_order(const std::vector<Objectives>& points,
                                            std::size_t seed_objective) {
    const std::vector<std::uint32_t> fronts = nondominated_fronts(points);
    const std::uint32_t last = fronts.empty() ? 0 : *std::max_element(fronts.begin(), fronts.end());
    std::vector<std::vector<std::size_t>> by_front(last + 1);
    for (std::size_t i = 0; i < fronts.size(); ++i) by_front[fronts[i]].push_back(i);
    std::vector<std::size_t> order;
    order.reserve(points.size());
    for (const std::vector<std::size_t>& members : by_front)
        for (std::size_t k : epsilon_net_order(subset(points, members), seed_objective))
            order.push_back(members[k]);
    return order;
}

std::vector<std::size_t> nondominated_positions(const std::vector<Objectives>& points,
                                                std::size_t seed_objective) {
    const std::vector<std::size_t> order = nondominated_order(points, seed_objective);
    std::vector<std::size_t> position(points.size());
    for (std::size_t k = 0; k < order.size(); ++k) position[order[k]] = k;
    return position;
}

double linear_scalarization(const Objectives& point, const std::vector<double>& weights) {
    assert(point.size() == weights.size() && !point.empty());
    double sum = 0.0;
    for (std::size_t k = 0; k < point.size(); ++k) sum += weights[k] * point[k];
    return sum / static_cast<double>(point.size());
}

}  // namespace asha
