#include "tactus/crnn.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>

#include "simd.hpp"

namespace tactus {
namespace {

using simd::v16;
constexpr int L = simd::kLanes;
constexpr int pad16(int n) { return (n + L - 1) / L * L; }

constexpr int kHidPad = pad16(kHidden);           // 160
constexpr int kL0Rows = pad16(kHidden);           // 160
constexpr int kLstmCols = 2 * kHidden;            // [x | h], 300
constexpr int kGateRows = 4 * kHidPad;            // 640: i, f, g, o blocks of 160
constexpr int kOutRows = pad16(kClasses);         // 16
constexpr int kPooledStride = pad16(kLinear0In);  // 272

// 64-byte aligned float buffer, zero-initialised.
struct Buffer {
    float* p = nullptr;
    explicit Buffer(std::size_t n) {
        p = static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64));
        if (!p) throw std::bad_alloc();
        std::fill(p, p + n, 0.f);
    }
    ~Buffer() { std::free(p); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
};

// Weights packed in column-major panels of 16 rows: panel b holds, for each
// column c, rows [16b, 16b + 16) contiguously. Each output lane keeps its
// own accumulator (no horizontal sums), and one broadcast of x[c] feeds a
// whole panel. Per frame the network reads 1.6 MB of weights, which bounds
// it by the L2 cache's bandwidth rather than by arithmetic.
struct PanelMatrix {
    int rows, cols, panels;
    Buffer w;
    PanelMatrix(int rows_, int cols_)
        : rows(pad16(rows_)), cols(cols_), panels(pad16(rows_) / L), w(std::size_t(pad16(rows_)) * std::size_t(cols_)) {}
    float& at(int r, int c) { return w.p[(std::size_t(r / L) * std::size_t(cols) + std::size_t(c)) * L + std::size_t(r % L)]; }
};

// acc[f][0..rows) += M[:, c0..c1) x_f[c0..c1) for frames f < frames, with
// x_f = x + f * x_stride and acc_f = acc + f * acc_stride. acc holds the
// bias (or a partial sum) on entry. Every output lane adds its terms in
// column order, whatever FG and PG are, so a batch of frames gives bitwise
// the same numbers as one frame at a time. FG frames x PG panels of
// accumulators stay in registers while the columns stream by: a batch reads
// each weight once per FG frames.
template <int FG, int PG>
void panel_gemm_block(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride,
                      int p0) {
    const std::size_t panel_stride = std::size_t(m.cols) * L;
    v16 a[FG][PG];
    for (int f = 0; f < FG; ++f)
        for (int p = 0; p < PG; ++p) a[f][p] = simd::load(acc + f * acc_stride + (p0 + p) * L);
    const float* w0 = m.w.p + std::size_t(p0) * panel_stride;
    for (int c = c0; c < c1; ++c) {
        v16 w[PG];
        for (int p = 0; p < PG; ++p) w[p] = simd::load(w0 + std::size_t(p) * panel_stride + std::size_t(c) * L);
        for (int f = 0; f < FG; ++f) {
            const v16 xv = simd::splat(x[f * x_stride + c]);
            for (int p = 0; p < PG; ++p) a[f][p] += w[p] * xv;
        }
    }
    for (int f = 0; f < FG; ++f)
        for (int p = 0; p < PG; ++p) simd::store(acc + f * acc_stride + (p0 + p) * L, a[f][p]);
}

template <int FG>
void panel_gemm_frames(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride) {
    int p = 0;
    for (; p + 4 <= m.panels; p += 4) panel_gemm_block<FG, 4>(m, c0, c1, x, x_stride, acc, acc_stride, p);
    for (; p < m.panels; ++p) panel_gemm_block<FG, 1>(m, c0, c1, x, x_stride, acc, acc_stride, p);
}

void panel_gemm(const PanelMatrix& m, int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride,
                int frames) {
    int f = 0;
    for (; f + 4 <= frames; f += 4)
        panel_gemm_frames<4>(m, c0, c1, x + f * x_stride, x_stride, acc + f * acc_stride, acc_stride);
    for (; f < frames; ++f) panel_gemm_frames<1>(m, c0, c1, x + f * x_stride, x_stride, acc + f * acc_stride, acc_stride);
}

}  // namespace

struct CrnnCpu::Impl {
    float conv_w[kConvChannels][kConvKernel];
    float conv_b[kConvChannels];
    PanelMatrix l0_w{kHidden, kLinear0In};
    Buffer l0_b{kL0Rows};
    PanelMatrix lstm_w[kLstmLayers] = {PanelMatrix{kGateRows, kLstmCols}, PanelMatrix{kGateRows, kLstmCols}};
    Buffer lstm_b[kLstmLayers] = {Buffer{kGateRows}, Buffer{kGateRows}};
    PanelMatrix out_w{kClasses, kHidden};
    Buffer out_b{kOutRows};
    // state
    Buffer h[kLstmLayers] = {Buffer{kHidPad}, Buffer{kHidPad}};
    Buffer c[kLstmLayers] = {Buffer{kHidPad}, Buffer{kHidPad}};
    // per-frame scratch for up to kMaxBatch frames
    Buffer pooled{std::size_t(kMaxBatch) * kPooledStride};
    Buffer l0_out{std::size_t(kMaxBatch) * kL0Rows};          // layer 0 input
    Buffer h0_seq{std::size_t(kMaxBatch) * kHidPad};          // layer 1 input
    Buffer gates{std::size_t(kMaxBatch) * kGateRows};
    Buffer h1_seq{std::size_t(kMaxBatch) * kHidPad};
    Buffer logits{std::size_t(kMaxBatch) * kOutRows};

    explicit Impl(const CrnnWeights& w) {
        for (int ch = 0; ch < kConvChannels; ++ch) {
            conv_b[ch] = w.conv_b[std::size_t(ch)];
            for (int k = 0; k < kConvKernel; ++k) conv_w[ch][k] = w.conv_w[std::size_t(ch * kConvKernel + k)];
        }
        for (int r = 0; r < kHidden; ++r) {
            for (int col = 0; col < kLinear0In; ++col) l0_w.at(r, col) = w.linear0_w[std::size_t(r * kLinear0In + col)];
            l0_b.p[r] = w.linear0_b[std::size_t(r)];
        }
        // Gate q (i, f, g, o) of unit u goes to row q * 160 + u, so the cell
        // update reads each gate as whole 16-lane vectors.
        for (int l = 0; l < kLstmLayers; ++l) {
            const auto& lw = w.lstm[l];
            for (int q = 0; q < 4; ++q)
                for (int u = 0; u < kHidden; ++u) {
                    const std::size_t src = std::size_t(q * kHidden + u);
                    const int row = q * kHidPad + u;
                    for (int col = 0; col < kHidden; ++col) {
                        lstm_w[l].at(row, col) = lw.w_ih[src * kHidden + std::size_t(col)];
                        lstm_w[l].at(row, kHidden + col) = lw.w_hh[src * kHidden + std::size_t(col)];
                    }
                    lstm_b[l].p[row] = lw.b_ih[src] + lw.b_hh[src];
                }
        }
        for (int r = 0; r < kClasses; ++r) {
            for (int col = 0; col < kHidden; ++col) out_w.at(r, col) = w.out_w[std::size_t(r * kHidden + col)];
            out_b.p[r] = w.out_b[std::size_t(r)];
        }
    }

    void reset() {
        for (int l = 0; l < kLstmLayers; ++l) {
            std::fill(h[l].p, h[l].p + kHidPad, 0.f);
            std::fill(c[l].p, c[l].p + kHidPad, 0.f);
        }
    }

    // conv1d + ReLU + max-pool(2), flattened channel-major into out[262]
    void front(const float* x, float* out) const {
        for (int ch = 0; ch < kConvChannels; ++ch) {
            const float* k = conv_w[ch];
            for (int i = 0; i < kPooled; ++i) {
                float a = conv_b[ch], b = conv_b[ch];
                const float* xa = x + 2 * i;
                for (int j = 0; j < kConvKernel; ++j) {
                    a += k[j] * xa[j];
                    b += k[j] * xa[j + 1];
                }
                out[ch * kPooled + i] = std::max(std::max(a, b), 0.f);
            }
        }
    }

    static void fill_rows(float* acc, const float* bias, int rows, int frames, int stride) {
        for (int f = 0; f < frames; ++f) std::copy_n(bias, rows, acc + f * stride);
    }

    // One LSTM layer over `frames` frames: inputs x (stride kL0Rows or
    // kHidPad, 150 values each), outputs h_out (stride kHidPad). The input
    // half of the gates is computed for the whole batch, then each frame
    // adds the recurrent half (W_hh h) in turn, continuing the same sums.
    void lstm_layer(int l, const float* x, int x_stride, float* h_out, int frames) {
        fill_rows(gates.p, lstm_b[l].p, kGateRows, frames, kGateRows);
        panel_gemm(lstm_w[l], 0, kHidden, x, x_stride, gates.p, kGateRows, frames);
        float* hl = h[l].p;
        float* cl = c[l].p;
        for (int f = 0; f < frames; ++f) {
            float* g = gates.p + f * kGateRows;
            panel_gemm(lstm_w[l], kHidden, kLstmCols, hl - kHidden, 0, g, kGateRows, 1);
            for (int u = 0; u < kHidPad; u += L) {
                const v16 i = simd::sigmoid(simd::load(g + u));
                const v16 fg = simd::sigmoid(simd::load(g + kHidPad + u));
                const v16 gg = simd::tanh(simd::load(g + 2 * kHidPad + u));
                const v16 o = simd::sigmoid(simd::load(g + 3 * kHidPad + u));
                const v16 cn = fg * simd::load(cl + u) + i * gg;
                simd::store(cl + u, cn);
                simd::store(hl + u, o * simd::tanh(cn));
            }
            // padding lanes: their gates are 0, so c stays 0 and h = 0.5 tanh(0) = 0
            std::copy_n(hl, kHidPad, h_out + f * kHidPad);
        }
    }

    void run(const float* features, int frames, float* probs) {
        for (int f = 0; f < frames; ++f) front(features + f * kFeatureSize, pooled.p + f * kPooledStride);
        fill_rows(l0_out.p, l0_b.p, kL0Rows, frames, kL0Rows);
        panel_gemm(l0_w, 0, kLinear0In, pooled.p, kPooledStride, l0_out.p, kL0Rows, frames);
        lstm_layer(0, l0_out.p, kL0Rows, h0_seq.p, frames);
        lstm_layer(1, h0_seq.p, kHidPad, h1_seq.p, frames);
        fill_rows(logits.p, out_b.p, kOutRows, frames, kOutRows);
        panel_gemm(out_w, 0, kHidden, h1_seq.p, kHidPad, logits.p, kOutRows, frames);
        for (int f = 0; f < frames; ++f) {
            const float* z = logits.p + f * kOutRows;
            const float m = std::max({z[0], z[1], z[2]});
            float e[kClasses], s = 0.f;
            for (int k = 0; k < kClasses; ++k) s += e[k] = std::exp(z[k] - m);
            for (int k = 0; k < kClasses; ++k) probs[f * kClasses + k] = e[k] / s;
        }
    }
};

CrnnCpu::CrnnCpu(const CrnnWeights& weights) : impl_(std::make_unique<Impl>(weights)) { impl_->reset(); }
CrnnCpu::~CrnnCpu() = default;
void CrnnCpu::reset() { impl_->reset(); }
void CrnnCpu::step(const float* features, float* probabilities) { impl_->run(features, 1, probabilities); }
void CrnnCpu::run(const float* features, int frames, float* probabilities) {
    for (int f = 0; f < frames; f += kMaxBatch) {
        const int n = std::min(kMaxBatch, frames - f);
        impl_->run(features + std::size_t(f) * kFeatureSize, n, probabilities + std::size_t(f) * kClasses);
    }
}
const float* CrnnCpu::linear0_out() const { return impl_->l0_out.p; }
const float* CrnnCpu::lstm_out() const { return impl_->h[1].p; }
const float* CrnnCpu::logits() const { return impl_->logits.p; }

}  // namespace tactus
