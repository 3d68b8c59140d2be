// The GPU particle filter's logic, run on the CPU (PfEmulator executes the
// kernel's phases thread by thread): it is deterministic and keeps its
// particle counts. How it tracks beats (as BeatNet's and the CPU port's)
// is checked on the golden activations in pf_golden_test.cpp. Its agreement with BeatNet's own beats is checked in
// pf_golden_test.cpp (needs ../shared).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <vector>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/activations.hpp"
#include "tactus/cuda/pf_emulator.hpp"

using namespace tactus;

namespace {

struct Run {
    std::vector<double> beats;
    double bpm = 0;
};

// Beat and downbeat activations of a synthetic groove (CRNN model 1).
std::vector<std::array<float, 2>> groove_activations(double bpm, double seconds) {
    struct Sink final : FrameSink {
        std::vector<std::array<float, 2>> acts;
        void on_frame(const FrameOutput& f) override { acts.push_back({f.beat, f.downbeat}); }
    } sink;
    const auto audio = tactus::test::groove(22050, bpm, seconds);
    ActivationPipeline pipe(tactus::test::model(1).weights, 22050, CrnnArithmetic::exact);
    pipe.set_batch(32);
    pipe.feed(audio.data(), audio.size(), sink);
    pipe.finish(sink);
    return sink.acts;
}

template <class Filter>
Run run_filter(Filter& pf, const std::vector<std::array<float, 2>>& acts) {
    Run r;
    for (std::size_t f = 0; f < acts.size(); ++f) {
        const auto o = pf.step(acts[f][0], acts[f][1]);
        if (int(o.label) != 0 && f >= 1) r.beats.push_back(double(f - 1) / 50.0);
    }
    r.bpm = pf.tempo_bpm();
    return r;
}

Run run_emulator(const std::vector<std::array<float, 2>>& acts, std::uint64_t seed) {
    BeatNetPfConfig cfg;
    cfg.seed = seed;
    cuda::PfEmulator pf(cfg);
    return run_filter(pf, acts);
}

}  // namespace

TEST_CASE("the emulated GPU particle filter is deterministic for a seed and varies with it", "[cuda][pf]") {
    const auto acts = groove_activations(97, 12);
    const Run a = run_emulator(acts, 7), b = run_emulator(acts, 7);
    CHECK(a.beats == b.beats);
    CHECK(a.bpm == b.bpm);
    BeatNetPfConfig cfg;
    cfg.seed = 7;
    cuda::PfEmulator p1(cfg);
    cfg.seed = 8;
    cuda::PfEmulator p2(cfg);
    bool differ = false;
    for (const auto& x : acts) {
        p1.step(x[0], x[1]);
        p2.step(x[0], x[1]);
        const auto& s1 = p1.state();
        const auto& s2 = p2.state();
        differ |= !std::equal(s1.particles, s1.particles + cfg.particles, s2.particles);
    }
    CHECK(differ);
}

TEST_CASE("the particle counts stay fixed through injections", "[cuda][pf]") {
    BeatNetPfConfig cfg;
    cuda::PfEmulator pf(cfg);
    for (int f = 0; f < 300; ++f) {
        pf.step(f % 20 == 0 ? 0.95f : 0.2f, f % 80 == 0 ? 0.95f : 0.01f);  // strong frames inject
        REQUIRE(pf.particle_count() == cfg.particles);
        REQUIRE(pf.down_particle_count() == cfg.down_particles);
        const auto& s = pf.state();
        for (int i = 0; i < cfg.particles; ++i) REQUIRE((s.particles[i] >= 0 && s.particles[i] < 1449));
        for (int i = 0; i < cfg.down_particles; ++i) REQUIRE((s.down_particles[i] >= 0 && s.down_particles[i] < 9));
    }
}
