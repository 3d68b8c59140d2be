#pragma once
// Portable 16-lane float vectors (GCC/Clang vector extensions). The compiler
// maps them to AVX-512, AVX2 pairs, SSE or NEON, whichever the target has;
// only hot-path files include this, and they are built with tactus_hot flags.
#include <cstring>

namespace tactus::simd {

inline constexpr int kLanes = 16;
typedef float v16 __attribute__((vector_size(64)));
typedef int i16 __attribute__((vector_size(64)));

inline v16 load(const float* p) {
    v16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, v16 v) { std::memcpy(p, &v, sizeof v); }
inline v16 splat(float x) { return v16{x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}; }

inline float hsum(v16 v) {
    float s[kLanes];
    store(s, v);
    float a = 0.f;
    for (int i = 0; i < kLanes; ++i) a += s[i];
    return a;
}

inline v16 vmax(v16 a, v16 b) { return a > b ? a : b; }
inline v16 vmin(v16 a, v16 b) { return a < b ? a : b; }

// exp(x), Cephes' single-precision polynomial (relative error < 2e-7 over
// the clamped range), branch-free so it stays vectorised.
inline v16 exp(v16 x) {
    x = vmin(vmax(x, splat(-87.3f)), splat(88.3f));
    const v16 fx = x * 1.44269504088896341f + 0.5f;
    i16 n = __builtin_convertvector(fx, i16);
    v16 nf = __builtin_convertvector(n, v16);
    const i16 too_big = nf > fx;  // truncation rounded a negative value up
    n += too_big;                 // -1 where true
    nf = __builtin_convertvector(n, v16);
    x = x - nf * 0.693359375f - nf * -2.12194440e-4f;
    v16 p = splat(1.9875691500e-4f);
    p = p * x + 1.3981999507e-3f;
    p = p * x + 8.3334519073e-3f;
    p = p * x + 4.1665795894e-2f;
    p = p * x + 1.6666665459e-1f;
    p = p * x + 5.0000001201e-1f;
    const v16 y = p * x * x + x + 1.f;
    const i16 bits = (n + 127) << 23;
    v16 scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

// log(x) for x >= FLT_MIN (Cephes' logf polynomial, relative error < 2e-7).
inline v16 log(v16 x) {
    i16 bits;
    std::memcpy(&bits, &x, sizeof bits);
    i16 e = ((bits >> 23) & 0xff) - 126;
    bits = (bits & 0x807fffff) | 0x3f000000;  // mantissa in [0.5, 1)
    v16 m;
    std::memcpy(&m, &bits, sizeof m);
    const i16 small = m < 0.707106781186547524f;  // -1 where true
    e += small;
    const v16 add_self = __builtin_convertvector(-small, v16);  // 1 where small
    m = m + m * add_self - 1.f;
    const v16 z = m * m;
    v16 y = splat(7.0376836292e-2f);
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    const v16 ef = __builtin_convertvector(e, v16);
    y += ef * -2.12194440e-4f;
    y += z * -0.5f;
    return m + y + ef * 0.693359375f;
}

inline v16 sigmoid(v16 x) { return 1.f / (1.f + exp(-x)); }
inline v16 tanh(v16 x) { return 2.f / (1.f + exp(-2.f * x)) - 1.f; }

}  // namespace tactus::simd
