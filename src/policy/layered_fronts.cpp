#include "policy/layered_fronts.hpp"
#include "policy/pairwise_fronts.hpp"
#include "policy/staircase_fronts.hpp"

#include <algorithm>

namespace asha {

namespace {

std::size_t lowbit(std::size_t i) {
    return i & (~i + 1);
}

}  // namespace

void LayeredFronts::FrontSums::push_back(std::size_t value) {
    // Entry i (1-based) sums the values (i - lowbit(i), i]: this one and some before it.
    const std::size_t i = tree_.size() + 1;
    const std::size_t covered = before(i - 1) - before(i - lowbit(i));
    tree_.push_back(value + covered);
}

void LayeredFronts::FrontSums::add(std::size_t f, long delta) {
    for (std::size_t i = f + 1; i <= tree_.size(); i += lowbit(i))
        tree_[i - 1] = static_cast<std::size_t>(static_cast<long>(tree_[i - 1]) + delta);
}

std::size_t LayeredFronts::FrontSums::before(std::size_t f) const {
    std::size_t sum = 0;
    for (std::size_t i = f; i > 0; i -= lowbit(i)) sum += tree_[i - 1];
    return sum;
}

std::size_t LayeredFronts::FrontSums::first_positive() const {
    // Descends the tree: the longest prefix whose sum is 0.
    std::size_t at = 0, step = 1;
    while (step * 2 <= tree_.size()) step *= 2;
    for (; step > 0; step /= 2)
        if (at + step <= tree_.size() && tree_[at + step - 1] == 0) at += step;
    return at;
}

std::uint32_t LayeredFronts::append(const double* p) {
    const auto id = static_cast<std::uint32_t>(size());
    values_.insert(values_.end(), p, p + dims_);
    front_of_.push_back(0);
    marked_.push_back(false);
    return id;
}

LayeredFronts::Placed LayeredFronts::add(const double* p) {
    return place(append(p));
}

void LayeredFronts::add_all(const double* values, std::size_t n) {
    std::vector<std::uint32_t> ids;
    for (std::size_t i = 0; i < n; ++i) ids.push_back(append(values + i * dims_));
    // In lexicographic order no point dominates one placed before it: nothing is pushed down.
    std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) {
        const double *pa = point(a), *pb = point(b);
        if (std::equal(pa, pa + dims_, pb)) return a < b;
        return std::lexicographical_compare(pa, pa + dims_, pb, pb + dims_);
    });
    for (std::uint32_t id : ids) place(id);
}

LayeredFronts::Placed LayeredFronts::place(std::uint32_t id) {
    const double* p = point(id);
    // Fact 1: the fronts holding a point that dominates p are a prefix.
    const std::size_t home =
        end_of_prefix(0, fronts_.size(), [&](std::size_t f) { return dominated_by_front(f, p); });
    const Placed placed{static_cast<std::uint32_t>(home + 1), sizes_.before(home)};

    // Fact 2: walk down the fronts, each time putting the arriving points in and sending down
    // those they dominate.
    std::vector<std::uint32_t> arriving{id}, leaving;
    for (std::size_t f = home; !arriving.empty(); ++f) {
        // The marks move with the points (the new point has none).
        const auto marked = static_cast<long>(std::count_if(
            arriving.begin(), arriving.end(), [&](std::uint32_t q) { return marked_[q]; }));
        if (marked > 0 && f > home) marks_.add(f - 1, -marked);
        for (std::uint32_t q : arriving) front_of_[q] = static_cast<std::uint32_t>(f + 1);
        if (f == fronts_.size()) {  // a new last front
            fronts_.push_back(arriving);
            sizes_.push_back(arriving.size());
            marks_.push_back(static_cast<std::size_t>(marked));
            break;
        }
        leaving.clear();
        exchange(f, arriving, leaving);
        if (marked > 0) marks_.add(f, marked);
        if (arriving.size() != leaving.size())
            sizes_.add(f, static_cast<long>(arriving.size()) - static_cast<long>(leaving.size()));
        arriving.swap(leaving);
    }
    return placed;
}

std::vector<std::uint32_t> LayeredFronts::net_order(std::uint32_t k) const {
    return walk_net(k, [](std::uint32_t) { return false; });
}

std::size_t LayeredFronts::net_position(std::size_t i) const {
    return walk_net(front_of_[i], [&](std::uint32_t q) { return q == i; }).size() - 1;
}

void LayeredFronts::mark(std::size_t i, bool on) {
    if (marked_[i] == on) return;
    marked_[i] = on;
    marks_.add(front_of_[i] - 1, on ? 1 : -1);
}

std::optional<LayeredFronts::Found> LayeredFronts::first_marked() const {
    const std::size_t f = marks_.first_positive();
    if (f == fronts_.size()) return std::nullopt;
    const std::vector<std::uint32_t> walked =
        walk_net(static_cast<std::uint32_t>(f + 1), [&](std::uint32_t q) { return marked_[q]; });
    return Found{walked.back(), static_cast<std::uint32_t>(f + 1),
                 sizes_.before(f) + walked.size() - 1};
}

std::unique_ptr<LayeredFronts> make_layered_fronts(std::size_t dims) {
    if (dims == 2) return std::make_unique<StaircaseFronts>();
    return std::make_unique<PairwiseFronts>(dims);
}

}  // namespace asha
