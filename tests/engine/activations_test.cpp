// Audio in, activations out: the pipeline matches the golden activations,
// streams in any block size, resamples other rates, and keeps NaN/Inf away
// from the LSTM.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "npy.hpp"
#include "paths.hpp"
#include "tactus/activations.hpp"

using namespace tactus;
using tactus::test::load_npy;
using tactus::test::reference;

namespace {

struct Collect final : FrameSink {
    std::vector<std::int64_t> index;
    std::vector<float> beat, down;
    void on_frame(const FrameOutput& f) override {
        index.push_back(f.index);
        beat.push_back(f.beat);
        down.push_back(f.downbeat);
        for (int i = 0; i < kFeatures; ++i) REQUIRE(std::isfinite(f.features[i]));
        REQUIRE(std::isfinite(f.beat));
        REQUIRE(std::isfinite(f.downbeat));
    }
};

Collect run(const std::vector<float>& audio, double rate, std::size_t block) {
    ActivationPipeline pipe(tactus::test::model(1).weights, rate, CrnnArithmetic::exact);
    Collect c;
    for (std::size_t at = 0; at < audio.size(); at += block)
        pipe.feed(audio.data() + at, std::min(block, audio.size() - at), c);
    pipe.finish(c);
    return c;
}

}  // namespace

TEST_CASE("the pipeline reproduces BeatNet's online activations from audio", "[activations]") {
    for (const std::string tag : {"kick808", "synth97"}) {
        INFO(tag);
        const auto audio = load_npy(reference(tag + "_audio_22050.npy")).as_float();
        const auto acts = load_npy(reference(tag + "_online_activations.npy"));
        const Collect c = run(audio, 22050, 333);
        REQUIRE(c.beat.size() == acts.rows());
        double worst = 0;
        for (std::size_t f = 0; f < acts.rows(); ++f) {
            REQUIRE(c.index[f] == std::int64_t(f));
            worst = std::max({worst, std::abs(c.beat[f] - acts.at(f, 0)), std::abs(c.down[f] - acts.at(f, 1))});
        }
        CHECK(worst <= 1e-4);
    }
}

TEST_CASE("44.1 kHz input gives the same beats as the 22.05 kHz reference", "[activations]") {
    // Upsampled reference audio through soxr and back: activations stay close.
    const auto audio = load_npy(reference("kick808_audio_22050.npy")).as_float();
    std::vector<float> up(audio.size() * 2);
    {
        Resampler r(22050, 44100);
        std::size_t consumed = 0, at = 0, out = 0;
        while (at < audio.size()) {
            out += r.process(audio.data() + at, audio.size() - at, &consumed, up.data() + out, up.size() - out);
            at += consumed;
        }
        std::size_t n;
        while (out < up.size() && (n = r.flush(up.data() + out, up.size() - out)) > 0) out += n;
    }
    const Collect c = run(up, 44100, 512);
    const auto acts = load_npy(reference("kick808_online_activations.npy"));
    REQUIRE(c.beat.size() == acts.rows());
    // peaks of the beat activation fall on the same frames
    int agree = 0, peaks = 0;
    for (std::size_t f = 1; f + 1 < acts.rows(); ++f)
        if (acts.at(f, 0) + acts.at(f, 1) > 0.5) {
            ++peaks;
            if (c.beat[f] + c.down[f] > 0.3) ++agree;
        }
    REQUIRE(peaks > 10);
    CHECK(agree >= peaks - 1);
}

TEST_CASE("NaN, Inf and denormal samples are replaced and counted, never reaching the LSTM", "[activations]") {
    const auto audio = load_npy(reference("kick808_audio_22050.npy")).as_float();
    std::vector<float> bad = audio;
    for (std::size_t i = 1000; i < bad.size(); i += 997) bad[i] = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 1500; i < bad.size(); i += 1999) bad[i] = std::numeric_limits<float>::infinity();
    for (std::size_t i = 1700; i < bad.size(); i += 2999) bad[i] = -std::numeric_limits<float>::infinity();
    for (std::size_t i = 1800; i < bad.size(); i += 3001) bad[i] = 1e-40f;
    ActivationPipeline pipe(tactus::test::model(1).weights, 22050, CrnnArithmetic::exact);
    Collect c;  // asserts every feature and activation is finite
    pipe.feed(bad.data(), bad.size(), c);
    pipe.finish(c);
    CHECK(pipe.sanitized_samples() > 300);
    CHECK(c.beat.size() == 500);
    // and the activations still find the kicks
    const auto acts = load_npy(reference("kick808_online_activations.npy"));
    int agree = 0, peaks = 0;
    for (std::size_t f = 0; f < 500; ++f)
        if (acts.at(f, 0) + acts.at(f, 1) > 0.5) {
            ++peaks;
            if (c.beat[f] + c.down[f] > 0.3) ++agree;
        }
    REQUIRE(peaks > 10);
    CHECK(agree * 10 >= peaks * 9);
}
