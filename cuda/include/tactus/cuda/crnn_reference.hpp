#pragma once
// The CUDA CRNN's arithmetic run on the CPU, element by element in the
// order the kernels use (front, LSTM step, output and ensemble mean). The
// CPU tests compare it with CrnnCpu and the golden PyTorch arrays; the GPU
// tests compare the kernels with it.
#include <array>
#include <vector>

#include "tactus/cuda/crnn_layout.hpp"

namespace tactus::cuda {

class CrnnReference {
public:
    explicit CrnnReference(const std::vector<const CrnnWeights*>& ensemble) : models_(int(ensemble.size())) {
        for (const CrnnWeights* w : ensemble) pack_crnn(*w, pack_);
        state_.assign(std::size_t(models_) * 4 * kHidden, 0.f);
    }

    void reset() { std::fill(state_.begin(), state_.end(), 0.f); }

    // One frame: features[272] -> probabilities[3] (the ensemble's mean).
    void step(const float* features, float* probs) {
        float sum[kClasses] = {0.f, 0.f, 0.f};
        for (int m = 0; m < models_; ++m) {
            const float* pack = pack_.data() + std::size_t(m) * CrnnPack::size;
            float* h = state_.data() + std::size_t(m) * 4 * kHidden;  // h0, h1, c0, c1
            float* c = h + 2 * kHidden;
            for (int j = 0; j < kLinear0In; ++j) pooled_[std::size_t(j)] = conv_pool(features, pack, j);
            for (int u = 0; u < kHidden; ++u) x0_[std::size_t(u)] = linear0_unit(pooled_.data(), pack, u);
            const float* in = x0_.data();
            for (int l = 0; l < kLstmLayers; ++l) {
                float* hl = h + l * kHidden;
                float* cl = c + l * kHidden;
                for (int u = 0; u < kHidden; ++u) {
                    float gates[4];
                    lstm_gates(in, hl, pack, l, u, gates);
                    next_c_[std::size_t(u)] = cl[u];
                    next_h_[std::size_t(u)] = lstm_cell(gates, next_c_[std::size_t(u)]);
                }
                std::copy(next_h_.begin(), next_h_.end(), hl);
                std::copy(next_c_.begin(), next_c_.end(), cl);
                in = hl;
            }
            if (m == 0) {
                std::copy(x0_.begin(), x0_.end(), last_linear0_.begin());
                std::copy(h + kHidden, h + 2 * kHidden, last_lstm_.begin());
            }
            float p[kClasses];
            output_softmax(h + kHidden, pack, p);
            for (int r = 0; r < kClasses; ++r) sum[r] += p[r];
        }
        const float inv = 1.f / float(models_);
        for (int r = 0; r < kClasses; ++r) probs[r] = sum[r] * inv;
    }

    // First model's intermediates of the last step.
    const float* linear0_out() const { return last_linear0_.data(); }
    const float* lstm_out() const { return last_lstm_.data(); }
    const std::vector<float>& packed() const { return pack_; }

private:
    int models_;
    std::vector<float> pack_, state_;
    std::array<float, kLinear0In> pooled_{};
    std::array<float, kHidden> x0_{}, next_h_{}, next_c_{}, last_linear0_{}, last_lstm_{};
};

}  // namespace tactus::cuda
