// The beat note both hosts send (its key says downbeat or beat, its
// velocity the beat's intensity) and the one voice that plays it.
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

TEST_CASE("the voice plays one note at a time: 50 ms long, or until the next beat's note starts", "[beat-note]") {
    BeatNoteVoice voice;
    BeatEvent downbeat, beat;
    downbeat.beat_in_bar = 1;
    beat.beat_in_bar = 2;
    NoteMessage on, off;
    CHECK_FALSE(voice.start_rt(downbeat, 1000, 48000, &on, &off));  // nothing sounded before
    CHECK(on.frame == 1000);
    CHECK(on.bytes[0] == 0x90);
    CHECK(on.bytes[1] == 62);
    CHECK_FALSE(voice.end_before_rt(1000 + 2400, &off));  // due at 3400: not before it
    REQUIRE(voice.end_before_rt(1000 + 2401, &off));
    CHECK(off.frame == 3400);
    CHECK((off.bytes[0] == 0x80 && off.bytes[1] == 62));
    CHECK_FALSE(voice.end_before_rt(1 << 30, &off));  // ended once
    // a beat 10 ms after the last one ends it at once, then sounds its own
    voice.start_rt(downbeat, 5000, 48000, &on, &off);
    REQUIRE(voice.start_rt(beat, 5480, 48000, &on, &off));
    CHECK(off.frame == 5480);
    CHECK(off.bytes[1] == 62);
    CHECK(on.bytes[1] == 60);
    // notes switched off: the sounding note ends now
    REQUIRE(voice.stop_rt(5500, &off));
    CHECK(off.frame == 5500);
    CHECK_FALSE(voice.stop_rt(5600, &off));
}
