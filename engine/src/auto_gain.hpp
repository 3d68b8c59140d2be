#pragma once
// The level the network hears. BeatNet's CRNN was trained on mastered
// recordings and its features, log10(1 + |STFT|), are not level-invariant:
// eval-dev scores beat F 0.74 at full scale, 0.65 12 dB quieter, 0.57 30 dB
// quieter (a USB microphone across a room), 0 45 dB quieter, and the
// network fires on pink noise 6 dB under full scale where at full scale it
// does not. AutoGain brings the music's recent peak to where mastered
// material has it (-1 dBFS). The tracker still sees the input's own level
// (silence, intensity); only the network's input is scaled. FeatureExtractor
// applies it after a DC blocker.
//
// A door slam or a knock on the microphone must not set the level: with a
// plain peak envelope one 20 dB over the music left the network hearing
// the music 20 dB too quiet for 40 s (eval-dev 20 dB down with two slams:
// beat F 0.66 against 0.77 without them). So a frame's peak counts only up
// to kTransientDb over the loudness that recurs, the 4th loudest of the
// last fifteen 200 ms blocks, which a slam's loud part (two blocks at most)
// does not reach. A louder frame still lowers the gain at once, by its
// excess less kTransientDb, and lets go within a second: a loud start is
// over-amplified by at most that while the blocks fill, and a slam leaves
// the gain 6 dB low for 12 s, not 20 dB for 40 s. Music's own accents stay
// under that margin, so on mastered clips the gain is what a peak envelope
// gives (the slam-free eval scores alike); reading the level from the
// blocks alone cost 0.04 downbeat F there. The level falls slowly
// (kReleaseDbPerS) so that the gain does not pump with the music.
#include <array>

namespace tactus {

class AutoGain {
public:
    static constexpr float kTargetDb = -1.f;       // mastered material's peak
    static constexpr float kReleaseDbPerS = 0.5f;  // how fast the gain rises after a loud passage
    static constexpr float kMaxGainDb = 48.f;      // a quiet microphone; not a noise floor
    static constexpr float kMinGainDb = -24.f;     // float input far over full scale
    static constexpr float kBlockS = 0.2f;         // longer than a slam's loud part
    static constexpr int kBlocks = 15;             // 3 s of level history
    static constexpr int kRecurring = 4;           // the level: the 4th loudest block
    static constexpr float kTransientDb = 6.f;     // how far a frame may be over the recurring loudness
    static constexpr float kTransientReleaseDbPerS = 20.f;

    // The linear gain for a frame whose samples peak at `peak` (linear),
    // `frame_s` seconds after the previous one.
    float next(float peak, float frame_s);
    float gain_db() const { return gain_db_; }
    void reset();

private:
    float recurring_level_db() const;

    std::array<float, kBlocks> blocks_db_{};  // the last complete blocks' peaks (ring)
    int blocks_ = 0;                          // complete blocks since reset, up to kBlocks
    int next_block_ = 0;
    float block_db_ = -1000.f;  // the current block's peak so far
    float block_s_ = 0.f;
    float level_db_ = -1000.f;      // the music's peak level, released slowly
    float transient_db_ = -1000.f;  // the loudest recent frame, released fast
    float gain_db_ = 0.f;
};

}  // namespace tactus
