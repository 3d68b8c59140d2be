#pragma once
// Input hygiene before anything reaches the features or the LSTM: NaN and
// Inf samples repeat the last good sample (a held sample is inaudible where
// a zero would be a click), denormals become 0, absurdly loud values are
// clamped (they would overflow the spectrum). Bounded work, no allocation:
// real-time safe.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tactus {

inline constexpr float kMaxSampleMagnitude = 64.f;  // +36 dBFS
inline constexpr float kDenormalFloor = 1e-30f;

class InputSanitizer {
public:
    // Cleans x in place; returns how many samples were changed.
    [[nodiscard]] std::size_t process_rt(float* x, std::size_t n) noexcept {
        // Nearly all audio is clean: a block of 16 in which every sample is
        // 0 or between the floor and the ceiling passes with one branch
        // (integer tests on the bits of 8 samples at a time), and
        // only a block with something to fix takes the sample-by-sample
        // path. |x| as bits orders like |x| (NaN and Inf above everything).
        std::size_t i = 0;
        for (; i + kBlock <= n; i += kBlock) {
            Bits8 bad{};
            for (std::size_t j = 0; j < kBlock; j += 8) {
                Bits8 mag;
                std::memcpy(&mag, x + i + j, sizeof mag);
                mag &= 0x7fffffffu;
                bad |= (mag > kCeilingBits) | (mag - 1u < kFloorBits - 1u);
            }
            std::uint64_t any[4];
            std::memcpy(any, &bad, sizeof any);
            if (any[0] | any[1] | any[2] | any[3]) break;
        }
        if (i > 0) last_ = x[i - 1];
        std::size_t changed = 0;
        for (; i < n; ++i) {
            const float v = x[i];
            const float a = std::fabs(v);
            if (a <= kMaxSampleMagnitude) {
                if (a < kDenormalFloor && v != 0.f) {
                    x[i] = 0.f;
                    ++changed;
                }
            } else {
                x[i] = std::isnan(v) || std::isinf(v) ? last_ : std::copysign(kMaxSampleMagnitude, v);
                ++changed;
            }
            last_ = x[i];
        }
        return changed;
    }
    void reset() noexcept { last_ = 0.f; }

private:
    typedef std::uint32_t Bits8 __attribute__((vector_size(32)));  // 8 samples' bits (GCC/Clang vectors)
    static constexpr std::size_t kBlock = 16;
    static constexpr std::uint32_t kCeilingBits = 0x42800000u;  // 64.0f
    static constexpr std::uint32_t kFloorBits = 0x0da24260u;    // 1e-30f
    float last_ = 0.f;
};

}  // namespace tactus
