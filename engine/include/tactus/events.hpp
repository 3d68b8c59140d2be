#pragma once
// What the engine tells its outputs. Positions are in frames of the input
// stream at the host's sample rate, counted from the first sample pushed
// (64-bit: no wrap in any realistic uptime).
#include <cstdint>

#include "tactus/tracker.hpp"

namespace tactus {

struct BeatEvent {
    std::int64_t frame = 0;            // where the beat is in the stream (host rate)
    double time = 0;                   // the same in seconds from the first sample
    std::int64_t committed_frame = 0;  // stream position when the engine emitted it
    double wall_time = 0;              // host clock (CLOCK_MONOTONIC) seconds it maps to; 0: unknown
    std::int64_t beat_index = 0;       // running beat count
    std::int64_t bar = 0;              // running bar count
    std::int32_t beat_in_bar = 0;      // 1 = downbeat, 0 = unknown
    std::int32_t beats_per_bar = 0;    // 0 = unknown
    float bpm = 0, confidence = 0, intensity = 0;
    bool predicted = false;            // committed in advance (false: detected after the fact)
};

// The tracker's state in stream terms, published to the real-time side.
struct TempoSnapshot {
    std::int64_t frame = -1;           // stream position the state refers to (host rate)
    double bpm = 0, phase = 0;
    float confidence = 0, clarity = 0, level_db = -120;
    std::int32_t beat_in_bar = 0, beats_per_bar = 0;
    std::int64_t next_beat_frame = -1, next_downbeat_frame = -1;
    TrackState state = TrackState::listening;
};

// Following the music: locked to it, or holding its last tempo and phase.
inline bool tracking(const TempoSnapshot& s) { return s.state == TrackState::locked || s.state == TrackState::hold; }
// ... with a beat grid to follow (a tempo and the next beat's position).
inline bool has_beat_grid(const TempoSnapshot& s) { return tracking(s) && s.bpm > 0 && s.next_beat_frame >= 0; }

class EventSink {
public:
    virtual void on_event(const BeatEvent& event) = 0;

protected:
    ~EventSink() = default;
};

}  // namespace tactus
