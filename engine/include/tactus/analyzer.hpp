#pragma once
// The engine's worker-side core: mono audio at the host rate in, beat
// events out, with every position mapped from feature frames (50 fps) to
// stream frames at the host rate. It runs the activation pipeline and one
// of the two inference modes:
//  - tactus (default): TactusTracker;
//  - beatnet: the faithful BeatNet cascade particle filter.
// The threaded engine and tactus-analyze both drive this one class.
#include <cstdint>
#include <memory>
#include <vector>

#include "tactus/activations.hpp"
#include "tactus/beatnet_pf.hpp"
#include "tactus/events.hpp"
#include "tactus/tracker.hpp"

namespace tactus {

enum class Inference { tactus, beatnet };

struct AnalyzerConfig {
    double sample_rate = 48000;
    Inference inference = Inference::tactus;
    TrackerParams tracker;
    BeatNetPfConfig beatnet;
    // CRNN frames per run: 1 live; files may batch (same events, less CPU)
    int batch_frames = 1;
    // Where the CRNN runs; null: the CPU. The engine opens it once (see
    // open_crnn_device) and every analysis it rebuilds shares it.
    std::shared_ptr<CrnnProvider> device;
    // How the CPU multiplies in tactus mode; BeatNet mode is always exact,
    // to stay BeatNet.
    CrnnArithmetic arithmetic = CrnnArithmetic::fast;
    // Tactus mode: the network hears the input at mastered material's level
    // whatever the input's (ActivationPipeline::set_auto_gain). BeatNet mode
    // never does.
    bool auto_gain = true;
    CrnnArithmetic crnn_arithmetic() const {
        return inference == Inference::beatnet ? CrnnArithmetic::exact : arithmetic;
    }
};

class Analyzer final : FrameSink, BeatSink {
public:
    // In tactus mode every stream starts as if after this much silence
    // (ActivationPipeline::set_silence_before): 2 s.
    static constexpr int kSilenceFrames = 100;

    Analyzer(const std::vector<const CrnnWeights*>& models, const AnalyzerConfig& config);
    Analyzer(const std::vector<std::filesystem::path>& model_files, const AnalyzerConfig& config);
    ~Analyzer();

    // Mono samples at the host rate; events go to `sink` as they happen.
    void feed(const float* mono, std::size_t n, EventSink& sink);
    // Processes frames waiting in a partly filled batch.
    void flush(EventSink& sink);
    // End of stream (files): the last frames are padded and processed.
    void finish(EventSink& sink);
    void reset();

    void tap(std::int64_t stream_frame);
    void set_bpm_override(double bpm);
    void retune(const TrackerParams& params);

    TempoSnapshot snapshot() const;
    const AnalyzerConfig& config() const { return cfg_; }
    std::int64_t input_frames() const { return pipeline_.input_samples(); }
    const ActivationPipeline& pipeline() const { return pipeline_; }
    // feature frames <-> stream frames at the host rate
    double to_stream(double feature_frame) const { return feature_frame * cfg_.sample_rate / kFps; }
    double to_features(double stream_frame) const { return stream_frame * kFps / cfg_.sample_rate; }

private:
    void init();
    void on_frame(const FrameOutput& frame) override;
    void on_beat(const TrackerBeat& beat) override;

    AnalyzerConfig cfg_;
    ActivationPipeline pipeline_;
    std::unique_ptr<TactusTracker> tracker_;
    std::unique_ptr<BeatNetParticleFilter> beatnet_;
    EventSink* sink_ = nullptr;
    // BeatNet mode bookkeeping
    std::int64_t bn_beats_ = 0, bn_bars_ = 0;
    int bn_in_bar_ = 0;
};

}  // namespace tactus
