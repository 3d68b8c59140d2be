#include "tactus/analyzer.hpp"

#include <algorithm>
#include <cmath>

namespace tactus {

Analyzer::Analyzer(const std::vector<const CrnnWeights*>& models, const AnalyzerConfig& config)
    : cfg_(config), pipeline_(models, config.sample_rate, config.crnn_arithmetic(), config.device.get()) {
    init();
}

Analyzer::Analyzer(const std::vector<std::filesystem::path>& model_files, const AnalyzerConfig& config)
    : cfg_(config), pipeline_(model_files, config.sample_rate, config.crnn_arithmetic(), config.device.get()) {
    init();
}

void Analyzer::init() {
    pipeline_.set_batch(cfg_.batch_frames);
    if (cfg_.inference == Inference::tactus) tracker_ = std::make_unique<TactusTracker>(cfg_.tracker);
    else beatnet_ = std::make_unique<BeatNetParticleFilter>(cfg_.beatnet);
    // A live stream starts after silence; files are treated alike, which
    // also makes their first onset count (downbeat F on eval-dev 0.59
    // against 0.495 with madmom's start, where frame 0 has no spectral
    // difference). BeatNet mode keeps BeatNet's start.
    if (cfg_.inference == Inference::tactus) {
        pipeline_.set_silence_before(kSilenceFrames);
        if (cfg_.auto_gain) pipeline_.set_auto_gain(true);
    }
}

Analyzer::~Analyzer() = default;

void Analyzer::reset() {
    pipeline_.reset();
    if (tracker_) tracker_->reset();
    if (beatnet_) beatnet_->reset();
    bn_beats_ = bn_bars_ = 0;
    bn_in_bar_ = 0;
}

void Analyzer::feed(const float* mono, std::size_t n, EventSink& sink) {
    sink_ = &sink;
    // Feed at most one hop at a time, so every frame's "now" (the newest
    // audio when it became complete, which predictions are committed
    // against) is exact to a hop even when a caller pushes a large block.
    const std::size_t hop = std::max<std::size_t>(1, std::size_t(cfg_.sample_rate / kFps));
    while (n > 0) {
        const std::size_t k = std::min(n, hop);
        pipeline_.feed(mono, k, *this);
        mono += k;
        n -= k;
    }
}

void Analyzer::flush(EventSink& sink) {
    sink_ = &sink;
    pipeline_.flush(*this);
}

void Analyzer::finish(EventSink& sink) {
    sink_ = &sink;
    pipeline_.finish(*this);
}

void Analyzer::tap(std::int64_t stream_frame) {
    if (tracker_) tracker_->tap(to_features(double(stream_frame)));
}

void Analyzer::retune(const TrackerParams& params) {
    cfg_.tracker = params;
    if (tracker_) tracker_->retune(params);
}

void Analyzer::set_bpm_override(double bpm) {
    if (tracker_) tracker_->set_bpm_override(bpm);
}

void Analyzer::on_frame(const FrameOutput& f) {
    if (tracker_) {
        TrackerFrame tf;
        tf.index = f.index;
        tf.beat = f.beat;
        tf.downbeat = f.downbeat;
        tf.level_db = f.level_db;
        float flux = 0.f;
        for (int b = kBands; b < kFeatures; ++b) flux += f.features[b];
        tf.onset = flux / kBands;
        tracker_->process(tf, std::max(to_features(double(f.available)), double(f.index)), *this);
        return;
    }
    const auto d = beatnet_->step(f.beat, f.downbeat);
    if (d.label == BeatNetParticleFilter::kNone || d.frame < 0) return;
    ++bn_beats_;
    if (d.label == BeatNetParticleFilter::kDownbeat) {
        bn_in_bar_ = 1;
        ++bn_bars_;
    } else {
        bn_in_bar_ = bn_in_bar_ > 0 ? bn_in_bar_ + 1 : 0;  // unknown until the first downbeat
    }
    BeatEvent e;
    e.frame = std::llround(to_stream(double(d.frame)));
    e.time = double(d.frame) / kFps;
    e.committed_frame = f.available;
    e.beat_index = bn_beats_;
    e.bar = bn_bars_;
    e.beat_in_bar = bn_in_bar_;
    e.beats_per_bar = beatnet_->beats_per_bar();
    e.bpm = float(beatnet_->tempo_bpm());
    e.confidence = 1.f;
    e.predicted = false;
    sink_->on_event(e);
}

void Analyzer::on_beat(const TrackerBeat& b) {
    BeatEvent e;
    e.frame = std::llround(to_stream(b.frame));
    e.time = b.frame / kFps;
    e.committed_frame = std::llround(to_stream(b.committed));
    e.beat_index = b.beat_index;
    e.bar = b.bar;
    e.beat_in_bar = b.beat_in_bar;
    e.beats_per_bar = b.beats_per_bar;
    e.bpm = b.bpm;
    e.confidence = b.confidence;
    e.intensity = b.intensity;
    e.predicted = b.predicted;
    sink_->on_event(e);
}

TempoSnapshot Analyzer::snapshot() const {
    TempoSnapshot s;
    if (tracker_) {
        const TrackerStatus& t = tracker_->status();
        s.frame = std::llround(to_stream(double(t.frame)));
        s.bpm = t.bpm;
        s.phase = t.phase;
        s.confidence = t.confidence;
        s.clarity = t.clarity;
        s.level_db = t.level_db;
        s.beat_in_bar = t.beat_in_bar;
        s.beats_per_bar = t.beats_per_bar;
        s.next_beat_frame = t.next_beat < 0 ? -1 : std::llround(to_stream(t.next_beat));
        s.next_downbeat_frame = t.next_downbeat < 0 ? -1 : std::llround(to_stream(t.next_downbeat));
        s.state = t.state;
    } else {
        s.frame = std::llround(to_stream(double(beatnet_->frames() - 1)));
        s.bpm = beatnet_->tempo_bpm();
        s.beats_per_bar = beatnet_->beats_per_bar();
        s.beat_in_bar = bn_in_bar_;
        s.state = bn_beats_ > 0 ? TrackState::locked : TrackState::listening;
    }
    return s;
}

}  // namespace tactus
