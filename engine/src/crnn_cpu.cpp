#include "tactus/crnn.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "int8_matrix.hpp"
#include "panel_matrix.hpp"
#include "simd.hpp"
#include "tactus/error.hpp"

namespace tactus {
namespace {

using simd::vf;
using panel::Buffer;
using panel::pad16;

constexpr int L = simd::kLanes;
constexpr int kHidPad = pad16(kHidden);           // 160: h, c and layer inputs
constexpr int kL0Rows = pad16(kHidden);           // 160
constexpr int kUnits = (kHidden + L - 1) / L * L;  // 152 (AVX2) or 160 (AVX-512): units the gates cover
constexpr int kGateRows = 4 * kUnits;             // i, f, g, o of each unit
constexpr int kOutRows = pad16(kClasses);         // 16
constexpr int kPooledStride = pad16(kLinear0In);  // 272
static_assert(panel::pad4(kLinear0In) <= kPooledStride && kGateRows % panel::kRows == 0 && kUnits <= kHidPad);

// The gates in blocks of L units, each block's four gates side by side
// (i, f, g, o), so the cell update reads each gate of L units as one
// vector, with as little padding as the vector width allows.
constexpr int gate_row(int q, int u) { return u / L * 4 * L + q * L + u % L; }

// A matrix's rows, by pointer into the model's weights (null: a padding
// row of zeros), so that packing copies each weight once.
using Rows = std::vector<const float*>;

Rows rows_of(const float* w, int rows, int cols) {
    Rows out;
    for (int r = 0; r < rows; ++r) out.push_back(w + std::size_t(r) * std::size_t(cols));
    return out;
}

// PyTorch's LSTM rows (gate q of unit u at q * 150 + u) in gate_row order.
Rows gate_rows(const float* w) {
    Rows out(std::size_t(kGateRows), nullptr);
    for (int q = 0; q < 4; ++q)
        for (int u = 0; u < kHidden; ++u) out[std::size_t(gate_row(q, u))] = w + std::size_t(q * kHidden + u) * kHidden;
    return out;
}

// One weight matrix, packed for the arithmetic chosen: fp32 panels, or int8
// with a scale per row.
class Matrix {
public:
    Matrix(const Rows& rows, int cols, CrnnArithmetic a, panel::InputCode input = panel::kSignedInput) {
        const int n = int(rows.size());
        if (a == CrnnArithmetic::fast) {
            i8_ = std::make_unique<panel::Int8Matrix>(rows.data(), n, cols, input);
            return;
        }
        f32_ = std::make_unique<panel::PanelMatrix>(n, cols);
        for (int r = 0; r < n; ++r)
            if (rows[std::size_t(r)])
                for (int c = 0; c < cols; ++c) f32_->set(r, c, rows[std::size_t(r)][c]);
    }
    // int8 arrays packed before (an image's), read in place
    Matrix(int rows, int cols, panel::InputCode input, const std::int8_t* w, const float* scale, const std::int32_t* start)
        : i8_(std::make_unique<panel::Int8Matrix>(rows, cols, input, w, scale, start)) {}
    // fp32 panels packed before, copied
    Matrix(int rows, int cols, const float* panels) : f32_(std::make_unique<panel::PanelMatrix>(rows, cols)) {
        std::copy_n(panels, f32_values(rows, cols), f32_->w.p);
    }
    static std::size_t f32_values(int rows, int cols) { return std::size_t(panel::pad_rows(rows)) * std::size_t(cols); }
    const panel::Int8Matrix& i8() const { return *i8_; }
    const panel::PanelMatrix& f32() const { return *f32_; }
    bool is_int8() const { return i8_ != nullptr; }
    // acc_f += M x_f for `frames` frames; `scratch` takes the 7-bit copies of
    // the inputs (gemm_scratch_bytes(kPooledStride) bytes)
    void gemm(const float* x, int x_stride, float* acc, int acc_stride, int frames, std::uint8_t* scratch) const {
        if (f32_) panel::gemm(*f32_, x, x_stride, acc, acc_stride, frames);
        else panel::gemm(*i8_, x, x_stride, acc, acc_stride, frames, scratch);
    }

private:
    std::unique_ptr<panel::PanelMatrix> f32_;
    std::unique_ptr<panel::Int8Matrix> i8_;
};

// A packed network as one image: every array below, each 64-byte aligned,
// in this order (the fast arithmetic's; packed_model.hpp saves and maps
// images). The writer fills the same places it would read.
struct Int8Arrays {
    std::int8_t* w;
    float* scale;
    std::int32_t* start;
};
struct Image {
    float *conv_w, *conv_b, *l0_b, *lstm_b[kLstmLayers], *out_w, *out_b;
    Int8Arrays l0, ih[kLstmLayers], hh[kLstmLayers];
    float *h[kLstmLayers], *c[kLstmLayers];  // the LSTM state when it was saved
};

// The image's arrays at `base` (null: offsets only); *bytes gets its size.
Image image_at(std::uint8_t* base, std::size_t* bytes) {
    std::size_t at = 0;
    auto take = [&](std::size_t size) {
        at = (at + 63) / 64 * 64;
        std::uint8_t* p = base ? base + at : nullptr;
        at += size;
        return p;
    };
    auto floats = [&](std::size_t n) { return reinterpret_cast<float*>(take(n * sizeof(float))); };
    auto int8 = [&](int rows, int cols) {
        Int8Arrays a;
        a.w = reinterpret_cast<std::int8_t*>(take(panel::Int8Matrix::weight_bytes(rows, cols)));
        a.scale = floats(std::size_t(panel::pad8(rows)));
        a.start = reinterpret_cast<std::int32_t*>(take(std::size_t(panel::pad8(rows)) * sizeof(std::int32_t)));
        return a;
    };
    Image m{};
    m.conv_w = floats(kConvChannels * kConvKernel);
    m.conv_b = floats(kConvChannels);
    m.l0_b = floats(kL0Rows);
    for (auto& b : m.lstm_b) b = floats(kGateRows);
    m.out_w = floats(Matrix::f32_values(kClasses, kHidden));
    m.out_b = floats(kOutRows);
    m.l0 = int8(kHidden, kLinear0In);
    for (int l = 0; l < kLstmLayers; ++l) {
        m.ih[l] = int8(kGateRows, kHidden);
        m.hh[l] = int8(kGateRows, kHidden);
    }
    for (int l = 0; l < kLstmLayers; ++l) {
        m.h[l] = floats(kHidPad);
        m.c[l] = floats(kHidPad);
    }
    *bytes = (at + 63) / 64 * 64;
    return m;
}

}  // namespace

class CrnnScratch {
public:
    Buffer pooled{std::size_t(CrnnCpu::kMaxBatch) * kPooledStride};
    Buffer l0_out{std::size_t(CrnnCpu::kMaxBatch) * kL0Rows};  // layer 0 input
    Buffer h0_seq{std::size_t(CrnnCpu::kMaxBatch) * kHidPad};  // layer 1 input
    Buffer gates{std::size_t(CrnnCpu::kMaxBatch) * kGateRows};
    Buffer h1_seq{std::size_t(CrnnCpu::kMaxBatch) * kHidPad};
    Buffer logits{std::size_t(CrnnCpu::kMaxBatch) * kOutRows};
    panel::Aligned<std::uint8_t> int8_input{panel::gemm_scratch_bytes(kPooledStride)};
};

std::shared_ptr<CrnnScratch> make_crnn_scratch() { return std::make_shared<CrnnScratch>(); }

struct CrnnCpu::Impl {
    float conv_w[kConvChannels][kConvKernel];
    float conv_b[kConvChannels];
    Matrix l0_w;
    Buffer l0_b{kL0Rows};
    Matrix lstm_ih[kLstmLayers], lstm_hh[kLstmLayers];
    Buffer lstm_b[kLstmLayers] = {Buffer{kGateRows}, Buffer{kGateRows}};
    Matrix out_w;  // fp32 in both arithmetics: 450 multiply-adds
    Buffer out_b{kOutRows};
    // state
    Buffer h[kLstmLayers] = {Buffer{kHidPad}, Buffer{kHidPad}};
    Buffer c[kLstmLayers] = {Buffer{kHidPad}, Buffer{kHidPad}};
    // per-frame scratch for up to kMaxBatch frames, maybe shared
    std::shared_ptr<CrnnScratch> scratch;
    // (initialised after scratch, which each constructor sets)
    Buffer& pooled = scratch->pooled;
    Buffer& l0_out = scratch->l0_out;
    Buffer& h0_seq = scratch->h0_seq;
    Buffer& gates = scratch->gates;
    Buffer& h1_seq = scratch->h1_seq;
    Buffer& logits = scratch->logits;
    panel::Aligned<std::uint8_t>& int8_input = scratch->int8_input;
    std::optional<Image> saved;  // the image read from, if any: its state

    Impl(const CrnnWeightsView& w, CrnnArithmetic a, std::shared_ptr<CrnnScratch> shared)
        : l0_w(rows_of(w.linear0_w, kHidden, kLinear0In), kLinear0In, a, panel::kNonNegativeInput),  // after a ReLU
          lstm_ih{Matrix(gate_rows(w.lstm[0].w_ih), kHidden, a), Matrix(gate_rows(w.lstm[1].w_ih), kHidden, a)},
          lstm_hh{Matrix(gate_rows(w.lstm[0].w_hh), kHidden, a), Matrix(gate_rows(w.lstm[1].w_hh), kHidden, a)},
          out_w(rows_of(w.out_w, kClasses, kHidden), kHidden, CrnnArithmetic::exact),
          scratch(shared ? std::move(shared) : make_crnn_scratch()) {
        for (int ch = 0; ch < kConvChannels; ++ch) {
            conv_b[ch] = w.conv_b[ch];
            for (int k = 0; k < kConvKernel; ++k) conv_w[ch][k] = w.conv_w[ch * kConvKernel + k];
        }
        for (int r = 0; r < kHidden; ++r) l0_b.p[r] = w.linear0_b[r];
        for (int l = 0; l < kLstmLayers; ++l)
            for (int q = 0; q < 4; ++q)
                for (int u = 0; u < kHidden; ++u) {
                    const std::size_t src = std::size_t(q * kHidden + u);
                    lstm_b[l].p[gate_row(q, u)] = w.lstm[l].b_ih[src] + w.lstm[l].b_hh[src];
                }
        for (int r = 0; r < kClasses; ++r) out_b.p[r] = w.out_b[r];
    }

    // From an image, read in place (the int8 weights) or copied (the rest)
    Impl(const Image& m, std::shared_ptr<CrnnScratch> shared)
        : l0_w(kHidden, kLinear0In, panel::kNonNegativeInput, m.l0.w, m.l0.scale, m.l0.start),
          lstm_ih{Matrix(kGateRows, kHidden, panel::kSignedInput, m.ih[0].w, m.ih[0].scale, m.ih[0].start),
                  Matrix(kGateRows, kHidden, panel::kSignedInput, m.ih[1].w, m.ih[1].scale, m.ih[1].start)},
          lstm_hh{Matrix(kGateRows, kHidden, panel::kSignedInput, m.hh[0].w, m.hh[0].scale, m.hh[0].start),
                  Matrix(kGateRows, kHidden, panel::kSignedInput, m.hh[1].w, m.hh[1].scale, m.hh[1].start)},
          out_w(kClasses, kHidden, m.out_w),
          scratch(shared ? std::move(shared) : make_crnn_scratch()),
          saved(m) {
        std::copy_n(m.conv_w, kConvChannels * kConvKernel, &conv_w[0][0]);
        std::copy_n(m.conv_b, kConvChannels, conv_b);
        std::copy_n(m.l0_b, kL0Rows, l0_b.p);
        for (int l = 0; l < kLstmLayers; ++l) std::copy_n(m.lstm_b[l], kGateRows, lstm_b[l].p);
        std::copy_n(m.out_b, kOutRows, out_b.p);
    }

    // The image of this network: its packed arrays and the state now
    void save(const Image& m) const {
        std::copy_n(&conv_w[0][0], kConvChannels * kConvKernel, m.conv_w);
        std::copy_n(conv_b, kConvChannels, m.conv_b);
        std::copy_n(l0_b.p, kL0Rows, m.l0_b);
        for (int l = 0; l < kLstmLayers; ++l) std::copy_n(lstm_b[l].p, kGateRows, m.lstm_b[l]);
        std::copy_n(out_w.f32().w.p, Matrix::f32_values(kClasses, kHidden), m.out_w);
        std::copy_n(out_b.p, kOutRows, m.out_b);
        auto int8 = [](const Matrix& from, const Int8Arrays& to) {
            const panel::Int8Matrix& x = from.i8();
            std::copy_n(x.w, panel::Int8Matrix::weight_bytes(x.rows, x.cols), to.w);
            std::copy_n(x.scale, x.rows, to.scale);
            std::copy_n(x.start, x.rows, to.start);
        };
        int8(l0_w, m.l0);
        for (int l = 0; l < kLstmLayers; ++l) {
            int8(lstm_ih[l], m.ih[l]);
            int8(lstm_hh[l], m.hh[l]);
            std::copy_n(h[l].p, kHidPad, m.h[l]);
            std::copy_n(c[l].p, kHidPad, m.c[l]);
        }
    }

    bool restore_saved() {
        if (!saved) return false;
        for (int l = 0; l < kLstmLayers; ++l) {
            std::copy_n(saved->h[l], kHidPad, h[l].p);
            std::copy_n(saved->c[l], kHidPad, c[l].p);
        }
        return true;
    }

    void reset() {
        for (int l = 0; l < kLstmLayers; ++l) {
            std::fill(h[l].p, h[l].p + kHidPad, 0.f);
            std::fill(c[l].p, c[l].p + kHidPad, 0.f);
        }
    }

    // conv1d + ReLU + max-pool(2), flattened channel-major into out[262].
    // L outputs at a time, their taps in registers (each output still adds
    // its taps in order).
    void front(const float* x, float* out) const {
        float y[kConvOut];
        for (int ch = 0; ch < kConvChannels; ++ch) {
            vf k[kConvKernel];
            for (int j = 0; j < kConvKernel; ++j) k[j] = simd::splat(conv_w[ch][j]);
            int t = 0;
            for (; t + L <= kConvOut; t += L) {
                vf acc = simd::splat(conv_b[ch]);
#pragma GCC unroll 10
                for (int j = 0; j < kConvKernel; ++j) acc += k[j] * simd::load(x + t + j);
                simd::store(y + t, acc);
            }
            for (; t < kConvOut; ++t) {
                float acc = conv_b[ch];
                for (int j = 0; j < kConvKernel; ++j) acc += conv_w[ch][j] * x[t + j];
                y[t] = acc;
            }
            for (int i = 0; i < kPooled; ++i) out[ch * kPooled + i] = std::max(std::max(y[2 * i], y[2 * i + 1]), 0.f);
        }
    }

    static void fill_rows(float* acc, const float* bias, int rows, int frames, int stride) {
        for (int f = 0; f < frames; ++f) std::copy_n(bias, rows, acc + f * stride);
    }

    // One LSTM layer over `frames` frames: inputs x (stride kL0Rows or
    // kHidPad, 150 values each), outputs h_out (stride kHidPad). The input
    // half of the gates is computed for the whole batch, then each frame
    // adds the recurrent half (W_hh h) in turn, continuing the same sums.
    // `same_input`: every frame's x is the first's (its input half of the
    // gates is computed once).
    void lstm_layer(int l, const float* x, int x_stride, float* h_out, int frames, bool same_input = false) {
        fill_rows(gates.p, lstm_b[l].p, kGateRows, same_input ? 1 : frames, kGateRows);
        lstm_ih[l].gemm(x, x_stride, gates.p, kGateRows, same_input ? 1 : frames, int8_input.p);
        if (same_input) fill_rows(gates.p + kGateRows, gates.p, kGateRows, frames - 1, kGateRows);
        float* hl = h[l].p;
        float* cl = c[l].p;
        for (int f = 0; f < frames; ++f) {
            float* g = gates.p + f * kGateRows;
            lstm_hh[l].gemm(hl, 0, g, kGateRows, 1, int8_input.p);
            for (int u = 0; u < kUnits; u += L) {
                const float* gu = g + gate_row(0, u);
                const vf i = simd::sigmoid(simd::load(gu));
                const vf fg = simd::sigmoid(simd::load(gu + L));
                const vf gg = simd::tanh(simd::load(gu + 2 * L));
                const vf o = simd::sigmoid(simd::load(gu + 3 * L));
                const vf cn = fg * simd::load(cl + u) + i * gg;
                simd::store(cl + u, cn);
                simd::store(hl + u, o * simd::tanh(cn));
            }
            // padding lanes: their gates are 0, so c stays 0 and h = 0.5 tanh(0) = 0
            std::copy_n(hl, kHidPad, h_out + f * kHidPad);
        }
    }

    void run(const float* features, int frames, float* probs) {
        assert(frames >= 1 && frames <= kMaxBatch);
        // Frames that are all alike (the silence every stream is primed
        // with, digital silence) go through everything before the first
        // recurrence once: a third of the network's work.
        bool same = frames > 1;
        for (int f = 1; f < frames && same; ++f)
            same = std::equal(features, features + kFeatureSize, features + f * kFeatureSize);
        const int distinct = same ? 1 : frames;
        for (int f = 0; f < distinct; ++f) front(features + f * kFeatureSize, pooled.p + f * kPooledStride);
        fill_rows(l0_out.p, l0_b.p, kL0Rows, distinct, kL0Rows);
        l0_w.gemm(pooled.p, kPooledStride, l0_out.p, kL0Rows, distinct, int8_input.p);
        lstm_layer(0, l0_out.p, kL0Rows, h0_seq.p, frames, same);
        lstm_layer(1, h0_seq.p, kHidPad, h1_seq.p, frames);
        fill_rows(logits.p, out_b.p, kOutRows, frames, kOutRows);
        out_w.gemm(h1_seq.p, kHidPad, logits.p, kOutRows, frames, int8_input.p);
        for (int f = 0; f < frames; ++f) {
            const float* z = logits.p + f * kOutRows;
            const float m = std::max({z[0], z[1], z[2]});
            float e[kClasses], s = 0.f;
            for (int k = 0; k < kClasses; ++k) s += e[k] = std::exp(z[k] - m);
            for (int k = 0; k < kClasses; ++k) probs[f * kClasses + k] = e[k] / s;
        }
    }
};

CrnnCpu::CrnnCpu(const CrnnWeightsView& weights, CrnnArithmetic arithmetic, std::shared_ptr<CrnnScratch> scratch)
    : impl_(std::make_unique<Impl>(weights, arithmetic, std::move(scratch))) {
    impl_->reset();
}
CrnnCpu::CrnnCpu(const std::uint8_t* image, std::shared_ptr<CrnnScratch> scratch) {
    std::size_t bytes = 0;
    impl_ = std::make_unique<Impl>(image_at(const_cast<std::uint8_t*>(image), &bytes), std::move(scratch));
    impl_->restore_saved();
}
std::string CrnnCpu::image_layout() {
    return std::string("lanes ") + std::to_string(L) + ", panels of " + std::to_string(panel::kRows) + " and " +
           std::to_string(panel::kI8Rows) + " rows, " + panel::int8_kernel();
}
std::size_t CrnnCpu::image_bytes() {
    std::size_t bytes = 0;
    image_at(nullptr, &bytes);
    return bytes;
}
std::vector<std::uint8_t> CrnnCpu::image() const {
    if (!impl_->l0_w.is_int8()) throw Error("only the fast arithmetic's network is saved as an image");
    std::size_t bytes = 0;
    image_at(nullptr, &bytes);
    std::vector<std::uint8_t> out(bytes + 64);
    // 64-byte aligned within the vector: offset, then slide down
    auto* base = out.data() + (64 - reinterpret_cast<std::uintptr_t>(out.data()) % 64) % 64;
    impl_->save(image_at(base, &bytes));
    std::vector<std::uint8_t> image(base, base + bytes);
    return image;
}
bool CrnnCpu::restore_image_state() { return impl_->restore_saved(); }
CrnnCpu::CrnnCpu(const CrnnWeights& weights, CrnnArithmetic arithmetic) : CrnnCpu(view_of(weights), arithmetic) {}
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
const char* cpu_fast_arithmetic() noexcept { return panel::int8_kernel(); }
}  // namespace tactus
