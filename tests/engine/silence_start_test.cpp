// A stream "starting after silence" (ActivationPipeline::set_silence_before,
// the Tactus tracker's start): the network begins in the state two seconds
// of digital silence leave, and the first frame is an onset against
// silence; BeatNet's own start (zero state, no first difference) stays the
// default of the pipeline.
#include <catch2/catch.hpp>

#include <cmath>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/activations.hpp"

using namespace tactus;

namespace {

struct Frames final : FrameSink {
    std::vector<float> beat, down, first;
    void on_frame(const FrameOutput& f) override {
        beat.push_back(f.beat);
        down.push_back(f.downbeat);
        if (first.empty()) first.assign(f.features, f.features + kFeatures);
    }
};

Frames run(const std::vector<float>& audio, int silence_frames) {
    ActivationPipeline pipe(tactus::test::model(1).weights, 22050, CrnnArithmetic::exact);
    if (silence_frames > 0) pipe.set_silence_before(silence_frames);
    Frames f;
    for (std::size_t at = 0; at < audio.size(); at += 512)
        pipe.feed(audio.data() + at, std::min<std::size_t>(512, audio.size() - at), f);
    pipe.finish(f);
    return f;
}

}  // namespace

TEST_CASE("after silence: the network starts where two seconds of silence leave it", "[activations]") {
    // silence primed for 100 frames, then 100 frames of silence, is 200 of
    // silence from BeatNet's start
    const std::vector<float> silence(200 * 441, 0.f);
    const std::vector<float> half(100 * 441, 0.f);
    const Frames primed = run(half, 100), plain = run(silence, 0);
    REQUIRE(primed.beat.size() >= 100);
    REQUIRE(plain.beat.size() >= 200);
    for (std::size_t i = 0; i < 95; ++i) {  // the last frames overlap the end of the stream
        INFO("frame " << i);
        CHECK(primed.beat[i] == Approx(plain.beat[i + 100]).margin(1e-6));
        CHECK(primed.down[i] == Approx(plain.down[i + 100]).margin(1e-6));
    }
    // and that is not where BeatNet starts
    double moved = 0;
    for (std::size_t i = 0; i < 20; ++i) moved = std::max(moved, double(std::abs(plain.down[i] - plain.down[i + 100])));
    CHECK(moved > 1e-4);
}

TEST_CASE("after silence: the first frame is an onset against silence, BeatNet's start has no first difference", "[activations]") {
    const auto music = tactus::test::groove(22050, 120, 4, 0.0);
    const Frames primed = run(music, 100), plain = run(music, 0);
    for (int b = 0; b < kBands; ++b) {
        CHECK(primed.first[std::size_t(kBands + b)] == primed.first[std::size_t(b)]);  // log spectrum minus silence's zeros
        CHECK(plain.first[std::size_t(kBands + b)] == 0.f);
    }
    float energy = 0;
    for (int b = 0; b < kBands; ++b) energy += primed.first[std::size_t(b)];
    CHECK(energy > 1.f);
}
