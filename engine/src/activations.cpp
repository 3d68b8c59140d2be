#include "tactus/activations.hpp"

#include <algorithm>
#include <cmath>

#include "finite.hpp"
#include "tactus/error.hpp"
#include "tactus/model.hpp"

namespace tactus {

ActivationPipeline::ActivationPipeline(const CrnnWeights& weights, double input_rate, CrnnArithmetic arithmetic,
                                       CrnnProvider* device)
    : ActivationPipeline(std::vector<const CrnnWeights*>{&weights}, input_rate, arithmetic, device) {}

ActivationPipeline::ActivationPipeline(const std::vector<const CrnnWeights*>& ensemble, double input_rate,
                                       CrnnArithmetic arithmetic, CrnnProvider* device)
    : resampler_(input_rate, kFeatureRate),
      feat_(std::size_t(kBatchMax) * kFeatures),
      probs_(std::size_t(kBatchMax) * kClasses) {
    if (ensemble.empty()) throw Error("no model given");
    crnn_ = (device ? *device : *cpu_provider()).make(ensemble, arithmetic);
}

ActivationPipeline::ActivationPipeline(const std::vector<std::filesystem::path>& model_files, double input_rate,
                                       CrnnArithmetic arithmetic, CrnnProvider* device)
    : resampler_(input_rate, kFeatureRate),
      feat_(std::size_t(kBatchMax) * kFeatures),
      probs_(std::size_t(kBatchMax) * kClasses) {
    if (model_files.empty()) throw Error("no model given");
    crnn_ = (device ? *device : *cpu_provider()).make_from_files(model_files, arithmetic);
}

void ActivationPipeline::set_batch(int frames) {
    batch_ = std::clamp(frames, 1, kBatchMax);
    // Batches are late anyway: the DFT may take frames two at a time.
    features_.set_paired(batch_ > 1);
}

void ActivationPipeline::reset() {
    resampler_.reset();
    features_.reset();
    crnn_->reset();
    sanitizer_.reset();
    input_samples_ = fed_end_ = resampled_samples_ = 0;
    pending_ = 0;
    stamped_ = 0;
    prime();
}

void ActivationPipeline::set_silence_before(int frames) {
    silence_frames_ = std::max(0, frames);
    features_.set_silence_before(silence_frames_ > 0);
    reset();
}

void ActivationPipeline::set_auto_gain(bool on) {
    // The network's state does not depend on the gain (silence primes it
    // either way), so only the features restart: re-priming would cost as
    // much as 2 s of audio.
    features_.set_auto_gain(on);
    features_.reset();
}

void ActivationPipeline::prime() {
    // silence's features: log(1 + 0) bands and zero differences
    std::fill(feat_.begin(), feat_.end(), 0.f);
    silence_restored_ = silence_frames_ > 0 && crnn_->restore_silence(silence_frames_);
    if (silence_restored_) return;
    for (int frames = silence_frames_; frames > 0;) {
        const int n = std::min(frames, kBatchMax);
        crnn_->run(feat_.data(), n, probs_.data());
        frames -= n;
    }
}

void ActivationPipeline::flush(FrameSink& sink) {
    if (pending_ == 0) return;
    const int n = pending_;
    pending_ = 0;
    crnn_->run(feat_.data(), n, probs_.data());
    FrameOutput out;
    for (int f = 0; f < n; ++f) {
        out.index = index_[f];
        out.features = feat_.data() + std::size_t(f) * kFeatures;
        out.beat = probs_[std::size_t(f * kClasses)];
        out.downbeat = probs_[std::size_t(f * kClasses + 1)];
        out.none = probs_[std::size_t(f * kClasses + 2)];
        out.level_db = level_[f];
        out.available = available_[f];
        sink.on_frame(out);
    }
}

void ActivationPipeline::drain_features(FrameSink& sink) {
    while (true) {
        const std::int64_t index = features_.next_frame();
        float* feat = feat_.data() + std::size_t(pending_) * kFeatures;
        if (!features_.pop(feat)) break;
        if (!all_finite(feat, std::size_t(kFeatures)))
            for (int i = 0; i < kFeatures; ++i)
                if (!std::isfinite(feat[i])) {
                    feat[i] = 0.f;
                    ++sanitized_features_;
                }
        index_[pending_] = index;
        level_[pending_] = features_.level_db();
        available_[pending_] = ready_at_[std::size_t(index) % kStamps];
        if (++pending_ >= batch_) flush(sink);
    }
}

void ActivationPipeline::stamp_ready_frames() {
    for (const std::int64_t ready = features_.frames_ready(); stamped_ < ready; ++stamped_)
        ready_at_[std::size_t(stamped_) % kStamps] = fed_end_;
}

void ActivationPipeline::push_resampled(const float* x, std::size_t n, FrameSink& sink) {
    resampled_samples_ += std::int64_t(n);
    while (n > 0) {
        const std::size_t took = features_.push(x, n);
        x += took;
        n -= took;
        stamp_ready_frames();
        drain_features(sink);
    }
}

void ActivationPipeline::feed(const float* mono, std::size_t n, FrameSink& sink) {
    while (n > 0) {
        const std::size_t k = std::min(n, kChunk);
        fed_end_ = input_samples_ + std::int64_t(k);
        std::copy_n(mono, k, in_);
        sanitized_samples_ += sanitizer_.process_rt(in_, k);
        std::size_t offset = 0;
        while (offset < k) {
            std::size_t consumed = 0;
            const std::size_t produced = resampler_.process(in_ + offset, k - offset, &consumed, out_, std::size(out_));
            offset += consumed;
            push_resampled(out_, produced, sink);
            if (consumed == 0 && produced == 0) break;  // cannot happen with soxr; guards a hang
        }
        input_samples_ += std::int64_t(k);
        mono += k;
        n -= k;
    }
}

void ActivationPipeline::finish(FrameSink& sink) {
    // Like librosa.load, the resampled signal has ceil(n * 22050 / rate)
    // samples: trim what the filter tail adds, pad if it gave fewer.
    const std::int64_t expected =
        std::int64_t(std::ceil(double(input_samples_) * kFeatureRate / resampler_.in_rate() - 1e-9));
    fed_end_ = input_samples_;
    std::size_t produced;
    while ((produced = resampler_.flush(out_, std::size(out_))) > 0) {
        const std::int64_t room = std::max<std::int64_t>(expected - resampled_samples_, 0);
        push_resampled(out_, std::min<std::size_t>(produced, std::size_t(room)), sink);
    }
    std::fill(std::begin(out_), std::end(out_), 0.f);
    while (resampled_samples_ < expected) {
        const auto k = std::min<std::int64_t>(expected - resampled_samples_, std::int64_t(std::size(out_)));
        push_resampled(out_, std::size_t(k), sink);
    }
    features_.finish();
    stamp_ready_frames();
    drain_features(sink);
    flush(sink);
}

}  // namespace tactus
