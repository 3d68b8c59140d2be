#pragma once
// Portable float vectors as wide as the target's vector unit (GCC/Clang
// vector extensions): 16 lanes with AVX-512, else 8 (one AVX2 register, or
// SSE/NEON pairs). Wider than the unit, GCC lowers comparisons and selects
// lane by lane (AVX2 ran exp() on 16 lanes in scalar code). Only hot-path
// files include this; they are built with the hot-path flags.
#include <cstring>

namespace tactus::simd {

#if defined(__AVX512F__)
inline constexpr int kLanes = 16;
#else
inline constexpr int kLanes = 8;
#endif
typedef float vf __attribute__((vector_size(kLanes * sizeof(float))));
typedef int vi __attribute__((vector_size(kLanes * sizeof(int))));

inline vf load(const float* p) {
    vf v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
inline vf splat(float x) { return vf{} + x; }

inline float hsum(vf v) {
    float s[kLanes];
    store(s, v);
    float a = 0.f;
    for (int i = 0; i < kLanes; ++i) a += s[i];
    return a;
}

inline vf vmax(vf a, vf b) { return a > b ? a : b; }
// Whether any lane of a comparison's result is true (-1).
inline bool any(vi m) {
#if defined(__AVX512F__)
    return __builtin_ia32_ptestmd512(m, m, 0xffff) != 0;
#else
    int r = 0;
    for (int i = 0; i < kLanes; ++i) r |= m[i];
    return r != 0;
#endif
}
// Lane j of v in every lane.
template <int j>
inline vf lane(vf v) {
#if defined(__AVX512F__)
    return __builtin_shuffle(v, vi{j, j, j, j, j, j, j, j, j, j, j, j, j, j, j, j});
#else
    return __builtin_shuffle(v, vi{j, j, j, j, j, j, j, j});
#endif
}
// The same sum as a tree of vector additions (a few instructions; the
// lanes add in another order than hsum's).
inline float hsum_tree(vf v) {
#if defined(__AVX512F__)
    v += __builtin_shuffle(v, vi{8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7});
    v += __builtin_shuffle(v, vi{4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11});
    v += __builtin_shuffle(v, vi{2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13});
    v += __builtin_shuffle(v, vi{1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14});
#else
    v += __builtin_shuffle(v, vi{4, 5, 6, 7, 0, 1, 2, 3});
    v += __builtin_shuffle(v, vi{2, 3, 0, 1, 6, 7, 4, 5});
    v += __builtin_shuffle(v, vi{1, 0, 3, 2, 5, 4, 7, 6});
#endif
    return v[0];
}

inline vf vmin(vf a, vf b) { return a < b ? a : b; }

// exp(x), Cephes' single-precision polynomial (relative error < 2e-7 over
// the clamped range), branch-free so it stays vectorised. x = n ln 2 + r
// with n = round(x / ln 2) by the float adder itself: adding 1.5 * 2^23
// leaves n in the low bits (fewer steps than a float-int round trip).
inline vf exp(vf x) {
    constexpr float kRound = 12582912.f;  // 1.5 * 2^23
    x = vmin(vmax(x, splat(-87.3f)), splat(88.3f));
    const vf k = x * 1.44269504088896341f + kRound;
    const vf nf = k - kRound;
    vi n;
    std::memcpy(&n, &k, sizeof n);
    n -= 0x4b400000;  // the bits of kRound
    x = x - nf * 0.693359375f - nf * -2.12194440e-4f;
    vf p = splat(1.9875691500e-4f);
    p = p * x + 1.3981999507e-3f;
    p = p * x + 8.3334519073e-3f;
    p = p * x + 4.1665795894e-2f;
    p = p * x + 1.6666665459e-1f;
    p = p * x + 5.0000001201e-1f;
    const vf y = p * x * x + x + 1.f;
    const vi bits = (n + 127) << 23;
    vf scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

// log(x) for x >= FLT_MIN (Cephes' logf polynomial, relative error < 2e-7).
inline vf log(vf x) {
    vi bits;
    std::memcpy(&bits, &x, sizeof bits);
    vi e = ((bits >> 23) & 0xff) - 126;
    bits = (bits & 0x807fffff) | 0x3f000000;  // mantissa in [0.5, 1)
    vf m;
    std::memcpy(&m, &bits, sizeof m);
    const vi small = m < 0.707106781186547524f;  // -1 where true
    e += small;
    const vf add_self = __builtin_convertvector(-small, vf);  // 1 where small
    m = m + m * add_self - 1.f;
    const vf z = m * m;
    vf y = splat(7.0376836292e-2f);
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    const vf ef = __builtin_convertvector(e, vf);
    y += ef * -2.12194440e-4f;
    y += z * -0.5f;
    return m + y + ef * 0.693359375f;
}

inline vf sigmoid(vf x) { return 1.f / (1.f + exp(-x)); }
inline vf tanh(vf x) { return 2.f / (1.f + exp(-2.f * x)) - 1.f; }

}  // namespace tactus::simd
