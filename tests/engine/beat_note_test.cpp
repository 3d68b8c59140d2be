// The beat note both hosts send: its key says downbeat or beat, its
// velocity the beat's intensity.
#include <catch2/catch.hpp>

#include "tactus/beat_note.hpp"

using namespace tactus;

TEST_CASE("a downbeat plays D (62), any other beat middle C (60)", "[beat-note]") {
    BeatEvent e;
    e.beat_in_bar = 1;
    CHECK(beat_note_rt(e).key == 62);
    for (int b : {2, 3, 4}) {
        e.beat_in_bar = b;
        CHECK(beat_note_rt(e).key == 60);
    }
}

TEST_CASE("velocity is 40 + 87 x intensity, rounded and kept within MIDI's 1..127", "[beat-note]") {
    BeatEvent e;
    auto velocity = [&](float intensity) {
        e.intensity = intensity;
        return int(beat_note_rt(e).velocity);
    };
    CHECK(velocity(0.f) == 40);
    CHECK(velocity(1.f) == 127);
    CHECK(velocity(0.5f) == 84);  // 83.5 rounds up (truncated, one host sent 83)
    CHECK(velocity(0.25f) == 62);  // 61.75
    CHECK(velocity(-3.f) == 1);
    CHECK(velocity(7.f) == 127);
}
