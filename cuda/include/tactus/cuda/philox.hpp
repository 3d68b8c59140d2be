#pragma once
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
// 3", SC 2011), the counter-based generator curand also implements: a pure
// function of a 128-bit counter and a 64-bit key, so every particle of
// every stream draws its numbers independently, in any order, on any
// thread, and the host reproduces them exactly.
#include <stdint.h>

#include "tactus/cuda/hd.hpp"

namespace tactus::cuda {

struct Philox4 {
    uint32_t v[4];
};

TACTUS_HD inline void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
    const uint64_t p = uint64_t(a) * uint64_t(b);
    hi = uint32_t(p >> 32);
    lo = uint32_t(p);
}

TACTUS_HD inline Philox4 philox4x32_10(Philox4 ctr, uint32_t k0, uint32_t k1) {
    constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
    constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 += kW0;
            k1 += kW1;
        }
        uint32_t hi0, lo0, hi1, lo1;
        philox_mulhilo(kM0, ctr.v[0], hi0, lo0);
        philox_mulhilo(kM1, ctr.v[2], hi1, lo1);
        ctr = Philox4{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
    }
    return ctr;
}

// What a draw is for: part of the counter, so no two uses share numbers.
enum class Draw : uint32_t {
    init_beat = 1,
    init_meter,
    move_beat,
    move_meter,
    resample_beat,
    resample_meter,
    inject_beat,
    erase_beat,
    erase_meter,
};

// The numbers of draw `index` for `purpose` at frame `frame` of a filter
// seeded with `seed`. `attempt` separates retries of a rejected draw.
TACTUS_HD inline Philox4 philox_draw(uint64_t seed, int64_t frame, Draw purpose, uint32_t index, uint32_t attempt = 0) {
    const uint64_t f = uint64_t(frame);
    const Philox4 ctr{{index, uint32_t(purpose) | (attempt << 8), uint32_t(f), uint32_t(f >> 32)}};
    return philox4x32_10(ctr, uint32_t(seed), uint32_t(seed >> 32));
}

// Uniform double in [0, 1) from two words (53 random bits).
TACTUS_HD inline double philox_uniform(const Philox4& r) {
    const uint64_t bits = (uint64_t(r.v[0]) << 32) | r.v[1];
    return double(bits >> 11) * (1.0 / 9007199254740992.0);
}

// Uniform integer in [0, n), n > 0, without bias (Lemire's multiply-shift
// with rejection), using the four words of each attempt in turn.
TACTUS_HD inline uint32_t philox_below(uint64_t seed, int64_t frame, Draw purpose, uint32_t index, uint32_t n) {
    const uint32_t threshold = uint32_t(0u - n) % n;
    for (uint32_t attempt = 0;; ++attempt) {
        const Philox4 r = philox_draw(seed, frame, purpose, index, attempt);
        for (int w = 0; w < 4; ++w) {
            const uint64_t m = uint64_t(r.v[w]) * n;
            if (uint32_t(m) >= threshold) return uint32_t(m >> 32);
        }
    }
}

}  // namespace tactus::cuda
