#pragma once
// Streaming madmom-compatible features at 22050 Hz: frames centred at
// n*441 (window 1411, Hann), |STFT| (1411-point FFT, bins 0..704), log
// filterbank (136 bands), log10(1+x), positive first difference -> 272 values.
// Frame k is complete once sample 441k+705 has arrived; finish() pads the end
// with zeros so a whole file yields ceil(n/441) frames, as madmom does.
//
// Usage: push() what fits, pop() frames while it returns true, repeat.
// Worker-side code: nothing here allocates after construction.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tactus {

inline constexpr int kFeatureRate = 22050;
inline constexpr int kHop = 441;
inline constexpr int kFrameSize = 1411;
inline constexpr int kFftBins = kFrameSize / 2;  // 705, no Nyquist bin (odd size)
inline constexpr int kBands = 136;
inline constexpr int kFeatures = 2 * kBands;     // 272
inline constexpr double kFps = double(kFeatureRate) / kHop;  // 50
// Samples after a frame's centre that must arrive before it can be computed.
inline constexpr int kFrameLookahead = kFrameSize / 2;      // 705

// Intermediates of one frame, for tests and tools.
struct FrameDetail {
    float stft_mag[kFftBins];
    float filtered[kBands];
};

class FeatureExtractor {
public:
    FeatureExtractor();
    ~FeatureExtractor();
    FeatureExtractor(const FeatureExtractor&) = delete;
    FeatureExtractor& operator=(const FeatureExtractor&) = delete;

    // Appends up to n samples; returns how many it took (it stops when its
    // buffer is full: pop() frames to make room).
    std::size_t push(const float* samples, std::size_t n);
    // Computes the next complete frame; false when none is ready.
    bool pop(float* features, FrameDetail* detail = nullptr);
    // End of stream: the frames that overlap the end become ready.
    void finish();
    void reset();
    // Whether the stream is taken to start after silence (frame 0's
    // difference is then its whole spectrum, an onset) or, as madmom has
    // it, with no difference at all.
    void set_silence_before(bool on) { silence_before_ = on; }
    // Whether the bands are scaled so that the input's recent peak sits at
    // mastered material's level (see auto_gain.hpp), after a DC blocker
    // (-3 dB at 3.5 Hz) has taken out any offset; off, as madmom has it,
    // until set. level_db() stays the input's own level.
    void set_auto_gain(bool on) { auto_gain_ = on; }
    // The gain the last frame's bands were scaled by, dB (0 when off).
    float gain_db() const;
    // Whether frames are computed two at a time, as one complex DFT (files:
    // the DFT takes half the time). A frame then waits for the next one, a
    // hop later, unless the stream has ended; the features are the single
    // frame's to float rounding. Off until set; setting it allocates.
    void set_paired(bool on);

    // RMS of the last popped frame (unwindowed), dBFS; with the auto gain,
    // of the input after its DC blocker.
    float level_db() const { return level_db_; }
    std::int64_t samples_pushed() const { return total_; }
    std::int64_t next_frame() const { return next_; }
    std::int64_t frames_ready() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    bool paired_ = false;
    std::int64_t total_ = 0;
    std::int64_t next_ = 0;
    bool finished_ = false;
    bool silence_before_ = false;
    bool auto_gain_ = false;
    float level_db_ = -120.f;
};

}  // namespace tactus
