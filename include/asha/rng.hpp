#pragma once
/// A small, fully specified random number generator (xoshiro256**, seeded by splitmix64).
/// We do not use <random>'s distributions: their output is implementation-defined, and one seed
/// must give the same configurations on every platform and after a resume.

#include <array>
#include <cmath>
#include <cstdint>

namespace asha {

class Rng {
  public:
    explicit Rng(std::uint64_t seed = 0) {
        for (auto& word : state_) word = splitmix64(seed);
    }

    std::uint64_t next_u64() {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// Uniform in [0, 1), 53 random bits.
    double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

    /// Uniform integer in [0, n) without modulo bias (rejection, as arc4random_uniform).
    std::uint64_t below(std::uint64_t n) {
        if (n == 0) return 0;
        const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n: values below it are rejected
        for (;;) {
            std::uint64_t x = next_u64();
            if (x >= threshold) return x % n;
        }
    }

    const std::array<std::uint64_t, 4>& state() const { return state_; }
    void set_state(const std::array<std::uint64_t, 4>& s) { state_ = s; }

    /// Stateless mixing of several values, for noise that must not depend on event order.
    static std::uint64_t hash(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0) {
        std::uint64_t x = a;
        std::uint64_t h = splitmix64(x);
        x = h ^ b;
        h = splitmix64(x);
        x = h ^ c;
        return splitmix64(x);
    }

    static std::uint64_t splitmix64(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::array<std::uint64_t, 4> state_{};
};

}  // namespace asha
