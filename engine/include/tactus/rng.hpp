#pragma once
// A small, seedable, platform-independent random generator (xoshiro256**
// seeded by SplitMix64) for the particle filters: the same seed gives the
// same particles on every machine and compiler, which the standard
// library's distributions do not promise.
#include <cstdint>

namespace tactus {

class Rng {
public:
    explicit Rng(std::uint64_t seed = 1) { reseed(seed); }
    void reseed(std::uint64_t seed) {
        for (auto& s : s_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            s = z ^ (z >> 31);
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // uniform in [0, 1)
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    // uniform integer in [0, n), n > 0 (Lemire's multiply-shift, unbiased)
    std::uint32_t below(std::uint32_t n) {
        std::uint64_t m = std::uint64_t(std::uint32_t(next() >> 32)) * n;
        if (std::uint32_t(m) < n) {
            const std::uint32_t t = std::uint32_t(-n) % n;
            while (std::uint32_t(m) < t) m = std::uint64_t(std::uint32_t(next() >> 32)) * n;
        }
        return std::uint32_t(m >> 32);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace tactus
