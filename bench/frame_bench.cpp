// Per-frame cost of the feature extractor and the CPU CRNN (one core). The
// CRNN benchmarks take the arithmetic as their argument: /0 exact (fp32),
// /1 fast (int8 products with exact int32 sums).
// Run with --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
// for median and spread.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "fft_plans.hpp"
#include "tactus/crnn.hpp"
#include "tactus/features.hpp"
#include "tactus/model.hpp"

#ifdef TACTUS_BENCH_EIGEN
#include <Eigen/Dense>
#endif

namespace {

const tactus::Model& model() {
    static const tactus::Model m = tactus::load_model(tactus::find_model(1));
    return m;
}

std::vector<float> noise_audio(std::size_t n) {
    std::mt19937 rng(1);
    std::normal_distribution<float> d(0.f, 0.2f);
    std::vector<float> x(n);
    for (auto& v : x) v = d(rng);
    return x;
}

// Push one hop, pop one frame: the streaming steady state. /0 madmom's
// features (BeatNet mode), /1 with the tracker's auto gain.
void BM_Features(benchmark::State& state) {
    tactus::FeatureExtractor fx;
    fx.set_auto_gain(state.range(0) != 0);
    const auto audio = noise_audio(tactus::kHop * 64 + tactus::kFrameSize);
    fx.push(audio.data(), tactus::kFrameSize);
    float feat[tactus::kFeatures];
    std::size_t at = tactus::kFrameSize;
    for (auto _ : state) {
        if (at + tactus::kHop > audio.size()) at = tactus::kFrameSize;
        fx.push(audio.data() + at, tactus::kHop);
        at += tactus::kHop;
        while (fx.pop(feat)) benchmark::DoNotOptimize(feat);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(tactus::bluestein_plans_from_wisdom() ? "FFT plans from wisdom" : "FFT plans estimated");
}
BENCHMARK(BM_Features)->Arg(0)->Arg(1);

tactus::CrnnArithmetic arithmetic(benchmark::State& state) {
    state.SetLabel(state.range(0) != 0 ? std::string("int8, ") + tactus::cpu_fast_arithmetic() : "fp32");
    return state.range(0) != 0 ? tactus::CrnnArithmetic::fast : tactus::CrnnArithmetic::exact;
}

std::vector<std::vector<float>> some_features() {
    tactus::FeatureExtractor fx;
    const auto audio = noise_audio(tactus::kHop * 200);
    std::vector<std::vector<float>> out;
    std::vector<float> f(tactus::kFeatures);
    for (std::size_t at = 0; at < audio.size();) {
        at += fx.push(audio.data() + at, audio.size() - at);
        while (fx.pop(f.data())) out.push_back(f);
    }
    return out;
}

void BM_Crnn(benchmark::State& state) {
    tactus::CrnnCpu net(model().weights, arithmetic(state));
    const auto feats = some_features();
    float p[3];
    std::size_t i = 0;
    for (auto _ : state) {
        net.step(feats[i++ % feats.size()].data(), p);
        benchmark::DoNotOptimize(p);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Crnn)->Arg(0)->Arg(1);

// Files: frames in batches of 32 (the input weights are read once per batch).
void BM_CrnnBatch32(benchmark::State& state) {
    tactus::CrnnCpu net(model().weights, arithmetic(state));
    const auto feats = some_features();
    std::vector<float> batch(32 * tactus::kFeatures), p(32 * 3);
    for (int f = 0; f < 32; ++f) std::copy(feats[std::size_t(f)].begin(), feats[std::size_t(f)].end(), batch.begin() + f * tactus::kFeatures);
    for (auto _ : state) {
        net.run(batch.data(), 32, p.data());
        benchmark::DoNotOptimize(p.data());
    }
    state.SetItemsProcessed(state.iterations() * 32);
    state.counters["us_per_frame"] = benchmark::Counter(double(state.iterations()) * 32, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_CrnnBatch32)->Arg(0)->Arg(1);

// /0 as BeatNet mode runs (fp32, no gain), /1 as the tracker does
void BM_FeaturesAndCrnn(benchmark::State& state) {
    tactus::FeatureExtractor fx;
    fx.set_auto_gain(state.range(0) != 0);
    tactus::CrnnCpu net(model().weights, arithmetic(state));
    const auto audio = noise_audio(tactus::kHop * 64 + tactus::kFrameSize);
    fx.push(audio.data(), tactus::kFrameSize);
    float feat[tactus::kFeatures], p[3];
    std::size_t at = tactus::kFrameSize;
    for (auto _ : state) {
        if (at + tactus::kHop > audio.size()) at = tactus::kFrameSize;
        fx.push(audio.data() + at, tactus::kHop);
        at += tactus::kHop;
        while (fx.pop(feat)) net.step(feat, p);
        benchmark::DoNotOptimize(p);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FeaturesAndCrnn)->Arg(0)->Arg(1);

#ifdef TACTUS_BENCH_EIGEN
// The LSTM's two 600x300 GEMVs per frame with Eigen, for comparison with
// the hand-vectorised kernel inside BM_Crnn.
void BM_EigenLstmGemv(benchmark::State& state) {
    using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Mat w0 = Mat::Random(600, 300), w1 = Mat::Random(600, 300), l0 = Mat::Random(150, 262);
    Eigen::VectorXf x = Eigen::VectorXf::Random(300), p = Eigen::VectorXf::Random(262), y(600), z(150);
    for (auto _ : state) {
        z.noalias() = l0 * p;
        y.noalias() = w0 * x;
        benchmark::DoNotOptimize(y.data());
        y.noalias() = w1 * x;
        benchmark::DoNotOptimize(y.data());
        benchmark::DoNotOptimize(z.data());
    }
}
BENCHMARK(BM_EigenLstmGemv);
#endif

}  // namespace

BENCHMARK_MAIN();
