#pragma once
// Tactus's own causal beat tracker (the default inference): forward
// filtering on the bar-pointer model over BeatNet's activations gives a
// posterior over tempo, beat phase, meter and position in the bar, from which
//  - beats are reported from the grid, `detection_lag` frames after they
//    happened (the activation peak has then been seen), smoothed by a
//    phase-locked loop between the whole frames the filter works in;
//  - the next beat is predicted and committed `prediction_lead` ahead;
//  - a periodicity measure of the activations ("clarity") gates everything,
//    so noise, speech and silence produce no beats, and a hold mode carries
//    the last tempo and phase through breaks for `hold_bars` bars;
//  - tap tempo and a BPM override pin the tempo.
// Everything is in feature frames (50 per second); the engine maps them to
// stream positions. Worker-side: process() does not allocate.
#include <cstdint>
#include <memory>

namespace tactus {

enum class TrackState : std::uint8_t { listening, locked, hold, lost, silent };
const char* to_string(TrackState s);

struct TrackerParams {
    double min_bpm = 55.0, max_bpm = 215.0;
    int beats_per_bar = 0;            // 0: automatic (2, 3 or 4); else fixed
    double transition_lambda = 100.0;  // higher: steadier tempo
    int observation_lambda = 16;       // beat range = 1/16 of a beat
    int detection_lag = 6;             // frames after a beat before it is reported
    double lock_clarity = 0.35;        // periodicity needed to start reporting
    double release_clarity = 0.2;      // ... and below which hold starts
    double clarity_window_s = 4.0;
    double warmup_s = 1.5;             // listen at least this long before the first beat
    int hold_bars = 4;                 // bars carried through a break (0: none)
    double silence_db = -60.0;         // input below this (dBFS, 2 s peak) is silence
    double prediction_lead_s = 0.02;   // predictions are committed this long ahead (outputs' lead + advance)
    double bpm_override = 0.0;         // 0: off
    // Metrical-level hysteresis: another tempo must hold this much more
    // posterior mass than the tracked one for this many of its beats.
    double switch_ratio = 1.5;
    double switch_beats = 4.0;
};

struct TrackerFrame {
    std::int64_t index = 0;   // feature frame number
    float beat = 0, downbeat = 0;
    float level_db = -120;    // frame RMS, dBFS
    float onset = 0;          // spectral flux: the mean of the 136 positive band differences
};

struct TrackerBeat {
    double frame = 0;            // when the beat is, in feature frames
    double committed = 0;        // stream position (feature frames) when it was emitted
    std::int64_t beat_index = 0;  // running beat count
    std::int64_t bar = 0;         // running bar count (the bar this beat is in)
    int beat_in_bar = 1;          // 1 = downbeat
    int beats_per_bar = 4;
    float bpm = 0, confidence = 0, intensity = 0;
    bool predicted = false;       // a committed prediction rather than a detection
};

struct TrackerStatus {
    std::int64_t frame = -1;
    double bpm = 0;               // 0 while nothing is tracked
    double phase = 0;             // position in the beat, [0, 1)
    float confidence = 0;         // [0, 1]
    float clarity = 0;            // periodicity of the activations
    int beat_in_bar = 0, beats_per_bar = 0;
    double next_beat = -1, next_downbeat = -1;  // feature frames; -1 when unknown
    TrackState state = TrackState::listening;
    float level_db = -120;
};

class BeatSink {
public:
    virtual void on_beat(const TrackerBeat& beat) = 0;

protected:
    ~BeatSink() = default;
};

class TactusTracker {
public:
    explicit TactusTracker(const TrackerParams& params = {});
    ~TactusTracker();
    TactusTracker(const TactusTracker&) = delete;
    TactusTracker& operator=(const TactusTracker&) = delete;

    // One frame. `now` is the stream position, in feature frames, of the
    // newest audio when the frame is processed (predictions are committed
    // relative to it).
    void process(const TrackerFrame& frame, double now, BeatSink& sink);
    // A tap at a stream position (feature frames). Two or more taps less
    // than 2.5 s apart set the tempo (BPM override) and the phase.
    void tap(double frame);
    void set_bpm_override(double bpm);  // 0 lifts it
    // Takes the parameters that can change while running (sensitivity,
    // hold, silence threshold, BPM override, prediction lead); the others
    // need a new tracker.
    void retune(const TrackerParams& params);
    void reset();

    const TrackerStatus& status() const;
    const TrackerParams& params() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tactus
