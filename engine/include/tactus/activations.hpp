#pragma once
// The first half of the engine: mono audio at any rate -> sanitise ->
// resample to 22050 Hz -> features -> CRNN (one model or an ensemble) ->
// per-frame beat/downbeat activations. Worker-side: no allocation after
// construction.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "tactus/crnn.hpp"
#include "tactus/crnn_backend.hpp"
#include "tactus/features.hpp"
#include "tactus/resampler.hpp"
#include "tactus/sanitize.hpp"

namespace tactus {

struct FrameOutput {
    std::int64_t index = 0;            // frame number; its centre is at index / 50 s
    const float* features = nullptr;   // [272]
    float beat = 0, downbeat = 0, none = 1;
    float level_db = -120;             // frame RMS, dBFS
    std::int64_t available = 0;        // input samples fed when the frame became complete
};

class FrameSink {
public:
    virtual void on_frame(const FrameOutput& frame) = 0;

protected:
    ~FrameSink() = default;
};

class ActivationPipeline {
public:
    // `arithmetic`: how the CPU multiplies (see CrnnArithmetic); `device`:
    // where the CRNN runs (null: the CPU).
    ActivationPipeline(const CrnnWeights& weights, double input_rate, CrnnArithmetic arithmetic,
                       CrnnProvider* device = nullptr);
    // Several networks on the same features; their probabilities are
    // averaged (an ensemble of BeatNet's models 1-3 tracks better than any).
    ActivationPipeline(const std::vector<const CrnnWeights*>& ensemble, double input_rate, CrnnArithmetic arithmetic,
                       CrnnProvider* device = nullptr);
    // The same from model files (on the CPU loaded one at a time, so only
    // the packed weights stay in memory). Throws tactus::Error for a bad file.
    ActivationPipeline(const std::vector<std::filesystem::path>& model_files, double input_rate,
                       CrnnArithmetic arithmetic, CrnnProvider* device = nullptr);

    // Frames per CRNN run (1..CrnnBackend::kMaxFrames). 1 for live use; files
    // run faster in batches, delivered later (each frame still carries when
    // it became available). A batch also takes the DFT two frames at a time
    // (FeatureExtractor::set_paired): the same features to float rounding.
    void set_batch(int frames);

    // Feeds mono samples at the input rate; calls sink.on_frame for every
    // frame that becomes complete (or, batched, for each full batch).
    void feed(const float* mono, std::size_t n, FrameSink& sink);
    // Delivers a partly filled batch now.
    void flush(FrameSink& sink);
    // End of stream: flushes the resampler and the last partial frames.
    void finish(FrameSink& sink);
    void reset();
    // Makes every stream start as if after silence: `frames` frames of
    // silence run through the network (nothing is delivered), and the first
    // frame's spectral difference is taken against silence. Holds for
    // later resets too. 0: madmom's and BeatNet's start (zero state, no
    // first difference).
    void set_silence_before(int frames);
    // Whether the last priming restored a saved state (packed model files,
    // tactus/packed_model.hpp) instead of running the silence through.
    bool silence_restored() const { return silence_restored_; }
    // Scales the network's input to mastered material's level (see
    // FeatureExtractor::set_auto_gain); off, as BeatNet has it, until set.
    // Set it before feeding: the features restart.
    void set_auto_gain(bool on);

    double input_rate() const { return resampler_.in_rate(); }
    std::int64_t input_samples() const { return input_samples_; }
    // Input samples that were NaN, Inf, denormal or clipped, and features
    // that came out non-finite (both replaced before they reach the LSTM).
    std::uint64_t sanitized_samples() const { return sanitized_samples_; }
    std::uint64_t sanitized_features() const { return sanitized_features_; }

private:
    static constexpr std::size_t kChunk = 1024;
    static constexpr int kBatchMax = CrnnBackend::kMaxFrames;
    void drain_features(FrameSink& sink);
    // Notes fed_end_ for every frame that has just become complete.
    void stamp_ready_frames();
    void push_resampled(const float* x, std::size_t n, FrameSink& sink);

    InputSanitizer sanitizer_;
    Resampler resampler_;
    FeatureExtractor features_;
    std::unique_ptr<CrnnBackend> crnn_;
    void prime();
    int batch_ = 1, pending_ = 0;
    int silence_frames_ = 0;
    bool silence_restored_ = false;
    std::int64_t input_samples_ = 0;
    std::int64_t fed_end_ = 0;  // input samples once the chunk being fed is in
    std::int64_t resampled_samples_ = 0;
    std::uint64_t sanitized_samples_ = 0;
    std::uint64_t sanitized_features_ = 0;
    float in_[kChunk];
    float out_[kChunk * 32];  // 8 kHz -> 22050 Hz is 2.76x; generous for soxr bursts
    // the batch being filled
    std::vector<float> feat_;      // [kBatchMax][272]
    std::vector<float> probs_;     // [kBatchMax][3]
    // when each of the last frames became complete (paired frames are
    // popped up to a hop after that)
    static constexpr std::size_t kStamps = 16;  // more than the feature ring holds (4096 samples: 9 frames)
    std::int64_t ready_at_[kStamps] = {};
    std::int64_t stamped_ = 0;
    std::int64_t index_[kBatchMax] = {};
    std::int64_t available_[kBatchMax] = {};
    float level_[kBatchMax] = {};
};

}  // namespace tactus
