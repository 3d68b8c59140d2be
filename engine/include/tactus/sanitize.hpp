#pragma once
// Input hygiene before anything reaches the features or the LSTM: NaN and
// Inf samples repeat the last good sample (a held sample is inaudible where
// a zero would be a click), denormals become 0, absurdly loud values are
// clamped (they would overflow the spectrum). Bounded work, no allocation:
// real-time safe.
#include <cmath>
#include <cstddef>

namespace tactus {

inline constexpr float kMaxSampleMagnitude = 64.f;  // +36 dBFS
inline constexpr float kDenormalFloor = 1e-30f;

class InputSanitizer {
public:
    // Cleans x in place; returns how many samples were changed.
    [[nodiscard]] std::size_t process_rt(float* x, std::size_t n) noexcept {
        std::size_t changed = 0;
        for (std::size_t i = 0; i < n; ++i) {
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
    float last_ = 0.f;
};

}  // namespace tactus
