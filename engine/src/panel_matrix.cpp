#include "panel_matrix.hpp"

namespace tactus::panel {
namespace {

inline vrow load(const float* p) {
    vrow v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, vrow v) { std::memcpy(p, &v, sizeof v); }

// FG frames x PG panels of accumulators stay in registers while the columns
// stream by: 16 of AVX-512's 32 registers, 12 of AVX2's 16 (the weights
// take PG more; x is broadcast from memory).
#if defined(__AVX512F__)
constexpr int kFrameGroup = 4;
#else
constexpr int kFrameGroup = 3;
#endif
// One frame alone (the recurrence) takes 8 panels: 8 independent chains
// of multiply-adds keep both FMA units busy.
template <int FG>
constexpr int kPanelGroup = FG == 1 ? 8 : 4;

template <int FG, int PG>
void block(const PanelMatrix& m, const float* x, int x_stride, float* acc, int acc_stride, int p0) {
    const std::size_t panel_stride = std::size_t(m.cols) * kRows;
    vrow a[FG][PG];
#pragma GCC unroll 16
    for (int f = 0; f < FG; ++f)
#pragma GCC unroll 16
        for (int p = 0; p < PG; ++p) a[f][p] = load(acc + f * acc_stride + (p0 + p) * kRows);
    const float* w0 = m.w.p + std::size_t(p0) * panel_stride;
    for (int c = 0; c < m.cols; ++c) {
        vrow w[PG];
#pragma GCC unroll 16
        for (int p = 0; p < PG; ++p) w[p] = load(w0 + std::size_t(p) * panel_stride + std::size_t(c) * kRows);
#pragma GCC unroll 16
        for (int f = 0; f < FG; ++f) {
            const float xs = x[f * x_stride + c];
#pragma GCC unroll 16
            for (int p = 0; p < PG; ++p) a[f][p] += w[p] * xs;
        }
    }
#pragma GCC unroll 16
    for (int f = 0; f < FG; ++f)
#pragma GCC unroll 16
        for (int p = 0; p < PG; ++p) store(acc + f * acc_stride + (p0 + p) * kRows, a[f][p]);
}

template <int FG>
void frames_block(const PanelMatrix& m, const float* x, int x_stride, float* acc, int acc_stride) {
    int p = 0;
    for (; p + kPanelGroup<FG> <= m.panels; p += kPanelGroup<FG>)
        block<FG, kPanelGroup<FG>>(m, x, x_stride, acc, acc_stride, p);
    for (; p < m.panels; ++p) block<FG, 1>(m, x, x_stride, acc, acc_stride, p);
}

}  // namespace

void gemm(const PanelMatrix& m, const float* x, int x_stride, float* acc, int acc_stride, int frames) {
    int f = 0;
    for (; f + kFrameGroup <= frames; f += kFrameGroup)
        frames_block<kFrameGroup>(m, x + f * x_stride, x_stride, acc + f * acc_stride, acc_stride);
    for (; f < frames; ++f) frames_block<1>(m, x + f * x_stride, x_stride, acc + f * acc_stride, acc_stride);
}

}  // namespace tactus::panel
