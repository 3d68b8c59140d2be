// What analysing a file costs, stage by stage, per 30 s of audio (one
// core, in process: no process start, no weights loaded per iteration):
//  - Decode: the clip read to mono floats (FLAC by libFLAC, else libsndfile);
//  - Features/<paired>: resampling to 22050 Hz and the 272 features per
//    frame, the DFT a frame at a time (0, live) or two at a time (1, files);
//  - Crnn/<models>/<arithmetic>: the network over the clip's frames in
//    batches of 32, after 2 s of silence (as every stream starts);
//    models 1 (one) or 3 (the ensemble), arithmetic 0 fp32, 1 int8;
//  - Tracker: Tactus's tracker over the clip's activations;
//  - Analyzer/<models>: all of it together but the decoding, as
//    tactus-analyze runs it (engine start included).
// The clip: the first argument, else the bundled example looped to 30 s.
// Run with --benchmark_repetitions=10 --benchmark_report_aggregates_only=true
// for medians, spread and minima (the least disturbed run, on a noisy VM the
// steadiest figure to compare builds by).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "tactus/analyzer.hpp"
#include "tactus/audio_file.hpp"
#include "tactus/crnn_backend.hpp"
#include "tactus/features.hpp"
#include "tactus/model.hpp"
#include "tactus/resampler.hpp"
#include "tactus/tracker.hpp"

namespace {

double smallest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

std::filesystem::path g_clip = TACTUS_EXAMPLE_CLIP;
constexpr double kSeconds = 30;

struct Clip {
    std::vector<float> audio;  // mono, 30 s
    double rate = 0;
};

const Clip& clip() {
    static const Clip c = [] {
        Clip out;
        const auto once = tactus::read_mono(g_clip, &out.rate);
        const auto n = std::size_t(kSeconds * out.rate);
        while (out.audio.size() < n) out.audio.insert(out.audio.end(), once.begin(), once.end());
        out.audio.resize(n);
        return out;
    }();
    return c;
}

// The clip resampled to 22050 Hz into `out` (sized generously); returns
// the samples written.
std::size_t resample_clip(std::vector<float>& out) {
    out.resize(std::size_t(kSeconds * tactus::kFeatureRate) + 4096);
    tactus::Resampler rs(clip().rate, tactus::kFeatureRate);
    const auto& in = clip().audio;
    std::size_t fed = 0, n = 0;
    while (fed < in.size()) {  // the resampler may take a part at a time
        std::size_t consumed = 0;
        n += rs.process(in.data() + fed, in.size() - fed, &consumed, out.data() + n, out.size() - n);
        fed += consumed;
    }
    for (std::size_t k; (k = rs.flush(out.data() + n, out.size() - n)) > 0;) n += k;
    return n;
}

// The tracker's features of x[0..n), a hop at a time as a stream brings
// them, each frame to on_frame.
template <class OnFrame>
void stream_features(const float* x, std::size_t n, bool paired, OnFrame on_frame) {
    tactus::FeatureExtractor fx;
    fx.set_silence_before(true);
    fx.set_auto_gain(true);
    fx.set_paired(paired);
    float frame[tactus::kFeatures];
    for (std::size_t at = 0; at < n;) {
        at += fx.push(x + at, std::min<std::size_t>(n - at, tactus::kHop));
        while (fx.pop(frame)) on_frame(frame);
    }
    fx.finish();
    while (fx.pop(frame)) on_frame(frame);
}

const std::vector<float>& features() {
    static const std::vector<float> f = [] {
        std::vector<float> resampled, out;
        const std::size_t n = resample_clip(resampled);
        stream_features(resampled.data(), n, false, [&](const float* frame) { out.insert(out.end(), frame, frame + tactus::kFeatures); });
        return out;
    }();
    return f;
}

std::vector<std::filesystem::path> models(int n) {
    std::vector<std::filesystem::path> out;
    for (int id = 1; id <= n; ++id) out.push_back(tactus::find_model(id));
    return out;
}

void BM_Decode(benchmark::State& state) {
    // as tactus-analyze reads: 16384 frames at a time, mixed to mono
    constexpr std::size_t kBlock = 16384;
    std::vector<float> interleaved, mono(kBlock);
    for (auto _ : state) {
        tactus::AudioFile f(g_clip);
        interleaved.resize(kBlock * std::size_t(f.channels()));
        std::size_t n;
        while ((n = f.read(interleaved.data(), kBlock)) > 0) {
            tactus::mix_to_mono(interleaved.data(), n, f.channels(), mono.data());
            benchmark::DoNotOptimize(mono.data());
        }
    }
    state.SetLabel(g_clip.filename().string() + " (not looped)");
}
BENCHMARK(BM_Decode)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", smallest);

void BM_Resample(benchmark::State& state) {
    std::vector<float> resampled;
    for (auto _ : state) benchmark::DoNotOptimize(resample_clip(resampled));
    state.SetLabel(std::to_string(int(clip().rate)) + " Hz -> " + std::to_string(int(tactus::kFeatureRate)));
}
BENCHMARK(BM_Resample)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", smallest);

void BM_Features(benchmark::State& state) {
    std::vector<float> resampled;
    for (auto _ : state) {
        const std::size_t n = resample_clip(resampled);
        stream_features(resampled.data(), n, state.range(0) != 0, [](const float* frame) { benchmark::DoNotOptimize(frame); });
    }
}
BENCHMARK(BM_Features)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", smallest);

void BM_Crnn(benchmark::State& state) {
    const auto arithmetic = state.range(1) != 0 ? tactus::CrnnArithmetic::fast : tactus::CrnnArithmetic::exact;
    auto net = tactus::cpu_provider()->make_from_files(models(int(state.range(0))), arithmetic);
    const auto& f = features();
    const int frames = int(f.size() / tactus::kFeatures), batch = tactus::CrnnBackend::kMaxFrames;
    const std::vector<float> silence(std::size_t(batch) * tactus::kFeatures, 0.f);
    std::vector<float> probs(std::size_t(batch) * 3);
    for (auto _ : state) {
        net->reset();
        for (int k = 0; k < tactus::Analyzer::kSilenceFrames; k += batch)
            net->run(silence.data(), std::min(batch, tactus::Analyzer::kSilenceFrames - k), probs.data());
        for (int at = 0; at < frames; at += batch)
            net->run(f.data() + std::size_t(at) * tactus::kFeatures, std::min(batch, frames - at), probs.data());
    }
    state.SetLabel(tactus::cpu_fast_arithmetic());
}
BENCHMARK(BM_Crnn)->ArgsProduct({{1, 3}, {0, 1}})->Unit(benchmark::kMillisecond)->ComputeStatistics("min", smallest);

struct NullBeats final : tactus::BeatSink {
    int beats = 0;
    void on_beat(const tactus::TrackerBeat&) override { ++beats; }
};

void BM_Tracker(benchmark::State& state) {
    const auto& f = features();
    const int frames = int(f.size() / tactus::kFeatures);
    std::vector<tactus::TrackerFrame> input(static_cast<std::size_t>(frames));
    {
        auto net = tactus::cpu_provider()->make_from_files(models(3), tactus::CrnnArithmetic::fast);
        float p[3];
        for (int i = 0; i < frames; ++i) {
            const float* x = f.data() + std::size_t(i) * tactus::kFeatures;
            net->run(x, 1, p);
            auto& t = input[std::size_t(i)];
            t.index = i;
            t.beat = p[0];
            t.downbeat = p[1];
            t.level_db = -12;
            for (int b = tactus::kBands; b < tactus::kFeatures; ++b) t.onset += x[b];
            t.onset /= tactus::kBands;
        }
    }
    NullBeats sink;
    for (auto _ : state) {
        tactus::TactusTracker tracker;
        for (const auto& t : input) tracker.process(t, double(t.index), sink);
    }
    state.counters["beats"] = sink.beats / double(state.iterations());
}
BENCHMARK(BM_Tracker)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", smallest);

struct NullEvents final : tactus::EventSink {
    void on_event(const tactus::BeatEvent&) override {}
};

void BM_Analyzer(benchmark::State& state) {
    std::vector<tactus::Model> loaded;
    for (const auto& p : models(int(state.range(0)))) loaded.push_back(tactus::load_model(p));
    std::vector<const tactus::CrnnWeights*> weights;
    for (const auto& m : loaded) weights.push_back(&m.weights);
    tactus::AnalyzerConfig cfg;
    cfg.sample_rate = clip().rate;
    cfg.batch_frames = tactus::CrnnBackend::kMaxFrames;
    NullEvents sink;
    for (auto _ : state) {
        tactus::Analyzer a(weights, cfg);
        a.feed(clip().audio.data(), clip().audio.size(), sink);
        a.finish(sink);
    }
}
BENCHMARK(BM_Analyzer)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->ComputeStatistics("min", smallest);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (argc > 1) g_clip = argv[1];
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
