// TrackGap: a tenth of a second of exact zeros after gapless sound is a gap
// between a player's tracks; a song's rest that rings on, a click track's
// silences and the silence a stream starts with are not.
#include <catch2/catch.hpp>

#include <functional>

#include "track_gap.hpp"

using tactus::TrackGap;

namespace {

constexpr float kNothing = -120.f;  // a frame of exact zeros

// frames of `level` (dBFS); how many gaps they brought
int feed(TrackGap& g, int frames, const std::function<float(int)>& level) {
    int gaps = 0;
    for (int i = 0; i < frames; ++i) gaps += g.step(level(i)) ? 1 : 0;
    return gaps;
}

}  // namespace

TEST_CASE("track gap: five frames of nothing after gapless sound, once per gap", "[tracker][track_gap]") {
    TrackGap g;
    CHECK(feed(g, 300, [](int i) { return -20.f - float(i % 7); }) == 0);
    CHECK(feed(g, 4, [](int) { return kNothing; }) == 0);
    CHECK(g.step(kNothing));
    CHECK(feed(g, 40, [](int) { return kNothing; }) == 0);  // a long gap is still one
    CHECK(feed(g, 300, [](int) { return -25.f; }) == 0);
    CHECK(feed(g, 10, [](int) { return kNothing; }) == 1);  // the next one
}

TEST_CASE("track gap: a rest that rings on is none", "[tracker][track_gap]") {
    TrackGap g;
    feed(g, 300, [](int) { return -20.f; });
    // a stop: the reverb's tail falls to -90 dB and stays there a second
    CHECK(feed(g, 50, [](int i) { return -20.f - 70.f * float(std::min(i, 10)) / 10.f; }) == 0);
}

TEST_CASE("track gap: a click track's silences are none", "[tracker][track_gap]") {
    TrackGap g;
    // a click every 25 frames (120 BPM) sounds in 4 of them: nothing at all in between
    CHECK(feed(g, 2000, [](int i) { return i % 25 < 4 ? -10.f : kNothing; }) == 0);
}

TEST_CASE("track gap: the silence a stream starts with is none, its first pause after 5 s of sound is one", "[tracker][track_gap]") {
    TrackGap g;
    CHECK(feed(g, 100, [](int) { return kNothing; }) == 0);
    CHECK(feed(g, 100, [](int) { return -20.f; }) == 0);
    CHECK(feed(g, 10, [](int) { return kNothing; }) == 0);  // 2 s of sound: the start's silence still counts
    CHECK(feed(g, 250, [](int) { return -20.f; }) == 0);
    CHECK(feed(g, 10, [](int) { return kNothing; }) == 1);
}

TEST_CASE("track gap: reset forgets the sound before", "[tracker][track_gap]") {
    TrackGap g;
    feed(g, 300, [](int) { return -20.f; });
    g.reset();
    CHECK(feed(g, 10, [](int) { return kNothing; }) == 0);
}
