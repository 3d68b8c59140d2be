#pragma once
// The CRNN's arithmetic, one output element at a time, as the CUDA kernels
// compute it. Every sum runs in a fixed order with explicit fmaf, so the
// host (tests, built without nvcc) and the device get the same roundings;
// only expf/tanhf may differ by an ulp between the two libraries.
//
// Weights use the packed layout of crnn_layout.hpp: matrices transposed so
// that consecutive threads (output units) read consecutive addresses.
#include <math.h>

#include "tactus/cuda/hd.hpp"
#include "tactus/model.hpp"

namespace tactus::cuda {

// Offsets (in floats) of each tensor in one model's packed block.
struct CrnnPack {
    static constexpr int conv_w = 0;                                        // [2][10]
    static constexpr int conv_b = conv_w + kConvChannels * kConvKernel;      // [2]
    static constexpr int w0t = 32;                                           // [262][150]: w0t[k][u] = linear0_w[u][k]
    static constexpr int b0 = w0t + kLinear0In * kHidden;                    // [150]
    static constexpr int lstm0 = b0 + 160;                                   // layer blocks, see below
    // per layer: wt[300][600] (wt[k][q*150+u] = (k < 150 ? w_ih[q*150+u][k] : w_hh[q*150+u][k-150])),
    // then b[600] = b_ih + b_hh
    static constexpr int layer_wt = 0;
    static constexpr int layer_b = 2 * kHidden * kGates;
    static constexpr int layer_size = layer_b + kGates;
    static constexpr int out_w = lstm0 + kLstmLayers * layer_size;          // [3][150] as in PyTorch
    static constexpr int out_b = out_w + kClasses * kHidden;                 // [3]
    static constexpr int size = (out_b + kClasses + 31) / 32 * 32;          // floats per model
    TACTUS_HD static constexpr int layer(int l) { return lstm0 + l * layer_size; }
};

TACTUS_HD inline float sigmoidf_(float x) { return 1.f / (1.f + expf(-x)); }

// conv1d(1->2, k=10) + ReLU + max-pool(2), flattened channel-major: element
// j of the 262 pooled values of features x[272].
TACTUS_HD inline float conv_pool(const float* x, const float* pack, int j) {
    const int ch = j / kPooled, i = j - ch * kPooled;
    const float* k = pack + CrnnPack::conv_w + ch * kConvKernel;
    const float* xa = x + 2 * i;
    float a = pack[CrnnPack::conv_b + ch], b = a;
    for (int t = 0; t < kConvKernel; ++t) {
        a = fmaf(k[t], xa[t], a);
        b = fmaf(k[t], xa[t + 1], b);
    }
    return fmaxf(fmaxf(a, b), 0.f);
}

// linear0 output unit u from the pooled values (k ascending).
TACTUS_HD inline float linear0_unit(const float* pooled, const float* pack, int u) {
    const float* w = pack + CrnnPack::w0t;
    float acc = pack[CrnnPack::b0 + u];
    for (int k = 0; k < kLinear0In; ++k) acc = fmaf(w[k * kHidden + u], pooled[k], acc);
    return acc;
}

// The four gate pre-activations (i, f, g, o) of unit u of layer l from its
// input x[150] and the previous hidden state h[150]: x first, then h.
TACTUS_HD inline void lstm_gates(const float* x, const float* h, const float* pack, int l, int u, float gates[4]) {
    const float* wt = pack + CrnnPack::layer(l) + CrnnPack::layer_wt;
    const float* b = pack + CrnnPack::layer(l) + CrnnPack::layer_b;
    for (int q = 0; q < 4; ++q) gates[q] = b[q * kHidden + u];
    for (int k = 0; k < kHidden; ++k)
        for (int q = 0; q < 4; ++q) gates[q] = fmaf(wt[k * kGates + q * kHidden + u], x[k], gates[q]);
    for (int k = 0; k < kHidden; ++k)
        for (int q = 0; q < 4; ++q) gates[q] = fmaf(wt[(kHidden + k) * kGates + q * kHidden + u], h[k], gates[q]);
}

// PyTorch's LSTM cell: c' = f c + i g, h' = o tanh(c'). Updates c, returns h'.
TACTUS_HD inline float lstm_cell(const float gates[4], float& c) {
    const float i = sigmoidf_(gates[0]);
    const float f = sigmoidf_(gates[1]);
    const float g = tanhf(gates[2]);
    const float o = sigmoidf_(gates[3]);
    c = fmaf(f, c, i * g);
    return o * tanhf(c);
}

// Output layer and softmax of one frame: h[150] -> probabilities[3].
TACTUS_HD inline void output_softmax(const float* h, const float* pack, float probs[kClasses]) {
    float z[kClasses];
    for (int r = 0; r < kClasses; ++r) {
        const float* w = pack + CrnnPack::out_w + r * kHidden;
        float acc = pack[CrnnPack::out_b + r];
        for (int k = 0; k < kHidden; ++k) acc = fmaf(w[k], h[k], acc);
        z[r] = acc;
    }
    const float m = fmaxf(fmaxf(z[0], z[1]), z[2]);
    float e[kClasses], s = 0.f;
    for (int r = 0; r < kClasses; ++r) s += e[r] = expf(z[r] - m);
    for (int r = 0; r < kClasses; ++r) probs[r] = e[r] / s;
}

}  // namespace tactus::cuda
