#pragma once
// Whether every float is finite, by one test on the bits (NaN and Inf have
// every exponent bit set), which the compiler vectorises; std::isfinite one
// by one it does not.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tactus {

inline bool all_finite(const float* x, std::size_t n) {
    std::uint32_t bad = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, x + i, sizeof bits);
        bad |= (~bits & 0x7f800000u) == 0 ? 1u : 0u;
    }
    return bad == 0;
}

}  // namespace tactus
