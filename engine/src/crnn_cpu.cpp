#include "tactus/crnn.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "panel_matrix.hpp"
#include "simd.hpp"

namespace tactus {
namespace {

using simd::v16;
using panel::Buffer;
using panel::L;
using panel::pad16;

constexpr int kHidPad = pad16(kHidden);           // 160
constexpr int kL0Rows = pad16(kHidden);           // 160
constexpr int kLstmCols = 2 * kHidden;            // [x | h], 300
constexpr int kGateRows = 4 * kHidPad;            // 640: i, f, g, o blocks of 160
constexpr int kOutRows = pad16(kClasses);         // 16
constexpr int kPooledStride = pad16(kLinear0In);  // 272

// the bf16 path's inputs: column pairs from column 0 (and the recurrent
// half from column kHidden), and a scratch row per frame for the widest input
static_assert(kHidden % 2 == 0 && panel::pad2(kLinear0In) <= kPooledStride);

// One weight matrix, packed for the arithmetic chosen.
class Matrix {
public:
    Matrix(int rows, int cols, CrnnArithmetic a) {
#if TACTUS_HAVE_BF16
        if (a == CrnnArithmetic::fast) {
            bf16_ = std::make_unique<panel::PanelMatrixBf16>(rows, cols);
            return;
        }
#endif
        (void)a;
        f32_ = std::make_unique<panel::PanelMatrix>(rows, cols);
    }
    void set(int r, int c, float v) {
        if (f32_) f32_->set(r, c, v);
#if TACTUS_HAVE_BF16
        else bf16_->set(r, c, v);
#endif
    }
    // acc_f += M[:, c0..c1) x_f, see panel::gemm; `scratch` takes the inputs
    // rounded to bf16 (frames x pad2(c1 - c0) values, at most kMaxBatch x
    // kPooledStride)
    void gemm(int c0, int c1, const float* x, int x_stride, float* acc, int acc_stride, int frames,
              std::uint16_t* scratch) const {
        if (f32_) return panel::gemm(*f32_, c0, c1, x, x_stride, acc, acc_stride, frames);
#if TACTUS_HAVE_BF16
        panel::gemm(*bf16_, c0, c1, x, x_stride, acc, acc_stride, frames, scratch);
#else
        (void)scratch;
#endif
    }

private:
    std::unique_ptr<panel::PanelMatrix> f32_;
#if TACTUS_HAVE_BF16
    std::unique_ptr<panel::PanelMatrixBf16> bf16_;
#endif
};

}  // namespace

struct CrnnCpu::Impl {
    float conv_w[kConvChannels][kConvKernel];
    float conv_b[kConvChannels];
    Matrix l0_w;
    Buffer l0_b{kL0Rows};
    Matrix lstm_w[kLstmLayers];
    Buffer lstm_b[kLstmLayers] = {Buffer{kGateRows}, Buffer{kGateRows}};
    Matrix out_w;
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
    panel::Aligned<std::uint16_t> bf16_inputs{std::size_t(kMaxBatch) * kPooledStride};

    Impl(const CrnnWeights& w, CrnnArithmetic a)
        : l0_w(kHidden, kLinear0In, a),
          lstm_w{Matrix(kGateRows, kLstmCols, a), Matrix(kGateRows, kLstmCols, a)},
          out_w(kClasses, kHidden, a) {
        for (int ch = 0; ch < kConvChannels; ++ch) {
            conv_b[ch] = w.conv_b[std::size_t(ch)];
            for (int k = 0; k < kConvKernel; ++k) conv_w[ch][k] = w.conv_w[std::size_t(ch * kConvKernel + k)];
        }
        for (int r = 0; r < kHidden; ++r) {
            for (int col = 0; col < kLinear0In; ++col) l0_w.set(r, col, w.linear0_w[std::size_t(r * kLinear0In + col)]);
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
                        lstm_w[l].set(row, col, lw.w_ih[src * kHidden + std::size_t(col)]);
                        lstm_w[l].set(row, kHidden + col, lw.w_hh[src * kHidden + std::size_t(col)]);
                    }
                    lstm_b[l].p[row] = lw.b_ih[src] + lw.b_hh[src];
                }
        }
        for (int r = 0; r < kClasses; ++r) {
            for (int col = 0; col < kHidden; ++col) out_w.set(r, col, w.out_w[std::size_t(r * kHidden + col)]);
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
        lstm_w[l].gemm(0, kHidden, x, x_stride, gates.p, kGateRows, frames, bf16_inputs.p);
        float* hl = h[l].p;
        float* cl = c[l].p;
        for (int f = 0; f < frames; ++f) {
            float* g = gates.p + f * kGateRows;
            lstm_w[l].gemm(kHidden, kLstmCols, hl, 0, g, kGateRows, 1, bf16_inputs.p);
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
        assert(frames >= 1 && frames <= kMaxBatch);
        for (int f = 0; f < frames; ++f) front(features + f * kFeatureSize, pooled.p + f * kPooledStride);
        fill_rows(l0_out.p, l0_b.p, kL0Rows, frames, kL0Rows);
        l0_w.gemm(0, kLinear0In, pooled.p, kPooledStride, l0_out.p, kL0Rows, frames, bf16_inputs.p);
        lstm_layer(0, l0_out.p, kL0Rows, h0_seq.p, frames);
        lstm_layer(1, h0_seq.p, kHidPad, h1_seq.p, frames);
        fill_rows(logits.p, out_b.p, kOutRows, frames, kOutRows);
        out_w.gemm(0, kHidden, h1_seq.p, kHidPad, logits.p, kOutRows, frames, bf16_inputs.p);
        for (int f = 0; f < frames; ++f) {
            const float* z = logits.p + f * kOutRows;
            const float m = std::max({z[0], z[1], z[2]});
            float e[kClasses], s = 0.f;
            for (int k = 0; k < kClasses; ++k) s += e[k] = std::exp(z[k] - m);
            for (int k = 0; k < kClasses; ++k) probs[f * kClasses + k] = e[k] / s;
        }
    }
};

CrnnCpu::CrnnCpu(const CrnnWeights& weights, CrnnArithmetic arithmetic)
    : impl_(std::make_unique<Impl>(weights, arithmetic)) {
    impl_->reset();
}
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

namespace tactus {
bool cpu_has_fast_arithmetic() noexcept { return TACTUS_HAVE_BF16 != 0; }
}  // namespace tactus
