// The CUDA kernels' CRNN maths (run on the CPU) against PyTorch's golden
// intermediates and activations: 1e-4 over whole files.
#include <catch2/catch.hpp>

#include "npy.hpp"
#include "paths.hpp"
#include "tactus/cuda/crnn_reference.hpp"
#include "tactus/features.hpp"

using namespace tactus;
using tactus::test::load_npy;
using tactus::test::reference;

TEST_CASE("the kernels' CRNN maths match PyTorch's intermediates and activations to 1e-4", "[cuda][crnn]") {
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag);
        const auto feats = load_npy(reference(tag + "_online_features.npy"));
        const auto lin0 = load_npy(reference(tag + "_online_crnn_linear0.npy"));
        const auto lstm = load_npy(reference(tag + "_online_crnn_lstm_out.npy"));
        const auto acts = load_npy(reference(tag + "_online_activations.npy"));
        cuda::CrnnReference net({&tactus::test::model(1).weights});
        double worst_lin0 = 0, worst_lstm = 0, worst_act = 0;
        std::vector<float> x(kFeatures);
        for (std::size_t f = 0; f < feats.rows(); ++f) {
            for (std::size_t j = 0; j < kFeatures; ++j) x[j] = float(feats.at(f, j));
            float p[3];
            net.step(x.data(), p);
            for (std::size_t j = 0; j < kHidden; ++j) {
                worst_lin0 = std::max(worst_lin0, std::abs(net.linear0_out()[j] - lin0.at(f, j)));
                worst_lstm = std::max(worst_lstm, std::abs(net.lstm_out()[j] - lstm.at(f, j)));
            }
            for (std::size_t k = 0; k < 3; ++k) worst_act = std::max(worst_act, std::abs(p[k] - acts.at(f, k)));
        }
        CHECK(worst_lin0 <= 1e-4);
        CHECK(worst_lstm <= 1e-4);
        CHECK(worst_act <= 1e-4);
    }
}
