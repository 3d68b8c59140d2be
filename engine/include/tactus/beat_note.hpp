#pragma once
// The MIDI note both hosts send for each beat (channel 1), so that a synth
// or light desk behind tactus-jack or tactus.lv2 hears the same thing:
// 60 (middle C) on beats, 62 (D) on downbeats, 50 ms long, velocity
// 40 + 87 x intensity (rounded; 40 for the quietest beat, 127 the loudest).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tactus/events.hpp"

namespace tactus {

inline constexpr std::uint8_t kBeatNote = 60, kDownbeatNote = 62;
inline constexpr double kBeatNoteSeconds = 0.05;

struct BeatNote {
    std::uint8_t key;
    std::uint8_t velocity;
};

[[nodiscard]] inline BeatNote beat_note_rt(const BeatEvent& e) noexcept {
    const double v = std::clamp(40.0 + 87.0 * double(e.intensity), 1.0, 127.0);
    return {e.beat_in_bar == 1 ? kDownbeatNote : kBeatNote, std::uint8_t(std::lround(v))};
}

}  // namespace tactus
