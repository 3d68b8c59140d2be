// The GPU particle filter's logic (emulated on the CPU) finds the beats
// BeatNet found on the golden activations, as the CPU port does
// (beatnet_pf_test.cpp): same thresholds, same tempo.
#include <catch2/catch.hpp>

#include "beat_metrics.hpp"
#include "npy.hpp"
#include "paths.hpp"
#include "tactus/beatnet_pf.hpp"
#include "tactus/cuda/pf_emulator.hpp"

using namespace tactus;
using tactus::test::f_measure;
using tactus::test::load_npy;
using tactus::test::reference;

namespace {

std::vector<double> emulated_beats(const std::string& tag, std::uint64_t seed, double* bpm = nullptr) {
    const auto acts = load_npy(reference(tag + "_online_activations.npy"));
    BeatNetPfConfig cfg;
    cfg.seed = seed;
    cuda::PfEmulator pf(cfg);
    std::vector<double> beats;
    for (std::size_t f = 0; f < acts.rows(); ++f) {
        const auto o = pf.step(float(acts.at(f, 0)), float(acts.at(f, 1)));
        if (o.label != 0 && f >= 1) beats.push_back(double(f - 1) / 50.0);
    }
    if (bpm) *bpm = pf.tempo_bpm();
    return beats;
}

std::vector<double> cpu_beats(const std::string& tag, std::uint64_t seed) {
    const auto acts = load_npy(reference(tag + "_online_activations.npy"));
    BeatNetPfConfig cfg;
    cfg.seed = seed;
    BeatNetParticleFilter pf(cfg);
    std::vector<double> beats;
    for (std::size_t f = 0; f < acts.rows(); ++f) {
        const auto d = pf.step(float(acts.at(f, 0)), float(acts.at(f, 1)));
        if (d.label != BeatNetParticleFilter::kNone) beats.push_back(double(d.frame) / 50.0);
    }
    return beats;
}

std::vector<double> reference_beats(const std::string& tag) {
    const auto ref = load_npy(reference(tag + "_online_pf_beats_seed1.npy"));
    std::vector<double> out;
    for (std::size_t i = 0; i < ref.rows(); ++i) out.push_back(ref.at(i, 0));
    return out;
}

}  // namespace

TEST_CASE("the GPU particle filter's logic finds BeatNet's beats (F >= 0.95) and agrees with the CPU port",
          "[cuda][pf]") {
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag);
        const auto ref = reference_beats(tag);
        CHECK(f_measure(ref, emulated_beats(tag, 1)) >= 0.95);
        // Other random numbers than the CPU port's (Philox per particle), so
        // other beats for a seed; over many seeds the two score the same
        // (0.958 and 0.957 on kick808, 0.953 and 0.952 on synth97 over 200
        // seeds). 30 seeds keep the test short.
        double gpu_sum = 0, cpu_sum = 0;
        const int seeds = 30;
        for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
            gpu_sum += f_measure(ref, emulated_beats(tag, seed));
            cpu_sum += f_measure(ref, cpu_beats(tag, seed));
        }
        CHECK(gpu_sum / seeds >= 0.94);
        CHECK(std::abs(gpu_sum - cpu_sum) / seeds <= 0.02);
    }
}

TEST_CASE("the GPU particle filter's logic tracks synth97's 97 BPM", "[cuda][pf]") {
    double bpm = 0;
    emulated_beats("synth97", 1, &bpm);
    CHECK(bpm >= 96.0);
    CHECK(bpm <= 100.1);
}
