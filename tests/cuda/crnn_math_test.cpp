// The CUDA kernels' CRNN arithmetic (crnn_math.hpp, run on the CPU by
// CrnnReference in the kernels' order) against the CPU CRNN on the
// features of a synthetic groove: one model and the ensemble.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/crnn.hpp"
#include "tactus/crnn_backend.hpp"
#include "tactus/cuda/crnn_reference.hpp"
#include "tactus/features.hpp"

using namespace tactus;

namespace {

std::vector<float> groove_features(int* frames) {
    const auto audio = tactus::test::groove(kFeatureRate, 126, 12.0);
    FeatureExtractor fx;
    std::vector<float> out, f(kFeatures);
    std::size_t at = 0;
    while (at < audio.size()) {
        at += fx.push(audio.data() + at, audio.size() - at);
        while (fx.pop(f.data())) out.insert(out.end(), f.begin(), f.end());
    }
    fx.finish();
    while (fx.pop(f.data())) out.insert(out.end(), f.begin(), f.end());
    *frames = int(out.size() / kFeatures);
    return out;
}

}  // namespace

TEST_CASE("the kernels' CRNN maths reproduce the CPU CRNN frame by frame", "[cuda][crnn]") {
    int frames = 0;
    const auto x = groove_features(&frames);
    REQUIRE(frames == 600);
    const CrnnWeights& w = tactus::test::model(1).weights;
    CrnnCpu cpu(w, CrnnArithmetic::exact);
    cuda::CrnnReference ref({&w});
    double worst_l0 = 0, worst_h = 0, worst_p = 0;
    for (int f = 0; f < frames; ++f) {
        float pc[3], pr[3];
        cpu.step(x.data() + std::size_t(f) * kFeatures, pc);
        ref.step(x.data() + std::size_t(f) * kFeatures, pr);
        for (int u = 0; u < kHidden; ++u) {
            worst_l0 = std::max(worst_l0, double(std::abs(cpu.linear0_out()[u] - ref.linear0_out()[u])));
            worst_h = std::max(worst_h, double(std::abs(cpu.lstm_out()[u] - ref.lstm_out()[u])));
        }
        for (int k = 0; k < 3; ++k) worst_p = std::max(worst_p, double(std::abs(pc[k] - pr[k])));
    }
    CHECK(worst_l0 <= 1e-5);
    CHECK(worst_h <= 1e-5);
    CHECK(worst_p <= 1e-5);
}

TEST_CASE("the kernels' ensemble mean equals the CPU ensemble's", "[cuda][crnn]") {
    int frames = 0;
    const auto x = groove_features(&frames);
    std::vector<const CrnnWeights*> all;
    for (int id = 1; id <= 3; ++id) all.push_back(&tactus::test::model(id).weights);
    auto cpu = cpu_provider()->make(all, CrnnArithmetic::exact);
    cuda::CrnnReference ref(all);
    std::vector<float> pc(std::size_t(frames) * 3);
    for (int f = 0; f < frames; f += CrnnBackend::kMaxFrames)
        cpu->run(x.data() + std::size_t(f) * kFeatures, std::min(CrnnBackend::kMaxFrames, frames - f),
                 pc.data() + std::size_t(f) * 3);
    double worst = 0;
    for (int f = 0; f < frames; ++f) {
        float pr[3];
        ref.step(x.data() + std::size_t(f) * kFeatures, pr);
        for (int k = 0; k < 3; ++k) worst = std::max(worst, double(std::abs(pc[std::size_t(f * 3 + k)] - pr[k])));
    }
    CHECK(worst <= 1e-5);
}

TEST_CASE("the packed layout puts every weight where the kernels read it", "[cuda][crnn]") {
    const CrnnWeights& w = tactus::test::model(2).weights;
    std::vector<float> p;
    cuda::pack_crnn(w, p);
    using P = cuda::CrnnPack;
    REQUIRE(p.size() == std::size_t(P::size));
    CHECK(p[P::w0t + 7 * kHidden + 3] == w.linear0_w[3 * kLinear0In + 7]);
    // layer 1, gate g (2), unit 5, input column 9 and recurrent column 9
    const int row = 2 * kHidden + 5;
    CHECK(p[P::layer(1) + 9 * kGates + row] == w.lstm[1].w_ih[std::size_t(row * kHidden + 9)]);
    CHECK(p[P::layer(1) + (kHidden + 9) * kGates + row] == w.lstm[1].w_hh[std::size_t(row * kHidden + 9)]);
    CHECK(p[P::layer(1) + P::layer_b + row] == w.lstm[1].b_ih[std::size_t(row)] + w.lstm[1].b_hh[std::size_t(row)]);
    CHECK(p[P::out_w + 2 * kHidden + 149] == w.out_w[2 * kHidden + 149]);
    CHECK(p[P::out_b + 2] == w.out_b[2]);
    CrnnWeights bad = w;
    bad.linear0_w.pop_back();
    CHECK_THROWS(cuda::pack_crnn(bad, p));
}
