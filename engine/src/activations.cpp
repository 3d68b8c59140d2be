#include "tactus/activations.hpp"

#include <algorithm>
#include <cmath>

#include "tactus/error.hpp"
#include "tactus/sanitize.hpp"

namespace tactus {

ActivationPipeline::ActivationPipeline(const CrnnWeights& weights, double input_rate)
    : ActivationPipeline(std::vector<const CrnnWeights*>{&weights}, input_rate) {}

ActivationPipeline::ActivationPipeline(const std::vector<const CrnnWeights*>& ensemble, double input_rate)
    : resampler_(input_rate, kFeatureRate) {
    if (ensemble.empty()) throw Error("no model given");
    for (const CrnnWeights* w : ensemble) crnn_.push_back(std::make_unique<CrnnCpu>(*w));
}

void ActivationPipeline::reset() {
    resampler_.reset();
    features_.reset();
    for (auto& net : crnn_) net->reset();
    sanitizer_.reset();
    input_samples_ = 0;
    resampled_samples_ = 0;
}

void ActivationPipeline::drain_features(FrameSink& sink) {
    FrameOutput out;
    float probs[kClasses];
    while (true) {
        const std::int64_t index = features_.next_frame();
        if (!features_.pop(feat_)) break;
        for (float& v : feat_)
            if (!std::isfinite(v)) {
                v = 0.f;
                ++sanitized_features_;
            }
        float sum[kClasses] = {0.f, 0.f, 0.f};
        for (auto& net : crnn_) {
            net->step(feat_, probs);
            for (int k = 0; k < kClasses; ++k) sum[k] += probs[k];
        }
        const float inv = 1.f / float(crnn_.size());
        out.index = index;
        out.features = feat_;
        out.beat = sum[0] * inv;
        out.downbeat = sum[1] * inv;
        out.none = sum[2] * inv;
        out.level_db = features_.level_db();
        sink.on_frame(out);
    }
}

void ActivationPipeline::push_resampled(const float* x, std::size_t n, FrameSink& sink) {
    resampled_samples_ += std::int64_t(n);
    while (n > 0) {
        const std::size_t took = features_.push(x, n);
        x += took;
        n -= took;
        drain_features(sink);
    }
}

void ActivationPipeline::feed(const float* mono, std::size_t n, FrameSink& sink) {
    while (n > 0) {
        const std::size_t k = std::min(n, kChunk);
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
    drain_features(sink);
}

}  // namespace tactus
