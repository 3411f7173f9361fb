#include "policy/order_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace asha {

namespace {
/// Asks for every cache line of a node at once: a binary search over a cold node would
/// otherwise wait for its cache misses one after another.
template <typename Node>
void prefetch_node(const void* node) {
    const char* p = static_cast<const char*>(node);
    for (std::size_t offset = 0; offset < sizeof(Node); offset += 64)
        __builtin_prefetch(p + offset);
}
}  // namespace

OrderStatistics::OrderStatistics() {
    root_ = &leaves_.emplace_back();
}

std::uint32_t OrderStatistics::total(const void* node, int height) {
    if (height == 0) return static_cast<const Leaf*>(node)->n;
    const auto* inner = static_cast<const Inner*>(node);
    std::uint32_t sum = 0;
    for (std::uint32_t i = 0; i < inner->n; ++i) sum += inner->count[i];
    return sum;
}

double OrderStatistics::max_of(const void* node, int height) {
    if (height == 0) {
        const auto* leaf = static_cast<const Leaf*>(node);
        return leaf->values[leaf->n - 1];
    }
    const auto* inner = static_cast<const Inner*>(node);
    return inner->max_value[inner->n - 1];
}

void* OrderStatistics::insert_below(void* node, int height, double x, std::size_t& below) {
    if (height == 0) {
        auto* leaf = static_cast<Leaf*>(node);
        double* end = leaf->values + leaf->n;
        double* first_not_less = std::lower_bound(leaf->values, end, x);
        below += static_cast<std::size_t>(first_not_less - leaf->values);
        double* at = std::upper_bound(first_not_less, end, x);
        std::memmove(at + 1, at, static_cast<std::size_t>(end - at) * sizeof(double));
        *at = x;
        if (++leaf->n < kLeafCapacity) return nullptr;
        Leaf& right = leaves_.emplace_back();
        right.n = kLeafCapacity / 2;
        leaf->n = kLeafCapacity - right.n;
        std::memcpy(right.values, leaf->values + leaf->n, right.n * sizeof(double));
        return &right;
    }
    auto* inner = static_cast<Inner*>(node);
    // Children hold consecutive ranges of the sorted order: x goes to the first child whose
    // largest value is >= x, or to the last child.
    std::uint32_t i = static_cast<std::uint32_t>(
        std::lower_bound(inner->max_value, inner->max_value + inner->n, x) - inner->max_value);
    if (i == inner->n) i = inner->n - 1;
    if (height == 1)
        prefetch_node<Leaf>(inner->child[i]);
    else
        prefetch_node<Inner>(inner->child[i]);
    for (std::uint32_t j = 0; j < i; ++j) below += inner->count[j];
    void* split = insert_below(inner->child[i], height - 1, x, below);
    if (!split) {
        ++inner->count[i];
        inner->max_value[i] = std::max(inner->max_value[i], x);
        return nullptr;
    }
    std::uint32_t tail = inner->n - i - 1;
    std::memmove(inner->max_value + i + 2, inner->max_value + i + 1, tail * sizeof(double));
    std::memmove(inner->count + i + 2, inner->count + i + 1, tail * sizeof(std::uint32_t));
    std::memmove(inner->child + i + 2, inner->child + i + 1, tail * sizeof(void*));
    inner->child[i + 1] = split;
    for (std::uint32_t j : {i, i + 1}) {
        inner->count[j] = total(inner->child[j], height - 1);
        inner->max_value[j] = max_of(inner->child[j], height - 1);
    }
    if (++inner->n < kInnerCapacity) return nullptr;
    Inner& right = inners_.emplace_back();
    right.n = kInnerCapacity / 2;
    inner->n = kInnerCapacity - right.n;
    std::memcpy(right.max_value, inner->max_value + inner->n, right.n * sizeof(double));
    std::memcpy(right.count, inner->count + inner->n, right.n * sizeof(std::uint32_t));
    std::memcpy(right.child, inner->child + inner->n, right.n * sizeof(void*));
    return &right;
}

std::size_t OrderStatistics::insert_and_count_less(double x) {
    std::size_t below = 0;
    void* split = insert_below(root_, height_, x, below);
    ++size_;
    if (!split) return below;
    Inner& root = inners_.emplace_back();
    root.n = 2;
    root.child[0] = root_;
    root.child[1] = split;
    for (std::uint32_t j : {0u, 1u}) {
        root.count[j] = total(root.child[j], height_);
        root.max_value[j] = max_of(root.child[j], height_);
    }
    root_ = &root;
    ++height_;
    return below;
}

std::size_t OrderStatistics::count_less(double x) const {
    std::size_t below = 0;
    const void* node = root_;
    for (int height = height_; height > 0; --height) {
        const auto* inner = static_cast<const Inner*>(node);
        std::uint32_t i = static_cast<std::uint32_t>(
            std::lower_bound(inner->max_value, inner->max_value + inner->n, x) - inner->max_value);
        if (i == inner->n) i = inner->n - 1;
        for (std::uint32_t j = 0; j < i; ++j) below += inner->count[j];
        node = inner->child[i];
    }
    const auto* leaf = static_cast<const Leaf*>(node);
    return below + static_cast<std::size_t>(
                       std::lower_bound(leaf->values, leaf->values + leaf->n, x) - leaf->values);
}

double OrderStatistics::select(std::size_t k) const {
    const void* node = root_;
    for (int height = height_; height > 0; --height) {
        const auto* inner = static_cast<const Inner*>(node);
        std::uint32_t i = 0;
        while (i + 1 < inner->n && k >= inner->count[i]) k -= inner->count[i++];
        node = inner->child[i];
    }
    return static_cast<const Leaf*>(node)->values[k];
}

double OrderStatistics::quantile(double q) const {
    if (size_ == 0) return std::nan("");
    double position = q * static_cast<double>(size_ - 1);
    auto lower = static_cast<std::size_t>(std::floor(position));
    double low = select(lower);
    if (lower + 1 >= size_) return low;
    double fraction = position - static_cast<double>(lower);
    return fraction == 0 ? low : low + fraction * (select(lower + 1) - low);
}

}  // namespace asha
