#pragma once
// The MIDI note both hosts send for each beat (channel 1), and the voice
// that plays it, so that a synth or light desk behind tactus-jack or
// tactus.lv2 hears the same thing:
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

// A note-on or note-off at a stream frame.
struct NoteMessage {
    std::int64_t frame = 0;
    std::uint8_t bytes[3] = {};
};

// The note output's one voice, which both hosts play through: a beat's
// note sounds kBeatNoteSeconds, or until the next beat's note starts.
class BeatNoteVoice {
public:
    // `e`'s note at `frame` (at `rate` frames a second) in *on; a note
    // still sounding then ends there at the latest (*off, and true).
    bool start_rt(const BeatEvent& e, std::int64_t frame, double rate, NoteMessage* on, NoteMessage* off) noexcept {
        const bool ended = stop_rt(frame, off);
        const BeatNote n = beat_note_rt(e);
        *on = NoteMessage{frame, {0x90, n.key, n.velocity}};
        key_ = n.key;
        off_at_ = frame + std::max<std::int64_t>(1, std::llround(kBeatNoteSeconds * rate));
        return ended;
    }
    // The sounding note's note-off if it is due before `end`.
    bool end_before_rt(std::int64_t end, NoteMessage* off) noexcept {
        return off_at_ >= 0 && off_at_ < end && stop_rt(off_at_, off);
    }
    // Ends the sounding note at `frame` at the latest (notes switched off).
    bool stop_rt(std::int64_t frame, NoteMessage* off) noexcept {
        if (off_at_ < 0) return false;
        *off = NoteMessage{std::min(off_at_, frame), {0x80, key_, 0}};
        off_at_ = -1;
        return true;
    }

private:
    std::int64_t off_at_ = -1;  // stream frame of the pending note-off
    std::uint8_t key_ = 0;
};

}  // namespace tactus
