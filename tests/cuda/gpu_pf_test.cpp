// The particle filter on the GPU (needs a CUDA device): every stream, every
// frame, bit for bit what its CPU emulation (the same phases run thread by
// thread) gives, in rounds of one frame (CUDA graphs) and of many.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "tactus/cuda/cuda_pf.hpp"
#include "tactus/cuda/pf_emulator.hpp"

using namespace tactus;

namespace {

// Plausible activations: a pulse train per stream with its own period,
// phase and strength, some noise, and the odd very strong frame (injection).
float activation(int stream, int frame, bool downbeat) {
    const int period = 18 + 3 * stream;
    const int phase = (frame + 5 * stream) % period;
    const double pulse = std::exp(-0.5 * phase * phase) + std::exp(-0.5 * (period - phase) * (period - phase));
    const double bar = (frame + 5 * stream) % (4 * period) < 2 ? 1.0 : 0.0;
    const double noise = 0.02 * std::abs(std::sin(0.37 * frame * (stream + 1)));
    const double v = downbeat ? 0.95 * pulse * bar : 0.9 * pulse * (1.0 - bar);
    return float(std::min(1.0, v + noise));
}

}  // namespace

TEST_CASE("GPU: the particle filter kernel equals its CPU emulation bit for bit", "[gpu][pf]") {
    const int streams = 12, frames = 700;
    BeatNetPfConfig cfg;
    for (const int round : {1, 32, 7}) {
        INFO("frames per round " << round);
        cuda::CudaParticleFilter::Options o;
        o.streams = streams;
        o.max_frames = 32;
        cuda::CudaParticleFilter gpu(cfg, o);
        std::vector<std::unique_ptr<cuda::PfEmulator>> cpu;
        for (int s = 0; s < streams; ++s) {
            cfg.seed = std::uint64_t(100 + s);
            cpu.push_back(std::make_unique<cuda::PfEmulator>(cfg));
            gpu.reset(s, cfg.seed);
        }
        std::vector<float> acts;
        std::vector<cuda::PfFrameOut> out;
        int beats = 0;
        for (int at = 0; at < frames; at += round) {
            const int n = std::min(round, frames - at);
            acts.assign(std::size_t(streams * n * 2), 0.f);
            for (int s = 0; s < streams; ++s)
                for (int f = 0; f < n; ++f) {
                    acts[std::size_t((s * n + f) * 2)] = activation(s, at + f, false);
                    acts[std::size_t((s * n + f) * 2 + 1)] = activation(s, at + f, true);
                }
            out.resize(std::size_t(streams * n));
            gpu.run(acts.data(), n, out.data());
            for (int s = 0; s < streams; ++s)
                for (int f = 0; f < n; ++f) {
                    const auto want = cpu[std::size_t(s)]->step(acts[std::size_t((s * n + f) * 2)],
                                                                acts[std::size_t((s * n + f) * 2 + 1)]);
                    const auto& got = out[std::size_t(s * n + f)];
                    REQUIRE(got.label == want.label);
                    REQUIRE(got.down_max == want.down_max);
                    REQUIRE(got.interval == want.interval);
                    beats += got.label != 0;
                }
        }
        CHECK(beats > streams * 10);  // it does find beats
        auto state = std::make_unique<cuda::PfStreamState>();
        for (int s = 0; s < streams; ++s) {
            gpu.download(s, state.get());
            const auto& want = cpu[std::size_t(s)]->state();
            CHECK(std::equal(want.particles, want.particles + cfg.particles, state->particles));
            CHECK(std::equal(want.down_particles, want.down_particles + cfg.down_particles, state->down_particles));
            CHECK(state->counter == frames - 1);
        }
    }
}
