#pragma once
// The level the network hears. BeatNet's CRNN was trained on mastered
// recordings and its features, log10(1 + |STFT|), are not level-invariant:
// eval-dev scores beat F 0.74 at full scale, 0.65 12 dB quieter, 0.57 30 dB
// quieter (a USB microphone across a room), 0 45 dB quieter, and the
// network fires on pink noise 6 dB under full scale where at full scale it
// does not. AutoGain brings the input's recent peak to
// where mastered material has it (-1 dBFS): instant attack, so a loud
// start is never over-amplified, and a slow release, so the gain does not
// pump with the music. The tracker still sees the input's own level
// (silence, intensity); only the network's input is scaled. FeatureExtractor
// applies it after a DC blocker.
namespace tactus {

class AutoGain {
public:
    static constexpr float kTargetDb = -1.f;      // mastered material's peak
    static constexpr float kReleaseDbPerS = 0.5f;  // how fast the gain rises after a loud passage
    static constexpr float kMaxGainDb = 48.f;     // a quiet microphone; not a noise floor
    static constexpr float kMinGainDb = -24.f;    // float input far over full scale

    // The linear gain for a frame whose samples peak at `peak` (linear),
    // `frame_s` seconds after the previous one.
    float next(float peak, float frame_s);
    float gain_db() const { return gain_db_; }
    void reset();

private:
    float envelope_db_ = -1000.f;  // no frame yet: the first one sets it
    float gain_db_ = 0.f;
};

}  // namespace tactus
