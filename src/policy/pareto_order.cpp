#include "policy/pareto_order.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace asha {

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

PointSet::PointSet(std::size_t dims) : dims_(dims) {}

void PointSet::add(const Objectives& point) {
    assert(point.size() == dims_);
    const auto index = static_cast<std::uint32_t>(size());
    values_.insert(values_.end(), point.begin(), point.end());
    const auto before = [&](std::uint32_t i, std::uint32_t j) {
        return std::lexicographical_compare((*this)[i], (*this)[i] + dims_, (*this)[j],
                                            (*this)[j] + dims_);
    };
    lex_.insert(std::upper_bound(lex_.begin(), lex_.end(), index, before), index);
}

namespace {

bool dominates(const double* a, const double* b, std::size_t d) {
    bool better_somewhere = false;
    for (std::size_t k = 0; k < d; ++k) {
        if (a[k] > b[k]) return false;
        if (a[k] < b[k]) better_somewhere = true;
    }
    return better_somewhere;
}

/// The Euclidean distance, rounded as the reference's np.linalg.norm rounds it (the square root
/// of the sum of squares): two distances that the square root makes equal are a tie there too.
double distance(const double* a, const double* b, std::size_t d) {
    double sum = 0.0;
    for (std::size_t k = 0; k < d; ++k) sum += (a[k] - b[k]) * (a[k] - b[k]);
    return std::sqrt(sum);
}

PointSet to_set(const std::vector<Objectives>& points) {
    PointSet set(points.empty() ? 0 : points.front().size());
    for (const Objectives& p : points) set.add(p);
    return set;
}

}  // namespace

std::vector<std::size_t> epsilon_net_order(const double* values, std::size_t d,
                                           const std::vector<std::size_t>& members,
                                           std::size_t seed_objective,
                                           const std::function<bool(std::size_t)>& stop) {
    const std::size_t n = members.size();
    const auto at = [&](std::size_t i) { return values + members[i] * d; };
    std::vector<std::size_t> order;
    if (n == 0) return order;
    order.reserve(n);
    std::size_t seed = 0;
    for (std::size_t i = 1; i < n; ++i)
        if (at(i)[seed_objective] < at(seed)[seed_objective]) seed = i;
    // nearest[i]: the distance from member i to the nearest member taken; taken members are
    // marked with -1 (no distance is negative).
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
    std::size_t next = seed;
    for (std::size_t step = 0; step < n; ++step) {
        order.push_back(next);
        if (stop && stop(next)) break;
        nearest[next] = -1.0;
        const double* taken = at(next);
        std::size_t farthest = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (nearest[i] < 0.0) continue;
            nearest[i] = std::min(nearest[i], distance(at(i), taken, d));
            if (farthest == n || nearest[i] > nearest[farthest]) farthest = i;
        }
        next = farthest;
    }
    return order;
}

std::vector<std::size_t> epsilon_net_order(const PointSet& set,
                                           const std::vector<std::size_t>& members,
                                           std::size_t seed_objective) {
    return epsilon_net_order(set.data(), set.dims(), members, seed_objective, nullptr);
}

std::vector<std::size_t> epsilon_net_order(const std::vector<Objectives>& points,
                                           std::size_t seed_objective) {
    std::vector<std::size_t> all(points.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return epsilon_net_order(to_set(points), all, seed_objective);
}

void nondominated_fronts(const PointSet& set, std::vector<std::uint32_t>& front) {
    const std::size_t n = set.size(), d = set.dims();
    const std::vector<std::uint32_t>& lex = set.lex();
    front.assign(n, 0);
    const auto equal = [&](std::uint32_t i, std::uint32_t j) {
        return std::equal(set[i], set[i] + d, set[j]);
    };
    if (d == 2) {
        // In lexicographic order every point that dominates p comes before p, and a point
        // before p dominates it iff its second value is no larger (or it is equal to p). The
        // smallest second value of each front found so far grows with the front (a point of
        // front k + 1 has a dominator in front k), so p's front is one more than the last front
        // whose smallest second value is <= p's: a binary search. An equal point shares the
        // front of the one before it.
        std::vector<double> lowest;  // lowest[k]: the smallest second value in front k + 1
        for (std::size_t r = 0; r < n; ++r) {
            const std::uint32_t i = lex[r];
            if (r > 0 && equal(lex[r - 1], i)) {
                front[i] = front[lex[r - 1]];
                continue;
            }
            const double y = set[i][1];
            const auto k = static_cast<std::size_t>(
                std::upper_bound(lowest.begin(), lowest.end(), y) - lowest.begin());
            if (k == lowest.size())
                lowest.push_back(y);
            else
                lowest[k] = std::min(lowest[k], y);
            front[i] = static_cast<std::uint32_t>(k + 1);
        }
        return;
    }
    // Any number of objectives: a point's front is one more than the highest front of the points
    // that dominate it, all of which come before it in lexicographic order.
    for (std::size_t r = 0; r < n; ++r) {
        const std::uint32_t i = lex[r];
        std::uint32_t highest = 0;
        for (std::size_t q = 0; q < r; ++q)
            if (front[lex[q]] > highest && dominates(set[lex[q]], set[i], d))
                highest = front[lex[q]];
        front[i] = highest + 1;
    }
}

std::vector<std::uint32_t> nondominated_fronts(const std::vector<Objectives>& points) {
    std::vector<std::uint32_t> front;
    nondominated_fronts(to_set(points), front);
    return front;
}

std::size_t nondominated_position(const PointSet& set, std::size_t which,
                                  std::size_t seed_objective, std::uint32_t& front,
                                  std::vector<std::uint32_t>& scratch) {
    nondominated_fronts(set, scratch);
    front = scratch[which];
    std::size_t before = 0;
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < scratch.size(); ++i) {
        if (scratch[i] < front) ++before;
        if (scratch[i] == front) members.push_back(i);
    }
    const std::vector<std::size_t> net = epsilon_net_order(set, members, seed_objective);
    for (std::size_t k = 0; k < net.size(); ++k)
        if (members[net[k]] == which) return before + k;
    return before;  // unreachable: `which` is a member of its front
}

std::size_t nondominated_position(const std::vector<Objectives>& points, std::size_t which,
                                  std::size_t seed_objective, std::uint32_t& front) {
    std::vector<std::uint32_t> scratch;
    return nondominated_position(to_set(points), which, seed_objective, front, scratch);
}

std::vector<std::size_t> nondominated_positions(const PointSet& set, std::size_t seed_objective) {
    std::vector<std::uint32_t> fronts;
    nondominated_fronts(set, fronts);
    const std::uint32_t last = fronts.empty() ? 0 : *std::max_element(fronts.begin(), fronts.end());
    std::vector<std::vector<std::size_t>> by_front(last + 1);
    for (std::size_t i = 0; i < fronts.size(); ++i) by_front[fronts[i]].push_back(i);
    std::vector<std::size_t> position(set.size());
    std::size_t at = 0;
    for (const std::vector<std::size_t>& members : by_front)
        for (std::size_t k : epsilon_net_order(set, members, seed_objective))
            position[members[k]] = at++;
    return position;
}

std::vector<std::size_t> nondominated_positions(const std::vector<Objectives>& points,
                                                std::size_t seed_objective) {
    return nondominated_positions(to_set(points), seed_objective);
}

std::vector<std::size_t> nondominated_order(const std::vector<Objectives>& points,
                                            std::size_t seed_objective) {
    const std::vector<std::size_t> position = nondominated_positions(points, seed_objective);
    std::vector<std::size_t> order(points.size());
    for (std::size_t i = 0; i < position.size(); ++i) order[position[i]] = i;
    return order;
}

double linear_scalarization(const Objectives& point, const std::vector<double>& weights) {
    assert(point.size() == weights.size() && !point.empty());
    double sum = 0.0;
    for (std::size_t k = 0; k < point.size(); ++k) sum += weights[k] * point[k];
    return sum / static_cast<double>(point.size());
}

}  // namespace asha
