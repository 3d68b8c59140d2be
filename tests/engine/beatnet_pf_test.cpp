// The faithful (bug-fixed) port of BeatNet's cascade particle filter
// behaves like the original on the golden activations.
#include <catch2/catch.hpp>

#include "beat_metrics.hpp"
#include "npy.hpp"
#include "paths.hpp"
#include "tactus/beatnet_pf.hpp"

using namespace tactus;
using tactus::test::f_measure;
using tactus::test::load_npy;
using tactus::test::reference;

namespace {

struct Beats {
    std::vector<double> beats, downbeats;
};

Beats run_pf(const std::string& tag, std::uint64_t seed) {
    const auto acts = load_npy(reference(tag + "_online_activations.npy"));
    BeatNetPfConfig cfg;
    cfg.seed = seed;
    BeatNetParticleFilter pf(cfg);
    Beats out;
    for (std::size_t f = 0; f < acts.rows(); ++f) {
        const auto d = pf.step(float(acts.at(f, 0)), float(acts.at(f, 1)));
        if (d.label != BeatNetParticleFilter::kNone) out.beats.push_back(double(d.frame) / 50.0);
        if (d.label == BeatNetParticleFilter::kDownbeat) out.downbeats.push_back(double(d.frame) / 50.0);
    }
    return out;
}

Beats reference_beats(const std::string& tag) {
    const auto ref = load_npy(reference(tag + "_online_pf_beats_seed1.npy"));
    Beats out;
    for (std::size_t i = 0; i < ref.rows(); ++i) {
        out.beats.push_back(ref.at(i, 0));
        if (ref.at(i, 1) == 1) out.downbeats.push_back(ref.at(i, 0));
    }
    return out;
}

}  // namespace

TEST_CASE("the BeatNet particle filter finds the beats the original found (F >= 0.95)", "[beatnet_pf]") {
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag);
        const Beats ref = reference_beats(tag);
        // numpy's random draws cannot be replayed, so seed 1 here is not the
        // original's seed 1: check our seed 1 and the mean over ten seeds.
        CHECK(f_measure(ref.beats, run_pf(tag, 1).beats) >= 0.95);
        double sum = 0;
        for (std::uint64_t seed = 1; seed <= 10; ++seed) sum += f_measure(ref.beats, run_pf(tag, seed).beats);
        CHECK(sum / 10 >= 0.95);
    }
}

TEST_CASE("the BeatNet particle filter is deterministic for a seed and varies across seeds", "[beatnet_pf]") {
    const auto a = run_pf("synth97", 7), b = run_pf("synth97", 7);
    CHECK(a.beats == b.beats);
    CHECK(a.downbeats == b.downbeats);
    // different seeds give different particle clouds (tempo estimates differ
    // somewhere along the way even if the beats agree)
    const auto acts = load_npy(reference("synth97_online_activations.npy"));
    BeatNetPfConfig c1, c2;
    c1.seed = 1;
    c2.seed = 2;
    BeatNetParticleFilter p1(c1), p2(c2);
    bool differ = false;
    for (std::size_t f = 0; f < acts.rows(); ++f) {
        p1.step(float(acts.at(f, 0)), float(acts.at(f, 1)));
        p2.step(float(acts.at(f, 0)), float(acts.at(f, 1)));
        differ |= p1.tempo_bpm() != p2.tempo_bpm();
    }
    CHECK(differ);
}

TEST_CASE("the BeatNet particle filter tracks synth97's 97 BPM", "[beatnet_pf]") {
    const auto acts = load_npy(reference("synth97_online_activations.npy"));
    BeatNetParticleFilter pf;
    for (std::size_t f = 0; f < acts.rows(); ++f) pf.step(float(acts.at(f, 0)), float(acts.at(f, 1)));
    // 97 BPM is 30.9 frames; the integer tempo grid holds 30 or 31 frames
    CHECK(pf.tempo_bpm() >= 96.0);
    CHECK(pf.tempo_bpm() <= 100.1);
}
