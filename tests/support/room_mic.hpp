#pragma once
// What a cheap USB microphone a few metres from a loudspeaker hears of a
// clip: the room's reverb, the microphone's band, the room's own noise.
#include <cstdint>
#include <vector>

namespace tactus::test {

struct Room {
    double rt60_s = 0.8;         // reverberation time (a living room: 0.4-0.8 s)
    double reverb_db = 6;        // reverb energy over the direct sound's (a few metres away)
    double low_hz = 120, high_hz = 7000;  // the microphone's band
    double snr_db = 20;          // room noise (rumble, fans: low-passed at 800 Hz) under the music
    double noise_floor = 1e-3;   // the noise's RMS where the clip is silent
    double peak = 0.5;           // the recording's peak
};

// `x` at `rate` as recorded in `room`; deterministic for a seed.
std::vector<float> through_room(const std::vector<float>& x, double rate, const Room& room, std::uint32_t seed);

}  // namespace tactus::test
