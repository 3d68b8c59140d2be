// GPU against CPU and PyTorch on the golden reference inputs.
#include <cmath>
#include <memory>

#include "../../tests/support/beat_metrics.hpp"
#include "../../tests/support/npy.hpp"
#include "check.hpp"
#include "tactus/analyzer.hpp"
#include "tactus/beatnet_pf.hpp"
#include "tactus/crnn.hpp"
#include "tactus/cuda/cuda_crnn.hpp"
#include "tactus/cuda/cuda_pf.hpp"
#include "tactus/cuda/pf_emulator.hpp"
#include "tactus/cuda/provider.hpp"
#include "tactus/error.hpp"
#include "tactus/features.hpp"

namespace tactus::gpucheck {
namespace {

using test::load_npy;
namespace fs = std::filesystem;

constexpr double kTolerance = 1e-4;
const char* const kTags[] = {"kick808", "synth97"};

double max_diff(const std::vector<float>& a, const std::vector<float>& b, int stride = 3, int columns = 3) {
    double w = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (int(i % std::size_t(stride)) < columns) w = std::max(w, double(std::abs(a[i] - b[i])));
    return a.size() == b.size() ? w : 1e9;
}

std::vector<float> golden(const fs::path& ref, const std::string& tag) {
    return load_npy(ref / (tag + "_online_activations.npy")).as_float();
}

// The GPU CRNN over both reference inputs at once (one slot each) in
// rounds of `chunk` frames.
std::vector<std::vector<float>> gpu_activations(const std::vector<std::vector<float>>& feats, const CrnnWeights& w,
                                                int device, int chunk, bool cudnn, std::string* path) {
    cuda::CudaCrnn::Options o;
    o.device = device;
    o.slots = int(feats.size());
    o.chunk = 32;
    o.cudnn = cudnn;
    cuda::CudaCrnn net({&w}, o);
    *path = net.lstm_path();
    std::vector<std::vector<float>> out(feats.size());
    for (std::size_t s = 0; s < feats.size(); ++s) out[s].resize(feats[s].size() / kFeatures * 3);
    for (std::size_t at = 0;; at += std::size_t(chunk)) {
        std::vector<cuda::CrnnRequest> round;
        for (std::size_t s = 0; s < feats.size(); ++s) {
            const std::size_t frames = feats[s].size() / kFeatures;
            if (at < frames)
                round.push_back({int(s), int(std::min<std::size_t>(std::size_t(chunk), frames - at)),
                                 feats[s].data() + at * kFeatures, out[s].data() + at * 3});
        }
        if (round.empty()) break;
        net.run(round);
    }
    return out;
}

std::vector<float> cpu_activations(const std::vector<float>& feats, const CrnnWeights& w) {
    CrnnCpu net(w, CrnnArithmetic::exact);
    std::vector<float> out(feats.size() / kFeatures * 3);
    net.run(feats.data(), int(feats.size() / kFeatures), out.data());
    return out;
}

// Beat times (and bars) of the engine's analysis of mono 22050 Hz audio.
struct Events final : EventSink {
    std::vector<double> beats;
    std::vector<int> in_bar;
    void on_event(const BeatEvent& e) override {
        if (e.predicted) return;
        beats.push_back(e.time);
        in_bar.push_back(e.beat_in_bar);
    }
};

Events analyse(const std::vector<float>& audio, Inference inference, const std::shared_ptr<CrnnProvider>& device) {
    std::vector<fs::path> models;
    for (int id = 1; id <= 3; ++id) models.push_back(find_model(id));
    AnalyzerConfig cfg;
    cfg.sample_rate = 22050;
    cfg.inference = inference;
    cfg.batch_frames = 32;
    cfg.device = device;
    cfg.arithmetic = CrnnArithmetic::exact;  // the GPU's: compare like with like
    Analyzer a(models, cfg);
    Events ev;
    a.feed(audio.data(), audio.size(), ev);
    a.finish(ev);
    return ev;
}

void check_crnn(const fs::path& ref, int device, Report& r) {
    const Model m1 = load_model(find_model(1));
    std::vector<std::vector<float>> feats;
    for (const char* tag : kTags) feats.push_back(load_npy(ref / (std::string(tag) + "_online_features.npy")).as_float());
    for (const auto& [chunk, cudnn, label] : {std::tuple{1, false, "streaming kernel, 1 frame per round"},
                                              std::tuple{32, true, "32-frame rounds (cuDNN when it loads)"}}) {
        std::string path;
        const auto gpu = gpu_activations(feats, m1.weights, device, chunk, cudnn, &path);
        r.add(std::string("LSTM path (") + label + ")", "", path, "");
        for (std::size_t s = 0; s < feats.size(); ++s) {
            const auto gold = golden(ref, kTags[s]);
            const auto cpu = cpu_activations(feats[s], m1.weights);
            const double cpu_err = max_diff(cpu, gold), gpu_err = max_diff(gpu[s], gold), gap = max_diff(gpu[s], cpu);
            r.add(std::string(kTags[s]) + " activations, max |x - PyTorch|, " + label, fmt("%.2e", cpu_err),
                  fmt("%.2e", gpu_err), gpu_err <= kTolerance && gap <= kTolerance ? "ok" : "FAIL");
        }
    }
}

void check_pipeline(const fs::path& ref, int device, Report& r) {
    std::string why;
    const auto gpu = cuda::open_cuda_provider(device, &why);
    if (!gpu) throw Error(why);
    const Model m1 = load_model(find_model(1));
    for (const char* tag : kTags) {
        const auto audio = load_npy(ref / (std::string(tag) + "_audio_22050.npy")).as_float();
        struct Collect final : FrameSink {
            std::vector<float> p;
            void on_frame(const FrameOutput& f) override { p.insert(p.end(), {f.beat, f.downbeat, f.none}); }
        } on_cpu, on_gpu;
        ActivationPipeline cpu(m1.weights, 22050, CrnnArithmetic::exact), g(m1.weights, 22050, CrnnArithmetic::exact, gpu.get());
        cpu.set_batch(32);
        g.set_batch(32);
        cpu.feed(audio.data(), audio.size(), on_cpu);
        cpu.finish(on_cpu);
        g.feed(audio.data(), audio.size(), on_gpu);
        g.finish(on_gpu);
        const auto gold = golden(ref, tag);
        const double cpu_err = max_diff(on_cpu.p, gold), gpu_err = max_diff(on_gpu.p, gold);
        r.add(std::string(tag) + " audio -> activations (engine pipeline), max |x - PyTorch|", fmt("%.2e", cpu_err),
              fmt("%.2e", gpu_err), gpu_err <= kTolerance && max_diff(on_gpu.p, on_cpu.p) <= kTolerance ? "ok" : "FAIL");
        // the default inference on the ensemble's activations: the same beats
        const Events c = analyse(audio, Inference::tactus, cpu_provider());
        const Events d = analyse(audio, Inference::tactus, gpu);
        const double f = test::f_measure(c.beats, d.beats, 0.001);
        r.add(std::string(tag) + " beats (tactus inference, ensemble), count and F(1 ms) GPU vs CPU",
              std::to_string(c.beats.size()), std::to_string(d.beats.size()),
              c.beats == d.beats && c.in_bar == d.in_bar ? "identical" : f >= 0.98 ? fmt("F %.3f", f) : "FAIL");
    }
}

void check_particle_filter(const fs::path& ref, int device, Report& r) {
    const int seeds = 20;
    std::vector<std::vector<float>> acts;
    std::size_t frames = 0;
    for (const char* tag : kTags) {
        acts.push_back(golden(ref, tag));
        frames = std::max(frames, acts.back().size() / 3);
    }
    // stream = tag * seeds + seed - 1; shorter inputs are padded with silence
    BeatNetPfConfig cfg;
    cuda::CudaParticleFilter::Options o;
    o.device = device;
    o.streams = int(std::size(kTags)) * seeds;
    o.max_frames = 32;
    cuda::CudaParticleFilter gpu(cfg, o);
    for (int s = 0; s < o.streams; ++s) gpu.reset(s, std::uint64_t(s % seeds + 1));
    std::vector<std::vector<double>> beats(std::size_t(o.streams));
    std::vector<float> in;
    std::vector<cuda::PfFrameOut> out;
    cfg.seed = 1;
    cuda::PfEmulator emu(cfg);
    bool same_as_emulator = true;
    for (std::size_t at = 0; at < frames; at += 32) {
        const int n = int(std::min<std::size_t>(32, frames - at));
        in.assign(std::size_t(o.streams * n * 2), 0.f);
        for (int s = 0; s < o.streams; ++s)
            for (int f = 0; f < n; ++f) {
                const auto& a = acts[std::size_t(s / seeds)];
                const std::size_t frame = at + std::size_t(f);
                if (frame * 3 < a.size()) {
                    in[std::size_t((s * n + f) * 2)] = a[frame * 3];
                    in[std::size_t((s * n + f) * 2 + 1)] = a[frame * 3 + 1];
                }
            }
        out.resize(std::size_t(o.streams * n));
        gpu.run(in.data(), n, out.data());
        for (int s = 0; s < o.streams; ++s)
            for (int f = 0; f < n; ++f) {
                const std::size_t frame = at + std::size_t(f);
                if (out[std::size_t(s * n + f)].label != 0 && frame >= 1 &&
                    frame * 3 < acts[std::size_t(s / seeds)].size())
                    beats[std::size_t(s)].push_back(double(frame - 1) / 50.0);
                if (s == 0) {  // stream 0 is kick808, seed 1: the emulator must agree exactly
                    const auto e = emu.step(in[std::size_t(f * 2)], in[std::size_t(f * 2 + 1)]);
                    const auto& g = out[std::size_t(f)];
                    same_as_emulator &= e.label == g.label && e.interval == g.interval && e.down_max == g.down_max;
                }
            }
    }
    r.add("particle filter kernel vs its CPU emulation (kick808, seed 1)", "", same_as_emulator ? "bitwise" : "differs",
          same_as_emulator ? "ok" : "FAIL");
    for (std::size_t t = 0; t < std::size(kTags); ++t) {
        const auto ref_beats = load_npy(ref / (std::string(kTags[t]) + "_online_pf_beats_seed1.npy"));
        std::vector<double> want;
        for (std::size_t i = 0; i < ref_beats.rows(); ++i) want.push_back(ref_beats.at(i, 0));
        double gpu_f = 0, cpu_f = 0;
        for (int seed = 1; seed <= seeds; ++seed) {
            gpu_f += test::f_measure(want, beats[t * seeds + std::size_t(seed - 1)]);
            BeatNetPfConfig c;
            c.seed = std::uint64_t(seed);
            BeatNetParticleFilter pf(c);
            std::vector<double> mine;
            for (std::size_t f = 0; f * 3 < acts[t].size(); ++f) {
                const auto d = pf.step(acts[t][f * 3], acts[t][f * 3 + 1]);
                if (d.label != BeatNetParticleFilter::kNone) mine.push_back(double(d.frame) / 50.0);
            }
            cpu_f += test::f_measure(want, mine);
        }
        gpu_f /= seeds;
        cpu_f /= seeds;
        r.add(std::string(kTags[t]) + " BeatNet filter: mean F vs BeatNet's beats over 20 seeds", fmt("%.3f", cpu_f),
              fmt("%.3f", gpu_f), gpu_f >= 0.93 && std::abs(gpu_f - cpu_f) <= 0.03 ? "ok" : "FAIL");
    }
}

}  // namespace

void check_accuracy(const fs::path& reference, int device, Report& report) {
    check_crnn(reference, device, report);
    check_pipeline(reference, device, report);
    check_particle_filter(reference, device, report);
}

}  // namespace tactus::gpucheck
