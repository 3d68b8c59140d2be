#pragma once
// Packs a model's weights (PyTorch layouts) into the layout the kernels
// read (CrnnPack in crnn_math.hpp). Host-only; used by the CUDA backend
// when it uploads weights and by the CPU tests of the kernels' maths.
#include <stdexcept>
#include <vector>

#include "tactus/cuda/crnn_math.hpp"

namespace tactus::cuda {

inline void check_shapes(const CrnnWeights& w) {
    auto need = [](const std::vector<float>& v, std::size_t n) {
        if (v.size() != n) throw std::invalid_argument("CRNN weights have an unexpected shape");
    };
    need(w.conv_w, std::size_t(kConvChannels * kConvKernel));
    need(w.conv_b, std::size_t(kConvChannels));
    need(w.linear0_w, std::size_t(kHidden * kLinear0In));
    need(w.linear0_b, std::size_t(kHidden));
    for (const auto& l : w.lstm) {
        need(l.w_ih, std::size_t(kGates * kHidden));
        need(l.w_hh, std::size_t(kGates * kHidden));
        need(l.b_ih, std::size_t(kGates));
        need(l.b_hh, std::size_t(kGates));
    }
    need(w.out_w, std::size_t(kClasses * kHidden));
    need(w.out_b, std::size_t(kClasses));
}

// Appends one model's packed block (CrnnPack::size floats) to `out`.
inline void pack_crnn(const CrnnWeights& w, std::vector<float>& out) {
    check_shapes(w);
    const std::size_t base = out.size();
    out.resize(base + std::size_t(CrnnPack::size), 0.f);
    float* p = out.data() + base;
    for (int i = 0; i < kConvChannels * kConvKernel; ++i) p[CrnnPack::conv_w + i] = w.conv_w[std::size_t(i)];
    for (int c = 0; c < kConvChannels; ++c) p[CrnnPack::conv_b + c] = w.conv_b[std::size_t(c)];
    for (int u = 0; u < kHidden; ++u) {
        for (int k = 0; k < kLinear0In; ++k)
            p[CrnnPack::w0t + k * kHidden + u] = w.linear0_w[std::size_t(u * kLinear0In + k)];
        p[CrnnPack::b0 + u] = w.linear0_b[std::size_t(u)];
    }
    for (int l = 0; l < kLstmLayers; ++l) {
        const LstmLayerWeights& lw = w.lstm[l];
        float* wt = p + CrnnPack::layer(l) + CrnnPack::layer_wt;
        float* b = p + CrnnPack::layer(l) + CrnnPack::layer_b;
        for (int row = 0; row < kGates; ++row) {  // row = gate * 150 + unit, PyTorch's order i, f, g, o
            for (int k = 0; k < kHidden; ++k) {
                wt[k * kGates + row] = lw.w_ih[std::size_t(row * kHidden + k)];
                wt[(kHidden + k) * kGates + row] = lw.w_hh[std::size_t(row * kHidden + k)];
            }
            b[row] = lw.b_ih[std::size_t(row)] + lw.b_hh[std::size_t(row)];
        }
    }
    for (int i = 0; i < kClasses * kHidden; ++i) p[CrnnPack::out_w + i] = w.out_w[std::size_t(i)];
    for (int r = 0; r < kClasses; ++r) p[CrnnPack::out_b + r] = w.out_b[std::size_t(r)];
}

}  // namespace tactus::cuda
