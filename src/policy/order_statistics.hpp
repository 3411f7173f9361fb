#pragma once
/// A multiset of doubles with O(log n) insert, rank and select: the data structure behind a rung.
///
/// It is a counted B+-tree: leaves hold sorted runs of values, inner nodes hold for each child
/// its largest value and how many values lie below it. Wide nodes keep the tree 3-4 levels deep
/// at a million values, so a decision touches a handful of cache lines instead of the ~20 random
/// pointer hops of a red-black tree; that is what keeps the cost at 10^6 values close to the cost
/// at 10^3 (bench/scheduler_bench.cpp). Values are never removed: rungs only grow.

#include <cstddef>
#include <cstdint>
#include <deque>

namespace asha {

class OrderStatistics {
  public:
    OrderStatistics();
    OrderStatistics(const OrderStatistics&) = delete;
    OrderStatistics& operator=(const OrderStatistics&) = delete;
    OrderStatistics(OrderStatistics&&) = default;
    OrderStatistics& operator=(OrderStatistics&&) = default;

    /// Adds `x` (NaN must be mapped to a number by the caller).
    void insert(double x) { insert_and_count_less(x); }
    /// Adds `x` and returns how many values are strictly less than it, in one descent.
    std::size_t insert_and_count_less(double x);
    /// Number of values strictly less than `x`.
    std::size_t count_less(double x) const;
    /// The k-th smallest value, 0-based; k < size().
    double select(std::size_t k) const;
    /// The q-quantile with linear interpolation between order statistics (numpy's default).
    double quantile(double q) const;
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

  private:
    static constexpr std::uint32_t kLeafCapacity = 64;
    static constexpr std::uint32_t kInnerCapacity = 32;

    struct Leaf {
        std::uint32_t n = 0;
        double values[kLeafCapacity];
    };
    struct Inner {
        std::uint32_t n = 0;
        double max_value[kInnerCapacity];     // largest value below child i
        std::uint32_t count[kInnerCapacity];  // number of values below child i
        void* child[kInnerCapacity];
    };

    /// Inserts below `node` (at `height`, 0 = leaf); returns the new right sibling if it split.
    /// Adds `below` the number of values < x passed on the way down.
    void* insert_below(void* node, int height, double x, std::size_t& below);
    static std::uint32_t total(const void* node, int height);
    static double max_of(const void* node, int height);

    std::deque<Leaf> leaves_;  // deques: nodes never move, and all are freed with the tree
    std::deque<Inner> inners_;
    void* root_;
    int height_ = 0;
    std::size_t size_ = 0;
};

}  // namespace asha
