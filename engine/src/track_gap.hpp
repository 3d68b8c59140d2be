#pragma once
// A gap between two tracks of a player: input that is nothing at all (exact
// zeros: a frame of them reads -120 dB) for a tenth of a second, after
// sound that had no such gaps. A song's own rests ring on above -100 dB; a
// click track, silent between its clicks most of the time, is no gapless
// sound, and neither is the silence a stream starts with.

namespace tactus {

class TrackGap {
public:
    // One feature frame's level (dBFS). True once per gap, on the frame it
    // becomes one.
    bool step(float level_db);
    void reset();

private:
    int run_ = 0;                // frames of digital silence in a row
    double silent_share_ = 1.0;  // their share over about the last 2 s
    bool gapless_before_ = false;
};

}  // namespace tactus
