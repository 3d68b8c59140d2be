#include "panel_matrix.hpp"

#include <cassert>

namespace tactus::panel {
namespace {

using simd::v16;

// FG frames x PG panels of accumulators stay in registers while the
// columns stream by.
template <int FG, int PG>
void block_f32(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride, int p0) {
    const std::size_t panel_stride = std::size_t(m.cols) * L;
    v16 a[FG][PG];
    for (int f = 0; f < FG; ++f)
        for (int p = 0; p < PG; ++p) a[f][p] = simd::load(acc + f * acc_stride + (p0 + p) * L);
    const float* w0 = m.w.p + std::size_t(p0) * panel_stride;
    for (int c = c0; c < c1; ++c) {
        v16 w[PG];
        for (int p = 0; p < PG; ++p) w[p] = simd::load(w0 + std::size_t(p) * panel_stride + std::size_t(c) * L);
        for (int f = 0; f < FG; ++f) {
            const v16 xv = simd::splat(x[f * x_stride + (c - c0)]);
            for (int p = 0; p < PG; ++p) a[f][p] += w[p] * xv;
        }
    }
    for (int f = 0; f < FG; ++f)
        for (int p = 0; p < PG; ++p) simd::store(acc + f * acc_stride + (p0 + p) * L, a[f][p]);
}

template <int FG>
void frames_f32(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride) {
    int p = 0;
    for (; p + 4 <= m.panels; p += 4) block_f32<FG, 4>(m, c0, c1, x, x_stride, acc, acc_stride, p);
    for (; p < m.panels; ++p) block_f32<FG, 1>(m, c0, c1, x, x_stride, acc, acc_stride, p);
}

#if TACTUS_HAVE_BF16
// x: bf16 values, x_stride in pairs; [k0, k1) are column pairs, x's first
// pair is k0's
template <int FG, int PG>
void block_bf16(const PanelMatrixBf16& m, int k0, int k1, const std::uint16_t* x, int x_stride, float* acc,
                int acc_stride, int p0) {
    const std::size_t panel_stride = std::size_t(m.cols) * L;  // in bf16 values
    __m512 a[FG][PG];
    for (int f = 0; f < FG; ++f)
        for (int p = 0; p < PG; ++p) a[f][p] = _mm512_loadu_ps(acc + f * acc_stride + (p0 + p) * L);
    const std::uint16_t* w0 = m.w.p + std::size_t(p0) * panel_stride;
    for (int k = k0; k < k1; ++k) {
        __m512bh w[PG];
        for (int p = 0; p < PG; ++p)
            w[p] = (__m512bh)_mm512_load_si512(w0 + std::size_t(p) * panel_stride + std::size_t(k) * 2 * L);
        for (int f = 0; f < FG; ++f) {
            std::int32_t pair;
            std::memcpy(&pair, x + 2 * (f * x_stride + (k - k0)), sizeof pair);
            const __m512bh xv = (__m512bh)_mm512_set1_epi32(pair);
            for (int p = 0; p < PG; ++p) a[f][p] = _mm512_dpbf16_ps(a[f][p], w[p], xv);
        }
    }
    for (int f = 0; f < FG; ++f)
        for (int p = 0; p < PG; ++p) _mm512_storeu_ps(acc + f * acc_stride + (p0 + p) * L, a[f][p]);
}

template <int FG>
void frames_bf16(const PanelMatrixBf16& m, int k0, int k1, const std::uint16_t* x, int x_stride, float* acc,
                 int acc_stride) {
    int p = 0;
    for (; p + 4 <= m.panels; p += 4) block_bf16<FG, 4>(m, k0, k1, x, x_stride, acc, acc_stride, p);
    for (; p < m.panels; ++p) block_bf16<FG, 1>(m, k0, k1, x, x_stride, acc, acc_stride, p);
}

// n floats -> n bf16 (round to nearest even), 16 at a time
void round_to_bf16(const float* x, int n, std::uint16_t* out) {
    int i = 0;
    for (; i + L <= n; i += L)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 k = __mmask16((1u << (n - i)) - 1u);
        _mm256_mask_storeu_epi16(out + i, k, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(k, x + i)));
    }
}
#endif

}  // namespace

void gemm(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride, int frames) {
    int f = 0;
    for (; f + 4 <= frames; f += 4) frames_f32<4>(m, c0, c1, x + f * x_stride, x_stride, acc + f * acc_stride, acc_stride);
    for (; f < frames; ++f) frames_f32<1>(m, c0, c1, x + f * x_stride, x_stride, acc + f * acc_stride, acc_stride);
}

#if TACTUS_HAVE_BF16
void gemm(const PanelMatrixBf16& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride,
          int frames, std::uint16_t* scratch) {
    assert(c0 % 2 == 0);
    const int n = c1 - c0, pairs = pad2(n) / 2;
    for (int f = 0; f < frames; ++f) {
        std::uint16_t* s = scratch + std::size_t(f) * std::size_t(2 * pairs);
        s[2 * pairs - 1] = 0;  // odd n: the last pair's second half
        round_to_bf16(x + f * x_stride, n, s);
    }
    const int k0 = c0 / 2, k1 = k0 + pairs;
    int f = 0;
    for (; f + 4 <= frames; f += 4)
        frames_bf16<4>(m, k0, k1, scratch + std::size_t(f) * std::size_t(2 * pairs), pairs, acc + f * acc_stride, acc_stride);
    for (; f < frames; ++f) frames_bf16<1>(m, k0, k1, scratch + std::size_t(f) * std::size_t(2 * pairs), pairs, acc + f * acc_stride, acc_stride);
}
#endif

}  // namespace tactus::panel
