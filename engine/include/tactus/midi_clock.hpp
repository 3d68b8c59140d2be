#pragma once
// MIDI beat clock for the audio thread: 24 ticks per quarter note at exact
// sample offsets, generated from the tracker's predicted beats (so ticks land
// on the beat, the analysis latency compensated) through a phase-locked
// loop: the tempo follows the tracked BPM smoothly and rate-limited (a jump
// that lasts two beats is taken at once), phase errors are pulled in over a
// few beats, and the tick positions come from a
// double-precision accumulator, so a steady tempo gives tick intervals that
// differ by at most one sample. Start is sent on a downbeat once tracking
// locks; Stop when tracking is lost (configurable) or the clock is disabled.
//
// Used by tactus-jack and tactus.lv2; no JACK or LV2 here.
#include <cstddef>
#include <cstdint>

#include "tactus/events.hpp"
#include "tactus/rt.hpp"

namespace tactus {

struct MidiMessage {
    std::uint32_t offset = 0;  // sample offset in the block
    std::uint8_t size = 0;
    std::uint8_t bytes[3] = {0, 0, 0};
};

inline constexpr std::uint8_t kMidiClock = 0xF8, kMidiStart = 0xFA, kMidiContinue = 0xFB, kMidiStop = 0xFC;

class MidiClock {
public:
    explicit MidiClock(double sample_rate = 48000) { set_sample_rate(sample_rate); }
    void set_sample_rate(double rate) { rate_ = rate; }

    TACTUS_RT void set_enabled_rt(bool on) noexcept { enabled_ = on; }
    TACTUS_RT void set_stop_when_lost_rt(bool on) noexcept { stop_when_lost_ = on; }
    // Positive: every message later by this much (downstream latency).
    TACTUS_RT void set_offset_rt(double seconds) noexcept { offset_s_ = seconds; }

    // Messages for the block [block_start, block_start + frames) of the
    // input stream, from the latest tracker snapshot. Returns how many were
    // written to `out` (at most `max`), in time order.
    TACTUS_RT std::size_t process_rt(std::int64_t block_start, std::uint32_t frames, const TempoSnapshot& snapshot,
                                     MidiMessage* out, std::size_t max) noexcept;

    bool running() const { return running_; }
    // The clock's own tempo (BPM), 0 when stopped; its phase in beats.
    double bpm() const { return running_ ? base_ * rate_ * 60.0 : 0.0; }
    double phase() const { return phase_; }
    std::int64_t ticks() const { return ticks_; }
    TACTUS_RT void reset_rt() noexcept;

private:
    TACTUS_RT void retune_rt(const TempoSnapshot& s, double at_frame, double offset_frames) noexcept;

private:
    double rate_ = 48000;
    bool enabled_ = true, stop_when_lost_ = true;
    double offset_s_ = 0;
    bool running_ = false;
    double phase_ = 0;        // clock position in beats at the next sample to render
    double rate_beats_ = 0;   // rate of the current beat, beats per sample
    double base_ = 0;         // smoothed tempo, beats per sample
    double error_ = 0;        // low-passed phase error, beats
    int off_tempo_beats_ = 0;  // beats running the tracked tempo has been far off
    double pending_start_ = -1;  // stream frame of the downbeat to start on
    std::int64_t ticks_ = 0;
};

// Beats committed in advance, held until their block comes, then handed out
// with their sample offsets (notes, LV2 beat events, OSC on time).
struct ScheduledBeat {
    std::uint32_t offset = 0;
    BeatEvent event;
};

class BeatScheduler {
public:
    static constexpr std::size_t kCapacity = 64;
    // A prediction to play when its frame comes (detections are ignored: they
    // describe beats that have already passed). Replaces a queued beat that
    // lies within a quarter beat of it.
    TACTUS_RT void add_rt(const BeatEvent& e) noexcept;
    // Beats due in [block_start, block_start + frames); those already late by
    // less than `late_frames` come at offset 0, older ones are dropped.
    TACTUS_RT std::size_t due_rt(std::int64_t block_start, std::uint32_t frames, std::int64_t late_frames,
                                 ScheduledBeat* out, std::size_t max) noexcept;
    TACTUS_RT void clear_rt() noexcept { count_ = 0; }
    std::size_t queued() const { return count_; }

private:
    BeatEvent queue_[kCapacity];
    std::size_t count_ = 0;
};

}  // namespace tactus
