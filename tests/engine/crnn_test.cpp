// The CPU CRNN reproduces BeatNet's network on the golden features: the
// LSTM input, the LSTM output, the logits and the softmax, over whole files.
// Its fast arithmetic (int8 products, exact int32 sums) stays close to them.
#include <catch2/catch.hpp>

#include "npy.hpp"
#include "paths.hpp"
#include "tactus/crnn.hpp"
#include "tactus/features.hpp"

using namespace tactus;
using tactus::test::load_npy;
using tactus::test::reference;

TEST_CASE("CRNN intermediates and activations match PyTorch to 1e-4 over whole files", "[crnn]") {
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag);
        const auto feats = load_npy(reference(tag + "_online_features.npy"));
        const auto lin0 = load_npy(reference(tag + "_online_crnn_linear0.npy"));
        const auto lstm = load_npy(reference(tag + "_online_crnn_lstm_out.npy"));
        const auto logits = load_npy(reference(tag + "_online_crnn_logits.npy"));
        const auto acts = load_npy(reference(tag + "_online_activations.npy"));
        CrnnCpu net(tactus::test::model(1).weights, CrnnArithmetic::exact);
        double worst_lin0 = 0, worst_lstm = 0, worst_logits = 0, worst_act = 0;
        std::vector<float> x(kFeatures);
        for (std::size_t f = 0; f < feats.rows(); ++f) {
            for (std::size_t j = 0; j < kFeatures; ++j) x[j] = float(feats.at(f, j));
            float p[3];
            net.step(x.data(), p);
            for (std::size_t j = 0; j < kHidden; ++j) {
                worst_lin0 = std::max(worst_lin0, std::abs(net.linear0_out()[j] - lin0.at(f, j)));
                worst_lstm = std::max(worst_lstm, std::abs(net.lstm_out()[j] - lstm.at(f, j)));
            }
            for (std::size_t k = 0; k < 3; ++k) {
                worst_logits = std::max(worst_logits, std::abs(net.logits()[k] - logits.at(f, k)));
                worst_act = std::max(worst_act, std::abs(p[k] - acts.at(f, k)));
            }
        }
        CHECK(worst_lin0 <= 1e-4);
        CHECK(worst_lstm <= 1e-4);
        CHECK(worst_logits <= 1e-4);
        CHECK(worst_act <= 1e-4);
    }
}

// 7-bit weights and inputs measured: kick808 worst 0.050, mean 8.4e-4;
// synth97 worst 0.175, mean 2.8e-3 (8-bit weights: 0.087 and 7.7e-4; bf16
// had 0.03 and 5e-4). eval-dev scores alike in every arithmetic.
TEST_CASE("the fast arithmetic (int8) stays within 0.2 of PyTorch's activations (3e-3 on average)", "[crnn]") {
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag);
        const auto feats = load_npy(reference(tag + "_online_features.npy"));
        const auto acts = load_npy(reference(tag + "_online_activations.npy"));
        CrnnCpu fast(tactus::test::model(1).weights, CrnnArithmetic::fast);
        CrnnCpu exact(tactus::test::model(1).weights, CrnnArithmetic::exact);
        double worst = 0, worst_vs_exact = 0, sum = 0;
        std::size_t n = 0;
        std::vector<float> x(kFeatures);
        for (std::size_t f = 0; f < feats.rows(); ++f) {
            for (std::size_t j = 0; j < kFeatures; ++j) x[j] = float(feats.at(f, j));
            float p[3], q[3];
            fast.step(x.data(), p);
            exact.step(x.data(), q);
            for (std::size_t k = 0; k < 3; ++k) {
                const double e = std::abs(p[k] - acts.at(f, k));
                worst = std::max(worst, e);
                sum += e;
                ++n;
                worst_vs_exact = std::max(worst_vs_exact, double(std::abs(p[k] - q[k])));
            }
        }
        INFO("worst " << worst << ", mean " << sum / double(n));
        CHECK(worst <= 0.2);
        CHECK(sum / double(n) <= 3e-3);
        CHECK(worst_vs_exact > 1e-6);  // int8 really ran
    }
}

TEST_CASE("reset() returns the LSTM to its zero state", "[crnn]") {
    const auto feats = load_npy(reference("kick808_online_features.npy"));
    CrnnCpu net(tactus::test::model(1).weights, CrnnArithmetic::exact);
    std::vector<float> x(kFeatures);
    float first[3], p[3];
    for (std::size_t f = 0; f < 50; ++f) {
        for (std::size_t j = 0; j < kFeatures; ++j) x[j] = float(feats.at(f, j));
        net.step(x.data(), f == 0 ? first : p);
    }
    for (std::size_t j = 0; j < kFeatures; ++j) x[j] = float(feats.at(0, j));
    net.step(x.data(), p);
    CHECK(std::abs(p[0] - first[0]) > 1e-6);  // state carried over
    net.reset();
    net.step(x.data(), p);
    for (int k = 0; k < 3; ++k) CHECK(p[k] == first[k]);
}

TEST_CASE("a batch of frames gives bitwise the same probabilities as one frame at a time", "[crnn]") {
    const auto arithmetic = GENERATE(CrnnArithmetic::exact, CrnnArithmetic::fast);
    INFO((arithmetic == CrnnArithmetic::fast ? "fast" : "exact"));
    const auto feats = load_npy(reference("synth97_online_features.npy"));
    CrnnCpu one(tactus::test::model(1).weights, arithmetic), batch(tactus::test::model(1).weights, arithmetic);
    const std::size_t frames = 300;
    std::vector<float> x(frames * kFeatures);
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t j = 0; j < kFeatures; ++j) x[f * kFeatures + j] = float(feats.at(f, j));
    std::vector<float> p1(frames * 3), p2(frames * 3);
    for (std::size_t f = 0; f < frames; ++f) one.step(x.data() + f * kFeatures, p1.data() + f * 3);
    // uneven batch sizes, including ones above the internal maximum
    std::size_t at = 0;
    for (int n : {1, 5, 32, 7, 100, 3, 152}) {
        batch.run(x.data() + at * kFeatures, n, p2.data() + at * 3);
        at += std::size_t(n);
    }
    REQUIRE(at == frames);
    CHECK(p1 == p2);
}

TEST_CASE("a batch of identical frames (silence) is computed once up to the recurrence, and gives the same numbers",
          "[crnn]") {
    const auto arithmetic = GENERATE(CrnnArithmetic::exact, CrnnArithmetic::fast);
    INFO((arithmetic == CrnnArithmetic::fast ? "fast" : "exact"));
    const auto feats = load_npy(reference("kick808_online_features.npy"));
    for (const bool silence : {true, false}) {
        INFO((silence ? "silence" : "a held frame of music"));
        std::vector<float> x(kFeatures, 0.f);
        if (!silence)
            for (std::size_t j = 0; j < kFeatures; ++j) x[j] = float(feats.at(40, j));
        const int frames = 32;
        std::vector<float> batch_in(std::size_t(frames) * kFeatures);
        for (int f = 0; f < frames; ++f) std::copy(x.begin(), x.end(), batch_in.begin() + f * kFeatures);
        CrnnCpu one(tactus::test::model(1).weights, arithmetic), batch(tactus::test::model(1).weights, arithmetic);
        std::vector<float> p1(std::size_t(frames) * 3), p2(std::size_t(frames) * 3);
        for (int f = 0; f < frames; ++f) one.step(x.data(), p1.data() + f * 3);
        batch.run(batch_in.data(), frames, p2.data());
        CHECK(p1 == p2);
        CHECK(p2[0] != p2[3 * (frames - 1)]);  // the state moved on all the same
    }
}
