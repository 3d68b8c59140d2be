// A batched pipeline (files) delivers every frame a live one (batch 1)
// does, with the same index, level and moment of completion, and the same
// features and activations to float rounding, though it takes the DFT two
// frames at a time. (In fp32: int8 inputs round to a 63rd of their
// largest value, and a feature that moves by 4e-6 across a rounding step
// moves an activation by up to 0.02.)
#include <catch2/catch.hpp>

#include <cmath>

#include "audio_fixtures.hpp"
#include "paths.hpp"
#include "tactus/activations.hpp"

using namespace tactus;

namespace {

struct Frames final : FrameSink {
    std::vector<std::int64_t> index, available;
    std::vector<float> level, beat, down, features;
    void on_frame(const FrameOutput& f) override {
        index.push_back(f.index);
        available.push_back(f.available);
        level.push_back(f.level_db);
        beat.push_back(f.beat);
        down.push_back(f.downbeat);
        features.insert(features.end(), f.features, f.features + kFeatures);
    }
};

Frames run(const std::vector<float>& audio, double rate, int batch, std::size_t block) {
    ActivationPipeline pipe(tactus::test::model(1).weights, rate, CrnnArithmetic::exact);
    pipe.set_silence_before(100);
    pipe.set_auto_gain(true);
    pipe.set_batch(batch);
    Frames f;
    for (std::size_t at = 0; at < audio.size(); at += block)
        pipe.feed(audio.data() + at, std::min(block, audio.size() - at), f);
    pipe.finish(f);
    return f;
}

}  // namespace

TEST_CASE("a batched pipeline gives a live one's frames, completed at the same moments", "[activations]") {
    const double rate = GENERATE(22050.0, 44100.0);
    const std::size_t block = GENERATE(std::size_t(64), std::size_t(441), std::size_t(5000));
    INFO(rate << " Hz, blocks of " << block);
    const auto audio = tactus::test::groove(rate, 126, 8);
    const Frames live = run(audio, rate, 1, block), batch = run(audio, rate, 32, block);
    REQUIRE(live.index.size() == batch.index.size());
    CHECK(live.index == batch.index);
    CHECK(live.available == batch.available);
    CHECK(live.level == batch.level);
    double worst_feature = 0, worst_activation = 0;
    for (std::size_t i = 0; i < live.features.size(); ++i)
        worst_feature = std::max(worst_feature, double(std::abs(live.features[i] - batch.features[i])));
    for (std::size_t i = 0; i < live.beat.size(); ++i)
        worst_activation = std::max({worst_activation, double(std::abs(live.beat[i] - batch.beat[i])),
                                     double(std::abs(live.down[i] - batch.down[i]))});
    INFO("worst feature difference " << worst_feature << ", activation " << worst_activation);
    CHECK(worst_feature < 1e-4);
    CHECK(worst_activation < 1e-4);
}
