// Throughput of the streaming step (one frame per stream per round) and of
// file-sized rounds, GPU against one CPU core, in streams x real time: how
// many live streams one device (or core) keeps up with.
#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include "check.hpp"
#include "tactus/beatnet_pf.hpp"
#include "tactus/crnn_backend.hpp"
#include "tactus/cuda/cuda_crnn.hpp"
#include "tactus/cuda/cuda_pf.hpp"
#include "tactus/features.hpp"

namespace tactus::gpucheck {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kFrame = 1.0 / 50.0;  // seconds of audio per frame

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<const CrnnWeights*> ensemble(std::vector<Model>& keep) {
    for (int id = 1; id <= 3; ++id) keep.push_back(load_model(find_model(id)));
    std::vector<const CrnnWeights*> w;
    for (const auto& m : keep) w.push_back(&m.weights);
    return w;
}

std::vector<float> random_features(std::size_t frames) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    std::vector<float> x(frames * kFeatures);
    for (auto& v : x) v = u(rng);
    return x;
}

// One CPU core: the ensemble, one stream, `batch` frames per call.
double cpu_crnn_rt(const std::vector<const CrnnWeights*>& models, int batch) {
    auto net = cpu_provider()->make(models, CrnnArithmetic::exact);
    const int frames = 2000;
    const auto x = random_features(std::size_t(frames));
    std::vector<float> p(std::size_t(frames) * 3);
    const auto t0 = Clock::now();
    for (int f = 0; f + batch <= frames; f += batch)
        net->run(x.data() + std::size_t(f) * kFeatures, batch, p.data() + std::size_t(f) * 3);
    return frames * kFrame / seconds_since(t0);
}

// The GPU: `streams` streams, `chunk` frames each per round.
double gpu_crnn_rt(const std::vector<const CrnnWeights*>& models, int device, int streams, int chunk) {
    cuda::CudaCrnn::Options o;
    o.device = device;
    o.slots = streams;
    o.chunk = chunk;
    cuda::CudaCrnn net(models, o);
    const auto x = random_features(std::size_t(chunk));
    std::vector<float> p(std::size_t(streams) * std::size_t(chunk) * 3);
    std::vector<cuda::CrnnRequest> round;
    for (int s = 0; s < streams; ++s)
        round.push_back({s, chunk, x.data(), p.data() + std::size_t(s) * std::size_t(chunk) * 3});
    for (int i = 0; i < 10; ++i) net.run(round);  // warm-up (graph capture, cuDNN plans)
    int rounds = 0;
    const auto t0 = Clock::now();
    while (seconds_since(t0) < 2.0 || rounds < 20) {
        net.run(round);
        ++rounds;
    }
    return double(rounds) * streams * chunk * kFrame / seconds_since(t0);
}

double cpu_pf_rt() {
    BeatNetParticleFilter pf;
    const int frames = 5000;
    const auto t0 = Clock::now();
    for (int f = 0; f < frames; ++f) pf.step(f % 25 == 0 ? 0.9f : 0.02f, f % 100 == 0 ? 0.9f : 0.01f);
    return frames * kFrame / seconds_since(t0);
}

double gpu_pf_rt(int device, int streams, int frames_per_round) {
    cuda::CudaParticleFilter::Options o;
    o.device = device;
    o.streams = streams;
    o.max_frames = frames_per_round;
    cuda::CudaParticleFilter pf(BeatNetPfConfig{}, o);
    std::vector<float> acts(std::size_t(streams) * std::size_t(frames_per_round) * 2);
    std::vector<cuda::PfFrameOut> out(std::size_t(streams) * std::size_t(frames_per_round));
    int rounds = 0, frame = 0;
    auto fill = [&] {
        for (int s = 0; s < streams; ++s)
            for (int f = 0; f < frames_per_round; ++f, ++frame) {
                acts[std::size_t((s * frames_per_round + f) * 2)] = (frame + s) % 25 == 0 ? 0.9f : 0.02f;
                acts[std::size_t((s * frames_per_round + f) * 2 + 1)] = (frame + s) % 100 == 0 ? 0.9f : 0.01f;
            }
    };
    for (int i = 0; i < 5; ++i) {
        fill();
        pf.run(acts.data(), frames_per_round, out.data());
    }
    const auto t0 = Clock::now();
    while (seconds_since(t0) < 2.0 || rounds < 20) {
        fill();
        pf.run(acts.data(), frames_per_round, out.data());
        ++rounds;
    }
    return double(rounds) * streams * frames_per_round * kFrame / seconds_since(t0);
}

}  // namespace

void check_speed(int device, const std::vector<int>& streams, Report& r) {
    std::vector<Model> keep;
    const auto models = ensemble(keep);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const double cpu_step = cpu_crnn_rt(models, 1), cpu_file = cpu_crnn_rt(models, 32), cpu_pf = cpu_pf_rt();
    auto cell = [&](double one_core) { return fmt("%.0f x RT/core", one_core); };
    for (int s : streams) {
        const double g = gpu_crnn_rt(models, device, s, 1);
        r.add("CRNN ensemble, live step, " + std::to_string(s) + " streams (streams x RT)", cell(cpu_step),
              fmt("%.0f x RT", g), fmt("%.1f cores", g / cpu_step));
    }
    for (int s : streams) {
        const double g = gpu_crnn_rt(models, device, s, 32);
        r.add("CRNN ensemble, 32-frame rounds, " + std::to_string(s) + " streams (files)", cell(cpu_file),
              fmt("%.0f x RT", g), fmt("%.1f cores", g / cpu_file));
    }
    for (int s : streams) {
        const double g = gpu_pf_rt(device, s, 1);
        r.add("BeatNet filter, live step, " + std::to_string(s) + " streams", cell(cpu_pf), fmt("%.0f x RT", g),
              fmt("%.1f cores", g / cpu_pf));
    }
    r.add("CPU cores on this machine", std::to_string(cores), "", "");
}

}  // namespace tactus::gpucheck
