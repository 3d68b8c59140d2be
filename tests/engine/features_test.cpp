// Features equal madmom's (window, |STFT|, filtered spectrogram, log + diff)
// on both reference inputs, and streaming in any block sizes changes nothing.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <random>

#include "npy.hpp"
#include "paths.hpp"
#include "tactus/features.hpp"

using namespace tactus;
using tactus::test::load_npy;
using tactus::test::reference;

namespace {

struct Computed {
    std::vector<float> mag, filt, feat;
    std::size_t frames = 0;
};

Computed compute_all(const std::vector<float>& audio, bool paired = false) {
    FeatureExtractor fx;
    fx.set_paired(paired);
    Computed c;
    std::size_t at = 0;
    float feat[kFeatures];
    FrameDetail d;
    auto drain = [&] {
        while (fx.pop(feat, &d)) {
            c.mag.insert(c.mag.end(), std::begin(d.stft_mag), std::end(d.stft_mag));
            c.filt.insert(c.filt.end(), std::begin(d.filtered), std::end(d.filtered));
            c.feat.insert(c.feat.end(), feat, feat + kFeatures);
            ++c.frames;
        }
    };
    while (at < audio.size()) {
        at += fx.push(audio.data() + at, audio.size() - at);
        drain();
    }
    fx.finish();
    drain();
    return c;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(double(a[i]) - b[i]));
    return worst;
}

}  // namespace

TEST_CASE("the features of both reference inputs match madmom to 1e-4, a frame at a time or two at a time",
          "[features]") {
    const bool paired = GENERATE(false, true);
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag << (paired ? ", frames in pairs" : ""));
        const auto audio = load_npy(reference(tag + "_audio_22050.npy")).as_float();
        const Computed c = compute_all(audio, paired);
        const auto ref_mag = load_npy(reference(tag + "_online_stft_mag.npy"));
        REQUIRE(c.frames == ref_mag.rows());
        REQUIRE(c.frames == (audio.size() + kHop - 1) / kHop);
        CHECK(max_abs_diff(c.mag, ref_mag.data) <= 1e-4);
        CHECK(max_abs_diff(c.filt, load_npy(reference(tag + "_online_filt_spec.npy")).data) <= 1e-4);
        CHECK(max_abs_diff(c.feat, load_npy(reference(tag + "_online_features.npy")).data) <= 1e-4);
    }
}

TEST_CASE("the STFT window is numpy's hanning(1411)", "[features]") {
    // The window is internal; a unit impulse at sample 705 + j of frame 1
    // (centred at 441) reads it back: |X[0]| = window[j + 705 - 441 + ...].
    const auto ref = load_npy(reference("stft_window_hann1411.npy"));
    REQUIRE(ref.data.size() == kFrameSize);
    for (int j : {0, 1, 100, 705, 1000, 1410}) {
        std::vector<float> audio(4000, 0.f);
        // frame 2 covers samples [882 - 705, 882 + 706): sample 177 + j is window index j
        audio[std::size_t(177 + j)] = 1.f;
        FeatureExtractor fx;
        fx.push(audio.data(), audio.size());
        float feat[kFeatures];
        FrameDetail d;
        REQUIRE(fx.pop(feat, &d));
        REQUIRE(fx.pop(feat, &d));
        REQUIRE(fx.pop(feat, &d));
        CHECK(d.stft_mag[0] == Approx(ref.data[std::size_t(j)]).margin(1e-7));
    }
}

TEST_CASE("features fed in random block sizes from 1 to 8192 equal the whole-file features", "[features]") {
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.f, 0.1f);
    std::vector<float> audio(22050 * 4);
    for (std::size_t i = 0; i < audio.size(); ++i)
        audio[i] = 0.5f * std::sin(2.f * std::numbers::pi_v<float> * 220.f * float(i) / 22050.f) * float(i % 11025 < 2000) + noise(rng);
    const Computed whole = compute_all(audio);

    FeatureExtractor fx;
    std::uniform_int_distribution<std::size_t> size(1, 8192);
    std::vector<float> got;
    float feat[kFeatures];
    std::size_t at = 0;
    while (at < audio.size()) {
        std::size_t n = std::min(size(rng), audio.size() - at);
        // sometimes tiny blocks, to cover sizes 1..8
        if (size(rng) % 5 == 0) n = std::min<std::size_t>(1 + size(rng) % 8, audio.size() - at);
        std::size_t fed = 0;
        while (fed < n) {
            fed += fx.push(audio.data() + at + fed, n - fed);
            while (fx.pop(feat)) got.insert(got.end(), feat, feat + kFeatures);
        }
        at += n;
    }
    fx.finish();
    while (fx.pop(feat)) got.insert(got.end(), feat, feat + kFeatures);
    REQUIRE(got == whole.feat);
}

TEST_CASE("a frame becomes ready exactly when sample 441k + 705 has arrived", "[features]") {
    FeatureExtractor fx;
    std::vector<float> zeros(2000, 0.f);
    CHECK(fx.push(zeros.data(), 705) == 705);
    CHECK(fx.frames_ready() == 0);
    CHECK(fx.push(zeros.data(), 1) == 1);
    CHECK(fx.frames_ready() == 1);
    fx.push(zeros.data(), 440);
    CHECK(fx.frames_ready() == 1);
    fx.push(zeros.data(), 1);
    CHECK(fx.frames_ready() == 2);
    fx.finish();
    CHECK(fx.frames_ready() == (705 + 1 + 440 + 1 + 440) / 441);
}
