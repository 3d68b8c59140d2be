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

// Matrix-vector products with weights packed in column-major panels of 16
// rows: panel b holds, for each column c, rows [16b, 16b + 16) contiguously.
// Each output lane keeps its own accumulator, so no horizontal sums are
// needed, and four panels share each broadcast of x[c]. The weights stream
// through once per frame in memory order (1.6 MB: the loop is bound by load
// bandwidth, about 10 us per frame for the whole network).
struct PanelMatrix {
    int rows, cols, panels;
    Buffer w;
    PanelMatrix(int rows_, int cols_)
        : rows(pad16(rows_)), cols(cols_), panels(pad16(rows_) / L), w(std::size_t(pad16(rows_)) * std::size_t(cols_)) {}
    float& at(int r, int c) { return w.p[(std::size_t(r / L) * std::size_t(cols) + std::size_t(c)) * L + std::size_t(r % L)]; }
};

// y[0..rows) = M x + b (rows padded to 16; b and y hold the padded length).
void matvec(const PanelMatrix& m, const float* x, const float* b, float* y) {
    const std::size_t panel_stride = std::size_t(m.cols) * L;
    int p = 0;
    for (; p + 4 <= m.panels; p += 4) {
        const float* w = m.w.p + std::size_t(p) * panel_stride;
        v16 a0 = simd::load(b + p * L), a1 = simd::load(b + (p + 1) * L);
        v16 a2 = simd::load(b + (p + 2) * L), a3 = simd::load(b + (p + 3) * L);
        for (int c = 0; c < m.cols; ++c) {
            const v16 xv = simd::splat(x[c]);
            const float* wc = w + std::size_t(c) * L;
            a0 += simd::load(wc) * xv;
            a1 += simd::load(wc + panel_stride) * xv;
            a2 += simd::load(wc + 2 * panel_stride) * xv;
            a3 += simd::load(wc + 3 * panel_stride) * xv;
        }
        simd::store(y + p * L, a0);
        simd::store(y + (p + 1) * L, a1);
        simd::store(y + (p + 2) * L, a2);
        simd::store(y + (p + 3) * L, a3);
    }
    for (; p < m.panels; ++p) {
        const float* w = m.w.p + std::size_t(p) * panel_stride;
        v16 a = simd::load(b + p * L);
        for (int c = 0; c < m.cols; ++c) a += simd::load(w + std::size_t(c) * L) * simd::splat(x[c]);
        simd::store(y + p * L, a);
    }
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
    // state and scratch
    Buffer pooled{kLinear0In};
    Buffer z[kLstmLayers] = {Buffer{kLstmCols}, Buffer{kLstmCols}};  // [x | h] per layer
    Buffer h[kLstmLayers] = {Buffer{kHidPad}, Buffer{kHidPad}};
    Buffer c[kLstmLayers] = {Buffer{kHidPad}, Buffer{kHidPad}};
    Buffer gates{kGateRows};
    Buffer l0_out{kL0Rows};
    Buffer logits{kOutRows};

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
            std::fill(z[l].p, z[l].p + kLstmCols, 0.f);
            std::fill(h[l].p, h[l].p + kHidPad, 0.f);
            std::fill(c[l].p, c[l].p + kHidPad, 0.f);
        }
    }

    void front(const float* x) {
        // conv1d + ReLU + max-pool(2), flattened channel-major into pooled[262]
        for (int ch = 0; ch < kConvChannels; ++ch) {
            const float* k = conv_w[ch];
            for (int i = 0; i < kPooled; ++i) {
                float a = conv_b[ch], b = conv_b[ch];
                const float* xa = x + 2 * i;
                for (int j = 0; j < kConvKernel; ++j) {
                    a += k[j] * xa[j];
                    b += k[j] * xa[j + 1];
                }
                pooled.p[ch * kPooled + i] = std::max(std::max(a, b), 0.f);
            }
        }
        matvec(l0_w, pooled.p, l0_b.p, l0_out.p);
    }

    // One LSTM layer: input already in z[l][0..150), previous h in
    // z[l][150..300). Writes the new h into h[l] and z[l]'s h part.
    const float* lstm(int l) {
        matvec(lstm_w[l], z[l].p, lstm_b[l].p, gates.p);
        float* hl = h[l].p;
        for (int u = 0; u < kHidPad; u += L) {
            const v16 i = simd::sigmoid(simd::load(gates.p + u));
            const v16 f = simd::sigmoid(simd::load(gates.p + kHidPad + u));
            const v16 g = simd::tanh(simd::load(gates.p + 2 * kHidPad + u));
            const v16 o = simd::sigmoid(simd::load(gates.p + 3 * kHidPad + u));
            const v16 cn = f * simd::load(c[l].p + u) + i * g;
            simd::store(c[l].p + u, cn);
            simd::store(hl + u, o * simd::tanh(cn));
        }
        // padding lanes: gates there are 0, so c stays 0 and h = 0.5*tanh(0) = 0
        std::copy_n(hl, kHidden, z[l].p + kHidden);
        return hl;
    }

    void step(const float* features, float* probs) {
        front(features);
        std::copy_n(l0_out.p, kHidden, z[0].p);
        const float* h0 = lstm(0);
        std::copy_n(h0, kHidden, z[1].p);
        const float* h1 = lstm(1);
        matvec(out_w, h1, out_b.p, logits.p);
        const float m = std::max({logits.p[0], logits.p[1], logits.p[2]});
        float e[kClasses], s = 0.f;
        for (int k = 0; k < kClasses; ++k) s += e[k] = std::exp(logits.p[k] - m);
        for (int k = 0; k < kClasses; ++k) probs[k] = e[k] / s;
    }
};

CrnnCpu::CrnnCpu(const CrnnWeights& weights) : impl_(std::make_unique<Impl>(weights)) { impl_->reset(); }
CrnnCpu::~CrnnCpu() = default;
void CrnnCpu::reset() { impl_->reset(); }
void CrnnCpu::step(const float* features, float* probabilities) { impl_->step(features, probabilities); }
const float* CrnnCpu::linear0_out() const { return impl_->l0_out.p; }
const float* CrnnCpu::lstm_out() const { return impl_->h[1].p; }
const float* CrnnCpu::logits() const { return impl_->logits.p; }

}  // namespace tactus
