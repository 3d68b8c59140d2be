// The CRNN on the GPU (needs a CUDA device): the kernels against their CPU
// reference (crnn_reference.hpp) and against the CPU CRNN, both LSTM paths,
// many streams at once, CUDA graphs, resets, and a stream's independence
// of the others.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/crnn.hpp"
#include "tactus/crnn_backend.hpp"
#include "tactus/cuda/crnn_reference.hpp"
#include "tactus/cuda/cuda_crnn.hpp"
#include "tactus/features.hpp"

using namespace tactus;

namespace {

// Features of a groove at `bpm` (different streams get different music).
std::vector<float> features(double bpm, double seconds, std::uint32_t seed) {
    const auto audio = tactus::test::groove(kFeatureRate, bpm, seconds, 0.2, seed);
    FeatureExtractor fx;
    std::vector<float> out, f(kFeatures);
    std::size_t at = 0;
    while (at < audio.size()) {
        at += fx.push(audio.data() + at, audio.size() - at);
        while (fx.pop(f.data())) out.insert(out.end(), f.begin(), f.end());
    }
    fx.finish();
    while (fx.pop(f.data())) out.insert(out.end(), f.begin(), f.end());
    return out;
}

int frames_of(const std::vector<float>& x) { return int(x.size() / kFeatures); }

// Runs streams through a CudaCrnn in rounds of `chunk` frames (the last
// round of each stream partial), all streams together.
std::vector<std::vector<float>> run_gpu(cuda::CudaCrnn& net, const std::vector<std::vector<float>>& x, int chunk) {
    std::vector<std::vector<float>> p(x.size());
    for (std::size_t s = 0; s < x.size(); ++s) p[s].resize(std::size_t(frames_of(x[s])) * 3);
    for (int at = 0;; at += chunk) {
        std::vector<cuda::CrnnRequest> round;
        for (std::size_t s = 0; s < x.size(); ++s) {
            const int n = std::min(chunk, frames_of(x[s]) - at);
            if (n > 0)
                round.push_back({int(s), n, x[s].data() + std::size_t(at) * kFeatures, p[s].data() + std::size_t(at) * 3});
        }
        if (round.empty()) break;
        net.run(round);
    }
    return p;
}

double worst(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double w = 0;
    for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, double(std::abs(a[i] - b[i])));
    return w;
}

std::vector<float> run_reference(const std::vector<const CrnnWeights*>& models, const std::vector<float>& x) {
    cuda::CrnnReference ref(models);
    std::vector<float> p(std::size_t(frames_of(x)) * 3);
    for (int f = 0; f < frames_of(x); ++f) ref.step(x.data() + std::size_t(f) * kFeatures, p.data() + std::size_t(f) * 3);
    return p;
}

std::vector<float> run_cpu(const std::vector<const CrnnWeights*>& models, const std::vector<float>& x) {
    auto cpu = cpu_provider()->make(models, CrnnArithmetic::exact);
    std::vector<float> p(std::size_t(frames_of(x)) * 3);
    for (int f = 0; f < frames_of(x); f += CrnnBackend::kMaxFrames)
        cpu->run(x.data() + std::size_t(f) * kFeatures, std::min(CrnnBackend::kMaxFrames, frames_of(x) - f),
                 p.data() + std::size_t(f) * 3);
    return p;
}

}  // namespace

TEST_CASE("GPU: the hand-written kernels reproduce their CPU reference and the CPU CRNN", "[gpu][crnn]") {
    const std::vector<const CrnnWeights*> models = {&tactus::test::model(1).weights};
    std::vector<std::vector<float>> x;
    for (int s = 0; s < 7; ++s) x.push_back(features(90 + 11 * s, 6 + s, std::uint32_t(s + 1)));
    cuda::CudaCrnn::Options o;
    o.slots = 8;
    o.cudnn = false;
    for (const bool graphs : {true, false}) {
        INFO("graphs " << graphs);
        o.graphs = graphs;
        cuda::CudaCrnn net(models, o);
        for (const int chunk : {1, 32, 13}) {
            INFO("chunk " << chunk);
            for (int s = 0; s < 7; ++s) net.reset(s);
            const auto p = run_gpu(net, x, chunk);
            for (std::size_t s = 0; s < x.size(); ++s) {
                CHECK(worst(p[s], run_reference(models, x[s])) <= 1e-5);
                CHECK(worst(p[s], run_cpu(models, x[s])) <= 1e-4);
            }
        }
    }
}

TEST_CASE("GPU: the cuDNN path matches the CPU CRNN within 1e-4, ensembles included", "[gpu][crnn]") {
    std::vector<const CrnnWeights*> models;
    for (int id = 1; id <= 3; ++id) models.push_back(&tactus::test::model(id).weights);
    std::vector<std::vector<float>> x;
    for (int s = 0; s < 5; ++s) x.push_back(features(100 + 13 * s, 9 + s, std::uint32_t(s + 7)));
    cuda::CudaCrnn::Options o;
    o.slots = 16;
    cuda::CudaCrnn net(models, o);
    INFO(net.lstm_path());
    const auto p = run_gpu(net, x, o.chunk);  // full chunks go through cuDNN when it loads
    for (std::size_t s = 0; s < x.size(); ++s) CHECK(worst(p[s], run_cpu(models, x[s])) <= 1e-4);
}

TEST_CASE("GPU: a stream's numbers do not depend on the other streams of its rounds", "[gpu][crnn]") {
    const std::vector<const CrnnWeights*> models = {&tactus::test::model(1).weights};
    std::vector<std::vector<float>> x;
    for (int s = 0; s < 6; ++s) x.push_back(features(95 + 9 * s, 8, std::uint32_t(s + 3)));
    cuda::CudaCrnn::Options o;
    o.slots = 8;
    cuda::CudaCrnn together(models, o), alone(models, o);
    const auto all = run_gpu(together, x, o.chunk);
    const auto one = run_gpu(alone, {x[4]}, o.chunk);
    CHECK(all[4] == one[0]);
}

TEST_CASE("GPU: reset returns a slot to the zero state", "[gpu][crnn]") {
    const std::vector<const CrnnWeights*> models = {&tactus::test::model(1).weights};
    const auto x = features(120, 4, 1);
    cuda::CudaCrnn::Options o;
    o.slots = 2;
    cuda::CudaCrnn net(models, o);
    const auto first = run_gpu(net, {x}, 1);
    const auto carried = run_gpu(net, {x}, 1);
    CHECK(first[0] != carried[0]);
    net.reset(0);
    CHECK(run_gpu(net, {x}, 1)[0] == first[0]);
}

TEST_CASE("GPU: bad requests are refused", "[gpu][crnn]") {
    cuda::CudaCrnn::Options o;
    o.slots = 2;
    cuda::CudaCrnn net({&tactus::test::model(1).weights}, o);
    std::vector<float> x(kFeatures * 40), p(3 * 40);
    const cuda::CrnnRequest too_many{0, 33, x.data(), p.data()}, bad_slot{2, 1, x.data(), p.data()};
    CHECK_THROWS(net.run({&too_many, 1}));
    CHECK_THROWS(net.run({&bad_slot, 1}));
    const cuda::CrnnRequest twice[2] = {{0, 1, x.data(), p.data()}, {0, 1, x.data(), p.data()}};
    CHECK_THROWS(net.run(twice));
}
